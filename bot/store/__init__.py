"""Redis: every key, the stores shaped like the domain, and the Lua scripts that keep writes atomic."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.answers import AnswerStore
from bot.store.channels import ChannelStore
from bot.store.client import RedisClient
from bot.store.events import EventStore
from bot.store.guard import store_errors
from bot.store.members import MemberStore
from bot.store.prompts import PromptStore
from bot.store.schedule import ScheduleStore
from bot.store.standings import StandingsStore


@dataclass(frozen=True)
class Stores:
    """Every store over one Redis client."""

    redis: RedisClient
    channels: ChannelStore
    schedule: ScheduleStore
    prompts: PromptStore
    answers: AnswerStore
    standings: StandingsStore
    events: EventStore
    members: MemberStore

    @classmethod
    def over(cls, redis: RedisClient) -> Stores:
        """The stores, sharing `redis`."""
        return cls(
            redis,
            ChannelStore(redis),
            ScheduleStore(redis),
            PromptStore(redis),
            AnswerStore(redis),
            StandingsStore(redis),
            EventStore(redis),
            MemberStore(redis),
        )

    async def ping(self) -> None:
        """Raise StoreUnavailable unless Redis answers."""
        async with store_errors("reach the database"):
            await self.redis.ping()
