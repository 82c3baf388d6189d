"""Mock interview state in Redis: one open session per member, what they were asked, their past scores."""

from __future__ import annotations

from datetime import datetime

from bot.identities import Member
from bot.mock.session import MockSession
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import store_errors

IDLE_SECONDS = 48 * 3600
# Compare-and-set in one script rather than WATCH and MULTI, which redis-py's cluster client runs a thread per
# queued command for. ARGV: 1 the expected version ('' when the session must not exist)  2 session JSON  3 ttl.
_SAVE_IF_VERSION = """
local raw = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if raw then return 0 end
elseif not raw or tonumber(cjson.decode(raw)['version'] or 0) ~= tonumber(ARGV[1]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
return 1
"""


class SessionChanged(RuntimeError):
    """The session changed (another message, another replica) between read and write."""


class MockStore:
    """Reads and compare-and-set writes of mock sessions."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._save = redis.register_script(_SAVE_IF_VERSION)

    async def session(self, member: Member) -> MockSession | None:
        """The member's open session, if any."""
        async with store_errors("read your mock interview"):
            raw = await self.redis.get(keys.mock_session(member))
        return MockSession.model_validate_json(raw) if raw else None

    async def save(self, member: Member, session: MockSession, *, expected_version: int | None) -> None:
        """Write the session if nobody else changed it since `expected_version` (None: it must not exist)."""
        expected = "" if expected_version is None else expected_version
        async with store_errors("save your mock interview"):
            saved = await self._save(
                keys=[keys.mock_session(member)], args=[expected, session.model_dump_json(), IDLE_SECONDS]
            )
        if not int(saved):
            raise SessionChanged("the mock interview changed")

    async def delete(self, member: Member) -> None:
        """Close the member's session."""
        async with store_errors("close your mock interview"):
            await self.redis.delete(keys.mock_session(member))

    async def seen(self, member: Member) -> dict[str, float]:
        """Questions the member was asked in mocks, with when (unix seconds)."""
        async with store_errors("read your past mocks"):
            raw = await self.redis.zrange(keys.mock_seen(member), 0, -1, withscores=True)
        return {str(entry[0]): float(entry[1]) for entry in raw}

    async def mark_seen(self, member: Member, question_ids: list[str], at: datetime) -> None:
        """Remember that these questions were asked now."""
        if question_ids:
            async with store_errors("save your mock interview"):
                await self.redis.zadd(keys.mock_seen(member), {q: at.timestamp() for q in question_ids})

    async def previous_score(self, member: Member, round_id: str) -> float | None:
        """The member's last overall score in this round, if they did it before."""
        async with store_errors("read your past mocks"):
            last = await self.redis.lindex(keys.mock_history(member, round_id), -1)
        return float(last) if last is not None else None

    async def record_score(self, member: Member, round_id: str, overall: float) -> None:
        """Append a finished round's overall score."""
        async with store_errors("save your scorecard"):
            await self.redis.rpush(keys.mock_history(member, round_id), f"{overall:.2f}")
