"""One line per event with its cause, JSON for shippers, and SDK retry noise folded."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.app.logs import RepeatFilter, configure_logging
from bot.errors import log_failure


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
