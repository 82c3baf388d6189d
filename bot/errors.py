"""Errors the core raises for adapters to turn into clear replies, and how expected failures are logged."""

from __future__ import annotations

import logging


class StoreUnavailable(RuntimeError):
    """Redis could not be reached or failed; nothing was written."""

    def __init__(self, action: str = "do that") -> None:
        self.action = action
        super().__init__(
            f"Could not {action}: the database is not reachable right now. Nothing was changed; please try again."
        )


class StartRefused(RuntimeError):
    """A setting that makes starting impossible (credentials a platform rejected, a port in use); retrying
    cannot help."""

    def __init__(self, setting: str, reason: str) -> None:
        self.setting = setting
        self.reason = reason
        super().__init__(f"{setting}: {reason}")


class PlatformUnreachable(ConnectionError):
    """A chat platform could not be reached (network, DNS, outage); worth retrying."""

    def __init__(self, platform: str, cause: BaseException | str) -> None:
        self.platform = platform
        self.cause = cause
        detail = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}".rstrip(": ")
        super().__init__(f"{platform} is not reachable ({detail})")


class PlatformRefused(RuntimeError):
    """The chat platform refused a request (missing permission, channel gone); the adapter names the reason."""

    def __init__(self, platform: str, reason: str) -> None:
        self.platform = platform
        self.reason = reason
        super().__init__(f"{platform} refused the request ({reason}); nothing was changed.")


def log_failure(logger: logging.Logger, message: str, exc: BaseException, *args: object) -> None:
    """An expected failure: one warning line with its cause; the traceback only at debug level."""
    logger.warning(f"{message} ({type(exc).__name__}: {exc})", *args)
    logger.debug("traceback of the above", exc_info=exc)
