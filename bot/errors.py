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
