"""Errors the core raises for adapters to turn into clear replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.exceptions import RedisError


class StoreUnavailable(RuntimeError):
    """Redis could not be reached or failed; nothing was written."""

    def __init__(self, action: str = "do that") -> None:
        self.action = action
        super().__init__(
            f"Could not {action}: the database is not reachable right now. Nothing was changed; please try again."
        )


class NotAllowed(PermissionError):
    """The member may not do this (admin-only command, someone else's session)."""


@asynccontextmanager
async def store_errors(action: str) -> AsyncIterator[None]:
    """Turn any Redis failure inside the block into StoreUnavailable for `action`."""
    try:
        yield
    except (RedisError, OSError) as exc:
        raise StoreUnavailable(action) from exc


class CredentialsRejected(RuntimeError):
    """A chat platform refused the credentials it was given; retrying cannot help."""

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
