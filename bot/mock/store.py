"""Mock interview state in Redis: one open session per member, what they were asked, their past scores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from redis.exceptions import WatchError

from bot.identities import Member
from bot.mock.session import MockSession
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import store_errors

IDLE_SECONDS = 48 * 3600


class SessionChanged(RuntimeError):
    """The session changed (another message, another replica) between read and write."""


class MockStore:
    """Reads and compare-and-set writes of mock sessions."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis

    @asynccontextmanager
    async def _guard(self, action: str) -> AsyncIterator[None]:
        async with store_errors(action):
            try:
                yield
            except WatchError as exc:  # a RedisError too, but it means a concurrent change, not an outage
                raise SessionChanged(action) from exc

    async def session(self, member: Member) -> MockSession | None:
        """The member's open session, if any."""
        async with self._guard("read your mock interview"):
            raw = await self.redis.get(keys.mock_session(member))
        return MockSession.model_validate_json(raw) if raw else None

    async def save(self, member: Member, session: MockSession, *, expected_version: int | None) -> None:
        """Write the session if nobody else changed it since `expected_version` (None: it must not exist)."""
        key = keys.mock_session(member)
        async with self._guard("save your mock interview"), self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            raw = await pipe.get(key)
            current = MockSession.model_validate_json(raw).version if raw else None
            if current != expected_version:
                raise SessionChanged("the mock interview changed")
            pipe.multi()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
            pipe.set(key, session.model_dump_json(), ex=IDLE_SECONDS)
            await pipe.execute()

    async def delete(self, member: Member) -> None:
        """Close the member's session."""
        async with self._guard("close your mock interview"):
            await self.redis.delete(keys.mock_session(member))

    async def seen(self, member: Member) -> dict[str, float]:
        """Questions the member was asked in mocks, with when (unix seconds)."""
        async with self._guard("read your past mocks"):
            raw = await self.redis.zrange(keys.mock_seen(member), 0, -1, withscores=True)
        return {str(entry[0]): float(entry[1]) for entry in raw}

    async def mark_seen(self, member: Member, question_ids: list[str], at: datetime) -> None:
        """Remember that these questions were asked now."""
        if question_ids:
            async with self._guard("save your mock interview"):
                await self.redis.zadd(keys.mock_seen(member), {q: at.timestamp() for q in question_ids})

    async def previous_score(self, member: Member, round_id: str) -> float | None:
        """The member's last overall score in this round, if they did it before."""
        async with self._guard("read your past mocks"):
            last = await self.redis.lindex(keys.mock_history(member, round_id), -1)
        return float(last) if last is not None else None

    async def record_score(self, member: Member, round_id: str, overall: float) -> None:
        """Append a finished round's overall score."""
        async with self._guard("save your scorecard"):
            await self.redis.rpush(keys.mock_history(member, round_id), f"{overall:.2f}")
