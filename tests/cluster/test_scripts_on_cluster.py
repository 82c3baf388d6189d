"""Writes made by small scripts (the cluster client starts no thread per command for them) on a real three-master
Redis Cluster: a mock session's compare-and-set."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from redis.asyncio.cluster import RedisCluster

from bot.identities import Member
from bot.mock.session import MockSession
from bot.mock.store import IDLE_SECONDS, MockStore, SessionChanged
from bot.store import keys

MONDAY = date(2026, 3, 2)
ALICE = Member("slack:T1", "U1", "alice")
NOW = 1_000_000.0
LEASE = 30.0
# More ids than Lua's unpack() spreads at once (8,000), so a script must take them in runs.
MANY = 9_000


def session(version: int, venue: str | None = None) -> MockSession:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return MockSession(
        id="s1", kind="behavioral", rounds=["behavioral"], questions=["beh-001"], asked_at=at, started_at=at,
        venue=venue, version=version,
    )  # fmt: skip


async def test_racing_mock_saves_let_exactly_one_win_on_the_cluster(cluster: RedisCluster) -> None:
    store = MockStore(cluster)
    await store.save(ALICE, session(0), expected_version=None)
    with pytest.raises(SessionChanged):
        await store.save(ALICE, session(0, "elsewhere"), expected_version=None)

    racers = [session(1, f"thread-{n}") for n in range(12)]
    results = await asyncio.gather(*(store.save(ALICE, s, expected_version=0) for s in racers), return_exceptions=True)

    assert sum(r is None for r in results) == 1, results
    assert all(isinstance(r, SessionChanged) for r in results if r is not None)
    winner = racers[results.index(None)]
    assert await store.session(ALICE) == winner
    with pytest.raises(SessionChanged):
        await store.save(ALICE, session(2), expected_version=0)
    await store.save(ALICE, session(2, "last"), expected_version=1)
    stored = await store.session(ALICE)
    assert stored is not None and (stored.version, stored.venue) == (2, "last")
    assert 0 < await cluster.ttl(keys.mock_session(ALICE)) <= IDLE_SECONDS
    await store.delete(ALICE)
    with pytest.raises(SessionChanged):
        await store.save(ALICE, session(3), expected_version=2)
    assert await store.session(ALICE) is None
