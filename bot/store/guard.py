"""Redis failures become StoreUnavailable; Lua scripts load from this package."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from redis.exceptions import CrossSlotTransactionError, RedisClusterException, RedisError

from bot.errors import StoreUnavailable


@asynccontextmanager
async def store_errors(action: str) -> AsyncIterator[None]:
    """Turn any Redis failure inside the block (a cluster that cannot be reached too) into StoreUnavailable for
    `action`; keys that do not share a slot are a bug, not an outage, and stay what they are."""
    try:
        yield
    except CrossSlotTransactionError:
        raise
    except (RedisError, RedisClusterException, OSError) as exc:
        raise StoreUnavailable(action) from exc


def lua(package: str, name: str) -> str:
    """The source of a Lua script shipped in `package`'s lua/ folder."""
    return (resources.files(package) / "lua" / name).read_text(encoding="utf-8")
