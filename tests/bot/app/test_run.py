"""Starting debrief as an operator would: bad settings and credentials end in one line, stopping is quick."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.app.embedded_redis import free_port
from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.store import Stores
from tests.handlers.discord.fake_discord import FakeDiscord
from tests.handlers.slack.fake_slack import FakeSlack
from tests.metrics import sample, scrape

ROOT = Path(__file__).resolve().parents[3]
STOP_LIMIT_SECONDS = 5.0


def clean_env(home: Path, **values: str) -> dict[str, str]:
    """The environment of a fresh shell: none of debrief's settings, a private home."""
    prefixes = ("SLACK_", "DISCORD_", "DEBRIEF_", "REDIS_URL", "REDIS_CLUSTER", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), PYTHONUNBUFFERED="1", DEBRIEF_HEALTH_PORT="0")
    env.update(values)
    return env


async def run_once(
    args: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None = None, timeout: float = 60
) -> tuple[int, str, str]:
    """Run `debrief ARGS` to its end; (status, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@asynccontextmanager
async def running(args: list[str], env: dict[str, str], cwd: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`debrief ARGS` in the background; killed at the end if still running."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop_and_time(process: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> tuple[int, float, str]:
    """Send `sig`; the exit status, how long it took and everything printed."""
    started = time.monotonic()
    process.send_signal(sig)
    status = await asyncio.wait_for(process.wait(), 20)
    output = (await process.stdout.read()).decode() if process.stdout else ""
    return status, time.monotonic() - started, output


async def output_until(process: asyncio.subprocess.Process, needle: str, timeout: float = 30) -> str:
    """Read the process's output until `needle` appears."""
    seen = ""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while needle not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or process.returncode is not None:
            raise AssertionError(f"never printed {needle!r}; got:\n{seen}")
        try:
            line = await asyncio.wait_for(process.stdout.readline(), remaining)
        except TimeoutError:
            continue
        if not line and process.stdout.at_eof():
            await asyncio.sleep(0.05)
        seen += line.decode()
    return seen


def one_line(stderr: str) -> str:
    """The single line a failed start printed (and that it printed nothing else)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# --- settings ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("REDIS_URL", "notaurl", "REDIS_URL: must start with redis://"),
        ("SLACK_MODE", "sockets", "SLACK_MODE: must be 'socket' or 'http' (got 'sockets')"),
        ("DEBRIEF_TIMEZONE", "Mars/Olympus", "DEBRIEF_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("SLACK_HTTP_PORT", "eighty", "SLACK_HTTP_PORT: must be a whole number"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT: must be 'text' or 'json'"),
        ("SLACK_BOT_TOKEN", "hunter2-not-a-token", "SLACK_BOT_TOKEN: must be the Bot User OAuth Token"),
    ],
)
async def test_a_bad_setting_stops_with_one_line_naming_it(
    tmp_path: Path, setting: str, value: str, expected: str
) -> None:
    status, _, err = await run_once(["run"], clean_env(tmp_path, **{setting: value}), tmp_path)
    assert status == 2
    line = one_line(err)
    assert line.startswith(expected), line
    if setting == "SLACK_BOT_TOKEN":
        assert value not in err, "a secret is never echoed"


async def test_an_unwritable_data_directory_is_named(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DEBRIEF_DATA_DIR="/proc/nope")
    status, _, err = await run_once(["practice"], env, tmp_path, stdin=b"")
    assert status == 2
    assert one_line(err).startswith("DEBRIEF_DATA_DIR: cannot use /proc/nope")


async def test_an_unreachable_redis_is_named_without_its_password(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    try:
        env = clean_env(
            tmp_path,
            REDIS_URL=f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0",
            SLACK_MODE="http",
            SLACK_BOT_TOKEN="xoxb-fine",
            SLACK_SIGNING_SECRET="secret",
            SLACK_API_URL=fake.api_url,
        )
        status, out, err = await run_once(["run"], env, tmp_path)
    finally:
        await fake.stop()
    assert status == 2
    assert one_line(err).startswith("REDIS_URL: cannot reach redis://127.0.0.1:")
    assert "s3cret-pw" not in err + out


async def test_an_unreachable_cluster_gets_the_same_one_line(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    try:
        env = clean_env(
            tmp_path,
            REDIS_URL=f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0",
            REDIS_CLUSTER="true",
            SLACK_MODE="http",
            SLACK_BOT_TOKEN="xoxb-fine",
            SLACK_SIGNING_SECRET="secret",
            SLACK_API_URL=fake.api_url,
        )
        status, out, err = await run_once(["run"], env, tmp_path)
    finally:
        await fake.stop()
    assert status == 2
    assert one_line(err).startswith("REDIS_URL: cannot reach redis://127.0.0.1:")
    assert "s3cret-pw" not in err + out


async def test_env_example_copied_as_is_runs_terminal_practice(tmp_path: Path, redis_url: str) -> None:
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    env = clean_env(tmp_path)
    del env["DEBRIEF_HEALTH_PORT"]
    status, out, err = await run_once(["practice"], env, tmp_path, stdin=b"I decided to cut the export.\n.\n")
    assert status == 0, err
    assert "Score " in out and "Answer saved." in out
    assert not (tmp_path / "redis").exists(), "an empty DEBRIEF_DATA_DIR is unset, not the current folder"
    assert list((tmp_path / "data" / "debrief" / "redis").iterdir()), "the default data directory was used"


async def test_broken_pipe_ends_quietly(tmp_path: Path) -> None:
    command = f"{sys.executable} -m bot content list | head -n 2"
    process = await asyncio.create_subprocess_shell(
        command, env=clean_env(tmp_path), cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert len(out.decode().splitlines()) == 2
    assert err.decode() == "", err.decode()


async def test_version(tmp_path: Path) -> None:
    status, out, _ = await run_once(["--version"], clean_env(tmp_path), tmp_path)
    assert status == 0 and out.startswith("debrief ")


async def test_no_platform_and_no_terminal_exits_with_what_to_set(tmp_path: Path) -> None:
    status, _, err = await run_once(["run"], clean_env(tmp_path), tmp_path)
    assert status == 2
    line = one_line(err)
    assert "SLACK_BOT_TOKEN" in line and "DISCORD_TOKEN" in line


# --- credentials -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "method", "setting"),
    [
        ("socket", "auth.test", "SLACK_BOT_TOKEN"),
        ("http", "auth.test", "SLACK_BOT_TOKEN"),
        ("socket", "apps.connections.open", "SLACK_APP_TOKEN"),
    ],
)
async def test_a_rejected_slack_token_stops_with_one_line(
    tmp_path: Path, redis_url: str, mode: str, method: str, setting: str
) -> None:
    fake = FakeSlack(errors={method: "invalid_auth"})
    await fake.start()
    try:
        env = clean_env(
            tmp_path,
            REDIS_URL=redis_url,
            SLACK_MODE=mode,
            SLACK_BOT_TOKEN="xoxb-bad",
            SLACK_APP_TOKEN="xapp-bad",
            SLACK_SIGNING_SECRET="secret",
            SLACK_API_URL=fake.api_url,
            SLACK_HTTP_PORT=str(free_port()),
            SLACK_HTTP_HOST="127.0.0.1",
        )
        status, out, err = await run_once(["run", "--platform", "slack"], env, tmp_path, timeout=30)
    finally:
        await fake.stop()
    assert status == 2, err
    assert f"{setting}: Slack rejected the token (invalid_auth)" in err
    assert "Traceback" not in err
    assert "token will be unused" not in err
    assert "xoxb-bad" not in err + out
    assert not fake.of("chat.postMessage")


async def test_a_rejected_discord_token_stops_with_one_line(tmp_path: Path, redis_url: str) -> None:
    fake = FakeDiscord(token="the-right-token")
    await fake.start()
    try:
        env = clean_env(tmp_path, REDIS_URL=redis_url, DISCORD_TOKEN="the-wrong-token", DISCORD_API_BASE=fake.api_base)
        status, _, err = await run_once(["run", "--platform", "discord"], env, tmp_path, timeout=30)
    finally:
        await fake.stop()
    assert status == 2, err
    assert "DISCORD_TOKEN: Discord rejected the token" in err
    assert "Traceback" not in err and "Unclosed" not in err


# --- stopping ------------------------------------------------------------------------------------------


async def test_unreachable_slack_retries_quietly_and_stops_at_once(tmp_path: Path, redis_url: str) -> None:
    env = clean_env(
        tmp_path,
        REDIS_URL=redis_url,
        SLACK_BOT_TOKEN="xoxb-fine",
        SLACK_APP_TOKEN="xapp-fine",
        SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/",
    )
    async with running(["run"], env, tmp_path) as process:
        await output_until(process, "Slack is not reachable")
        await asyncio.sleep(2)  # more attempts with backoff
        status, took, output = await stop_and_time(process, signal.SIGINT)
    assert took < STOP_LIMIT_SECONDS, output
    assert status == 0, output
    assert output.count("not reachable") <= 1, output
    assert "Traceback" not in output


async def test_serving_slack_stops_within_five_seconds_and_reports_health(tmp_path: Path, redis_url: str) -> None:
    fake = FakeSlack()
    await fake.start()
    health_port = free_port()
    env = clean_env(
        tmp_path,
        REDIS_URL=redis_url,
        SLACK_BOT_TOKEN="xoxb-fine",
        SLACK_APP_TOKEN="xapp-fine",
        SLACK_API_URL=fake.api_url,
        DEBRIEF_HEALTH_PORT=str(health_port),
        DEBRIEF_HEALTH_HOST="127.0.0.1",
        LOG_FORMAT="json",
    )
    try:
        async with running(["run"], env, tmp_path) as process:
            await output_until(process, "debrief is running")
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{health_port}/health") as response:
                    assert response.status == 200
                ready = await _wait_ready(session, f"http://127.0.0.1:{health_port}/ready")
            assert ready == {"redis": True, "scheduler": True, "slack": True}
            metrics = await scrape(f"http://127.0.0.1:{health_port}/metrics")
            status, took, output = await stop_and_time(process)
    finally:
        await fake.stop()
    assert status == 0 and took < STOP_LIMIT_SECONDS, output
    assert all(line.startswith("{") for line in output.splitlines() if line.strip()), output
    assert metrics[sample("debrief_outbox_depth", platform="slack")] == 0, "read from Redis at scrape time"
    assert not any(key.startswith("debrief_platform_api_errors_total") for key in metrics), metrics


async def test_a_post_in_progress_is_released_when_stopping(tmp_path: Path, redis_url: str, redis: Redis) -> None:
    fake = FakeSlack(delays={"chat.postMessage": 60})
    await fake.start()
    channel = Channel("slack:T1", "C-now")
    now = datetime.now(UTC)
    settings = ChannelSettings(post_time=clock_time(now.hour, now.minute), timezone="UTC", weekdays=tuple(range(7)))
    store = Stores.over(redis)
    await store.channels.save(channel, settings)
    env = clean_env(
        tmp_path,
        REDIS_URL=redis_url,
        SLACK_BOT_TOKEN="xoxb-fine",
        SLACK_APP_TOKEN="xapp-fine",
        SLACK_API_URL=fake.api_url,
    )
    try:
        async with running(["run"], env, tmp_path) as process:
            await fake.wait_for("chat.postMessage", timeout=30)  # the post hangs at the fake
            assert await store.schedule.post_claim(channel, now.date()) == "posting"
            status, took, output = await stop_and_time(process)
    finally:
        await fake.stop()
    assert status == 0 and took < STOP_LIMIT_SECONDS, output
    assert await store.schedule.post_claim(channel, now.date()) is None, "the claim is released for the next start"


async def test_discord_reports_ready_and_stops_quickly(tmp_path: Path, redis_url: str) -> None:
    fake = FakeDiscord(token="tok")
    await fake.start()
    health_port = free_port()
    env = clean_env(
        tmp_path,
        REDIS_URL=redis_url,
        DISCORD_TOKEN="tok",
        DISCORD_API_BASE=fake.api_base,
        DEBRIEF_HEALTH_PORT=str(health_port),
        DEBRIEF_HEALTH_HOST="127.0.0.1",
    )
    try:
        async with running(["run"], env, tmp_path) as process:
            async with aiohttp.ClientSession() as session:
                ready = await _wait_ready(session, f"http://127.0.0.1:{health_port}/ready")
            assert ready == {"redis": True, "scheduler": True, "discord": True}
            status, took, output = await stop_and_time(process)
    finally:
        await fake.stop()
    assert status == 0 and took < STOP_LIMIT_SECONDS, output


async def _wait_ready(session: aiohttp.ClientSession, url: str, timeout: float = 30) -> dict[str, bool]:
    deadline = time.monotonic() + timeout
    body: dict[str, object] = {}
    while time.monotonic() < deadline:
        try:
            async with session.get(url) as response:
                body = await response.json()
                if response.status == 200:
                    checks = body["checks"]
                    assert isinstance(checks, dict)
                    return {str(k): bool(v) for k, v in checks.items()}
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"never ready: {body}")
