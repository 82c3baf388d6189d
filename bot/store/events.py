"""Inbound platform events handled once: a marker per event id for a day."""

from __future__ import annotations

from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import store_errors


class EventStore:
    """Markers of handled events (answers carry theirs inside the answer script)."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis

    async def claim(self, workspace: str, event_id: str) -> bool:
        """Handle an inbound event once: True the first time its id is seen (within 24 hours)."""
        async with store_errors("record the event"):
            return bool(
                await self.redis.set(keys.event(workspace, f"once:{event_id}"), "1", nx=True, ex=keys.EVENT_TTL_SECONDS)
            )
