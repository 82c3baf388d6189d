"""Per-workspace model settings in Redis: who judges answers, the day's model requests, who has been told."""

from __future__ import annotations

from typing import Literal

from bot.identities import Member
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import lua, store_errors

CoachMode = Literal["rules", "model"]
REQUESTS_TTL_SECONDS = 2 * 24 * 3600
NOTICE_TTL_SECONDS = 365 * 24 * 3600


class CoachStore:
    """The coach setting, the daily request counter and the one-time notice, per workspace."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._spend = redis.register_script(lua("bot.store", "spend_model_request.lua"))

    async def mode(self, workspace: str) -> CoachMode:
        """Who judges answers here; `rules` unless an admin chose the model."""
        async with store_errors("read the coach setting"):
            value = await self.redis.get(keys.coach(workspace))
        return "model" if value == "model" else "rules"

    async def set_mode(self, workspace: str, mode: CoachMode) -> None:
        """Choose who judges answers here."""
        async with store_errors("save the coach setting"):
            if mode == "rules":
                await self.redis.delete(keys.coach(workspace))
            else:
                await self.redis.set(keys.coach(workspace), mode)

    async def spend(self, workspace: str, day: str, budget: int) -> bool:
        """Count one model request against the workspace's budget for `day`; False (and nothing counted) once the
        budget is spent."""
        async with store_errors("count a model request"):
            allowed = await self._spend(keys=[keys.model_requests(workspace, day)], args=[budget, REQUESTS_TTL_SECONDS])
        return bool(allowed)

    async def first_notice(self, member: Member) -> bool:
        """True exactly once per member: the first time they get model feedback."""
        async with store_errors("record the model notice"):
            return bool(await self.redis.set(keys.coach_notice(member), "1", nx=True, ex=NOTICE_TTL_SECONDS))
