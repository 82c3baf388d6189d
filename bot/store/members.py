"""Members' own settings in Redis: their timezone and their streak pause."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from bot.identities import Member
from bot.pause import Pause
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import lua, store_errors


class MemberStore:
    """Reads and writes of a member's timezone and pause (pauses change atomically with the streak)."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._set_pause = redis.register_script(lua("bot.store", "set_pause.lua"))

    async def set_chart(self, member: Member, ref: str) -> None:
        """Remember where the member's latest chart is (a platform file id)."""
        async with store_errors("remember your chart"):
            await self.redis.set(keys.member_chart(member), ref)

    async def chart(self, member: Member) -> str | None:
        """Where the member's latest chart is, if they ever asked for one."""
        async with store_errors("read your chart"):
            value = await self.redis.get(keys.member_chart(member))
        return str(value) if value else None

    async def zone(self, member: Member) -> str | None:
        """The member's own timezone name, None when they follow the channel's."""
        async with store_errors("read your timezone"):
            value = await self.redis.hget(keys.member_zones(member.workspace), member.user_id)
        return str(value) if value else None

    async def zones(self, workspace: str) -> dict[str, str]:
        """Every member of a workspace with their own timezone: user id -> zone name."""
        async with store_errors("read members' timezones"):
            raw = await self.redis.hgetall(keys.member_zones(workspace))
        return {str(user): str(zone) for user, zone in raw.items()}

    async def set_zone(self, member: Member, zone: str | None) -> None:
        """Set the member's own timezone, or with None go back to the channel's."""
        async with store_errors("save your timezone"):
            if zone is None:
                await self.redis.hdel(keys.member_zones(member.workspace), member.user_id)
            else:
                await self.redis.hset(keys.member_zones(member.workspace), member.user_id, zone)

    async def pause(self, member: Member, today: int, until: date) -> Pause:
        """Pause the member's streak from today (or their running pause) through `until`."""
        async with store_errors("pause your streak"):
            _, first, last = await self._set_pause(
                keys=[keys.streak(member), keys.question_days(member.workspace)],
                args=["pause", today, until.toordinal()],
            )
        return Pause(int(first), int(last))

    async def resume(self, member: Member, today: int) -> bool:
        """End the member's pause so today counts again; False when they were not paused."""
        async with store_errors("resume your streak"):
            status, _, _ = await self._set_pause(
                keys=[keys.streak(member), keys.question_days(member.workspace)], args=["resume", today, -1]
            )
        return str(status) == "resumed"

    async def pause_of(self, member: Member) -> Pause | None:
        """The member's pause as stored (it may have ended), None when they never paused or resumed early."""
        async with store_errors("read your pause"):
            first, last = await self.redis.hmget(keys.streak(member), ["pause_from", "pause_until"])
        return Pause(int(first), int(last)) if first is not None and last is not None else None

    async def paused_on(self, workspace: str, user_ids: Collection[str], day: int) -> set[str]:
        """Which of these members are paused on `day`."""
        if not user_ids:
            return set()
        users = list(user_ids)
        async with store_errors("read pauses"), self.redis.pipeline(transaction=False) as pipe:
            for user in users:
                pipe.hmget(keys.streak(Member(workspace, user)), ["pause_from", "pause_until"])
            rows = await pipe.execute()
        return {
            user
            for user, (first, last) in zip(users, rows, strict=True)
            if first is not None and last is not None and Pause(int(first), int(last)).covers(day)
        }
