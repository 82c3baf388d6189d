"""The Redis client debrief builds: a burst larger than its pool waits for a connection instead of failing."""

from __future__ import annotations

import asyncio

from bot.store.client import MAX_CONNECTIONS, redis_client


async def test_a_burst_bigger_than_the_pool_waits_for_connections(redis_url: str) -> None:
    client = redis_client(redis_url)
    try:
        # each call holds its connection for 0.2 s; half again as many as the pool has must queue, not fail
        burst = [client.blpop([f"debrief:test:empty:{n}"], timeout=0.2) for n in range(MAX_CONNECTIONS * 3 // 2)]
        results = await asyncio.gather(*burst, return_exceptions=True)
    finally:
        await client.aclose()
    assert [r for r in results if isinstance(r, Exception)] == []
