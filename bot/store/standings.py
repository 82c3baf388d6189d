"""Streaks, points, leaderboards and members' names in Redis."""

from __future__ import annotations

from dataclasses import dataclass

from bot.identities import Member
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import lua, store_errors
from bot.streaks import Streak


@dataclass(frozen=True)
class BoardRow:
    """One leaderboard line."""

    user_id: str
    name: str
    value: int


class StandingsStore:
    """Reads of streaks and boards, and the atomic settling of a missed day."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._settle = redis.register_script(lua("bot.store", "settle_miss.lua"))

    async def streak(self, member: Member, today: int) -> Streak:
        """A member's streak as of `today` (question days missed since the last answer are taken into account)."""
        async with store_errors("read your streak"):
            raw = await self.redis.hgetall(keys.streak(member))
            stored = Streak(
                int(raw.get("current", 0)),
                int(raw.get("longest", 0)),
                int(raw.get("freezes", 0)),
                int(raw["last_day"]) if "last_day" in raw else None,
                int(raw["settled_through"]) if "settled_through" in raw else None,
            )
            since = stored.counted_through
            if since is None:
                return stored
            days = keys.question_days(member.workspace)
            missed = int(await self.redis.zcount(days, f"({since}", f"({today}"))
            if "pause_from" in raw and "pause_until" in raw:  # paused question days are not missed
                low, high = max(since + 1, int(raw["pause_from"])), min(today - 1, int(raw["pause_until"]))
                if low <= high:
                    missed -= int(await self.redis.zcount(days, low, high))
        return stored.as_of(missed)

    async def settle_miss(self, member: Member, day: int) -> str:
        """Settle a missed question day for a member: 'freeze' spent, streak 'reset', 'paused' or 'none' to do."""
        async with store_errors("settle streaks"):
            outcome, _, _ = await self._settle(
                keys=[keys.streak(member), keys.leaderboard(member.workspace, "streak")], args=[day, member.user_id]
            )
        return str(outcome)

    async def active_streaks(self, workspace: str, limit: int = 10_000) -> list[BoardRow]:
        """Members whose stored streak is above zero, longest first."""
        async with store_errors("read the streaks"):
            raw = await self.redis.zrevrangebyscore(
                keys.leaderboard(workspace, "streak"), "+inf", "(0", start=0, num=limit, withscores=True
            )
        return [BoardRow(str(entry[0]), str(entry[0]), int(entry[1])) for entry in raw]

    async def points(self, member: Member) -> int:
        """A member's points total."""
        async with store_errors("read your points"):
            score = await self.redis.zscore(keys.leaderboard(member.workspace, "points"), member.user_id)
        return int(score or 0)

    async def leaderboard(self, workspace: str, board: str, limit: int = 10) -> list[BoardRow]:
        """The top members of one board with their last seen names."""
        return await self._top(workspace, keys.leaderboard(workspace, board), limit)

    async def week_leaderboard(self, workspace: str, week: int, limit: int = 10) -> list[BoardRow]:
        """The top members by points earned in one week (its Monday's day number); nobody with zero."""
        return [row for row in await self._top(workspace, keys.week_points(workspace, week), limit) if row.value > 0]

    async def _top(self, workspace: str, key: str, limit: int) -> list[BoardRow]:
        async with store_errors("read the leaderboard"):
            raw = await self.redis.zrevrange(key, 0, limit - 1, withscores=True)
            rows = [(str(entry[0]), int(entry[1])) for entry in raw]
            names = await self.redis.hmget(keys.member_names(workspace), [u for u, _ in rows]) if rows else []
        return [BoardRow(user, str(name or user), score) for (user, score), name in zip(rows, names, strict=True)]

    async def remember_name(self, member: Member, *, keep_known: bool = False) -> None:
        """Store a member's display name for leaderboards; with `keep_known`, only when none is stored yet (a
        platform's handle from a button payload must not replace the display name learned from an answer)."""
        if member.display_name:
            async with store_errors("save your name"):
                names = keys.member_names(member.workspace)
                if keep_known:
                    await self.redis.hsetnx(names, member.user_id, member.display_name)
                else:
                    await self.redis.hset(names, member.user_id, member.display_name)

    async def name_of(self, workspace: str, user_id: str) -> str:
        """A member's last seen display name (their id when unknown)."""
        async with store_errors("read a name"):
            name = await self.redis.hget(keys.member_names(workspace), user_id)
        return str(name) if name else user_id
