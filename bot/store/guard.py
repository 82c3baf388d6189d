"""Redis failures become StoreUnavailable (reported to the process's observer); Lua scripts load from this package."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from importlib import resources

from redis.exceptions import CrossSlotTransactionError, RedisClusterException, RedisError

from bot.errors import StoreUnavailable

StoreErrorObserver = Callable[[str], None]
# Who hears of each StoreUnavailable, by action: set by bootstrap for the process (and every task it starts),
# so each store's dozens of guarded calls need no extra parameter. It holds a callback, never a client.
_observer: ContextVar[StoreErrorObserver | None] = ContextVar("debrief_store_error_observer", default=None)


@asynccontextmanager
async def store_errors(action: str) -> AsyncIterator[None]:
    """Turn any Redis failure inside the block (a cluster that cannot be reached too) into StoreUnavailable for
    `action`; keys that do not share a slot are a bug, not an outage, and stay what they are."""
    try:
        yield
    except CrossSlotTransactionError:
        raise
    except (RedisError, RedisClusterException, OSError) as exc:
        observer = _observer.get()
        if observer is not None:
            observer(action)
        raise StoreUnavailable(action) from exc


@contextmanager
def observing_store_errors(observer: StoreErrorObserver) -> Iterator[None]:
    """Report each StoreUnavailable raised in this context, and in tasks started from it, to `observer`."""
    token = _observer.set(observer)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # left from another context (a test's teardown): nothing to undo
            _observer.reset(token)


def lua(package: str, name: str) -> str:
    """The source of a Lua script shipped in `package`'s lua/ folder."""
    return (resources.files(package) / "lua" / name).read_text(encoding="utf-8")
