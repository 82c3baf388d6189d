"""Retrying a connection with capped, jittered backoff, saying so once a minute rather than per attempt."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.errors import PlatformUnreachable

T = TypeVar("T")
FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 60.0
SAY_EVERY_SECONDS = 60.0


def backoff_delays(
    first: float = FIRST_DELAY_SECONDS, cap: float = MAX_DELAY_SECONDS, rng: Callable[[], float] = random.random
) -> Callable[[], float]:
    """A source of waits that double up to `cap`, each jittered to 50-150% so replicas do not retry in step."""
    state = {"next": first}

    def delay() -> float:
        base = state["next"]
        state["next"] = min(cap, base * 2)
        return min(cap, base * (0.5 + rng()))

    return delay


async def until_reachable(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    log: logging.Logger,
    *,
    delays: Callable[[], float] | None = None,
    say_every: float = SAY_EVERY_SECONDS,
) -> T:
    """Run `attempt` until it does not raise PlatformUnreachable; other errors (and cancellation) pass through."""
    wait = delays or backoff_delays()
    said_at: float | None = None
    held = 0
    while True:
        try:
            result = await attempt()
        except PlatformUnreachable as exc:
            now = time.monotonic()
            if said_at is None or now - said_at >= say_every:
                more = f" ({held} more failed attempts since the last message)" if held else ""
                log.warning("%s; retrying with backoff%s", exc, more)
                said_at, held = now, 0
            else:
                held += 1
            await asyncio.sleep(wait())
            continue
        if said_at is not None:
            log.info("%s is reachable again", what)
        return result
