"""The Redis state store: a state is issued, consumed once, and refused after it expired or when forged."""

from __future__ import annotations

from redis.asyncio import Redis

from handlers.slack.oauth_state import RedisOAuthStateStore
from tests.conftest import FakeClock


async def test_an_issued_state_is_consumed_once(redis: Redis, clock: FakeClock) -> None:
    store = RedisOAuthStateStore(redis, expiration_seconds=600, clock=clock)
    state = await store.async_issue()

    assert await store.async_consume(state) is True
    assert await store.async_consume(state) is False


async def test_a_state_issued_by_another_replica_is_accepted(redis: Redis, clock: FakeClock) -> None:
    state = await RedisOAuthStateStore(redis, expiration_seconds=600, clock=clock).async_issue()

    assert await RedisOAuthStateStore(redis, expiration_seconds=600, clock=clock).async_consume(state) is True


async def test_an_expired_state_is_refused(redis: Redis, clock: FakeClock) -> None:
    store = RedisOAuthStateStore(redis, expiration_seconds=600, clock=clock)
    late = await store.async_issue()
    in_time = await store.async_issue()

    clock.advance(seconds=599)
    assert await store.async_consume(in_time) is True
    clock.advance(seconds=2)
    assert await store.async_consume(late) is False


async def test_forged_states_are_refused(redis: Redis, clock: FakeClock) -> None:
    store = RedisOAuthStateStore(redis, expiration_seconds=600, clock=clock)
    await store.async_issue()

    for forged in ("", "not-issued", "{slack:T1}", "*", "a" * 500):
        assert await store.async_consume(forged) is False


async def test_states_expire_in_redis_too(redis: Redis, clock: FakeClock) -> None:
    state = await RedisOAuthStateStore(redis, expiration_seconds=600, clock=clock).async_issue()

    ttl = await redis.ttl(f"debrief:oauth_state:{state}")
    assert 600 <= ttl <= 660
