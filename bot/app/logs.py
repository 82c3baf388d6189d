"""Process logging: one line per event with its cause, as text or JSON, and quiet retries."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers of the platform SDKs that log every reconnect attempt, often with a traceback.
RETRYING_LOGGERS = (
    "slack_sdk.socket_mode",
    "slack_bolt",
    "discord.client",
    "discord.gateway",
    "discord.http",
    "aiohttp.client",
)
REPEAT_WINDOW_SECONDS = 60.0
# SDK start-up lines about features debrief never uses (discord.py's voice support).
IRRELEVANT = ("voice will NOT be supported",)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = f"{type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
            if record.levelno <= logging.DEBUG:
                entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class OneLineFormatter(logging.Formatter):
    """The text format with the cause on the same line; tracebacks only at DEBUG level."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line (plus a traceback when it is a debug record)."""
        exc_info, record.exc_info = record.exc_info, None
        text_cache, record.exc_text = record.exc_text, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text = exc_info, text_cache
        if exc_info and exc_info[1] is not None:
            line += f" ({type(exc_info[1]).__name__}: {exc_info[1]})"
            if record.levelno <= logging.DEBUG or logging.getLogger().isEnabledFor(logging.DEBUG):
                line += "\n" + self.formatException(exc_info)
        return line


class RepeatFilter(logging.Filter):
    """Lets a repeated warning from the retrying SDK loggers through once a minute, with how often it was
    held back; other records pass untouched."""

    def __init__(self, prefixes: tuple[str, ...] = RETRYING_LOGGERS, window: float = REPEAT_WINDOW_SECONDS) -> None:
        super().__init__()
        self.prefixes = prefixes
        self.window = window
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """True when this record should be written."""
        if record.name.startswith(self.prefixes) and any(text in str(record.msg) for text in IRRELEVANT):
            return False
        if record.levelno < logging.WARNING or not record.name.startswith(self.prefixes):
            return True
        key = (record.name, str(record.msg))
        now = time.monotonic()
        last, held = self._seen.get(key, (0.0, 0))
        if last and now - last < self.window:
            self._seen[key] = (last, held + 1)
            return False
        if held:
            record.msg = f"{record.msg} (repeated {held} more times in the last minute)"
        self._seen[key] = (now, 0)
        return True


HTTP_CLIENT_LOGGERS = ("httpx", "httpx2", "httpcore", "httpcore2")


def configure_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Set up the root logger once per process; SDK retry noise is folded to one line a minute."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else OneLineFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    handler.addFilter(RepeatFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # The model client's HTTP layer logs every request URL at INFO: one line per answer, and a URL may carry
    # what its owner did not mean to show. Its warnings still come through.
    for name in HTTP_CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
