"""The health endpoints, the one-line log format and the quiet retry loop."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import aiohttp
import pytest

from bot.app.embedded_redis import free_port
from bot.app.health import HealthServer
from bot.app.logs import RepeatFilter, configure_logging, log_failure
from bot.app.retry import backoff_delays, until_reachable
from bot.app.settings import SettingError
from bot.errors import PlatformUnreachable


async def test_ready_is_503_until_every_check_passes() -> None:
    state = {"slack": False}

    async def slack() -> bool:
        return state["slack"]

    async def hangs() -> bool:
        await asyncio.sleep(60)
        return True

    port = free_port()
    server = HealthServer("127.0.0.1", port, {"redis": lambda: asyncio.sleep(0, True), "slack": slack})
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/health") as response:
                assert response.status == 200
            async with session.get(f"http://127.0.0.1:{port}/ready") as response:
                assert response.status == 503
                assert (await response.json())["checks"] == {"redis": True, "slack": False}
            state["slack"] = True
            async with session.get(f"http://127.0.0.1:{port}/ready") as response:
                assert response.status == 200
        server.checks["slow"] = hangs
        assert (await server.readiness())["slow"] is False
    finally:
        await server.stop()


async def test_a_taken_health_port_is_a_setting_problem() -> None:
    port = free_port()
    first = HealthServer("127.0.0.1", port, {})
    await first.start()
    try:
        with pytest.raises(SettingError, match="DEBRIEF_HEALTH_PORT: cannot listen"):
            await HealthServer("127.0.0.1", port, {}).start()
    finally:
        await first.stop()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_expected_failures_are_one_line_and_json_is_one_object(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "text", stream)
    log = logging.getLogger("debrief.test")
    try:
        raise ConnectionResetError("peer went away")
    except ConnectionResetError as exc:
        log_failure(log, "posting failed", exc)
    assert stream.getvalue().count("\n") == 1
    assert "posting failed (ConnectionResetError: peer went away)" in stream.getvalue()

    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    log.warning("hello %s", "world")
    entry = json.loads(stream.getvalue())
    assert entry["message"] == "hello world" and entry["level"] == "WARNING"


def test_sdk_retry_warnings_are_said_once_a_minute() -> None:
    repeat = RepeatFilter(window=60)
    record = logging.LogRecord("slack_sdk.socket_mode.aiohttp", logging.ERROR, "x", 1, "Failed to connect", None, None)
    results = [repeat.filter(record) for _ in range(5)]
    assert results == [True, False, False, False, False]
    other = logging.LogRecord("debrief", logging.ERROR, "x", 1, "Failed to connect", None, None)
    assert all(repeat.filter(other) for _ in range(3)), "debrief's own lines are never held back"


async def test_until_reachable_retries_only_unreachable_and_says_so_once(caplog: pytest.LogCaptureFixture) -> None:
    attempts = 0

    async def attempt() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 4:
            raise PlatformUnreachable("Slack", OSError("connection refused"))
        return "ok"

    with caplog.at_level(logging.INFO):
        assert await until_reachable("Slack", attempt, logging.getLogger("t"), delays=lambda: 0) == "ok"
    assert attempts == 4
    assert sum("not reachable" in r.message for r in caplog.records) == 1

    async def rejected() -> None:
        raise ValueError("not a network problem")

    with pytest.raises(ValueError):
        await until_reachable("Slack", rejected, logging.getLogger("t"), delays=lambda: 0)


def test_backoff_doubles_to_the_cap_with_jitter() -> None:
    low = backoff_delays(first=1, cap=8, rng=lambda: 0.0)
    high = backoff_delays(first=1, cap=8, rng=lambda: 1.0)
    assert [low() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert [high() for _ in range(6)] == [1.5, 3.0, 6.0, 8.0, 8.0, 8.0]
