"""Kept replies in Redis: a sorted set of due times beside a hash of parcels, per platform; leased claims."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from bot.identities import Member
from bot.store import keys
from bot.store.guard import lua, store_errors

# Notices about undelivered replies wait this long for the member's next command.
NOTICE_TTL_SECONDS = 7 * 24 * 3600
# Write a parcel back only while it is still kept (it may have been deleted meanwhile, by forget-me).
_REQUEUE = """
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
return 1
"""


class OutboxStore:
    """Parcels (an adapter's request, opaque here) with the time each is next due."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._claim = redis.register_script(lua("bot.store", "claim_outbox.lua"))
        self._requeue = redis.register_script(_REQUEUE)

    async def put(self, platform: str, parcel_id: str, parcel: dict[str, Any], due: float) -> None:
        """Keep a parcel (or replace it), due at `due` (unix seconds)."""
        async with store_errors("keep a reply for later"), self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.outbox_parcels(platform), parcel_id, json.dumps(parcel))
            pipe.zadd(keys.outbox_due(platform), {parcel_id: due})
            await pipe.execute()

    async def requeue(self, platform: str, parcel_id: str, parcel: dict[str, Any], due: float) -> bool:
        """Put a claimed parcel back for a later try, unless it was deleted meanwhile; whether it was."""
        async with store_errors("keep a reply for later"):
            kept = await self._requeue(
                keys=[keys.outbox_due(platform), keys.outbox_parcels(platform)],
                args=[parcel_id, json.dumps(parcel), due],
            )
        return bool(int(kept))

    async def claim(self, platform: str, now: float, lease_seconds: float, limit: int) -> list[dict[str, Any]]:
        """Due parcels, each leased to the caller for `lease_seconds`."""
        async with store_errors("read the kept replies"):
            raws = await self._claim(
                keys=[keys.outbox_due(platform), keys.outbox_parcels(platform)], args=[now, lease_seconds, limit]
            )
        return [json.loads(raw) for raw in raws]

    async def drop(self, platform: str, parcel_id: str) -> None:
        """Forget a parcel (delivered, refused for good, or expired)."""
        async with store_errors("forget a kept reply"), self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(keys.outbox_due(platform), parcel_id)
            pipe.hdel(keys.outbox_parcels(platform), parcel_id)
            await pipe.execute()

    async def pending(self, platform: str) -> int:
        """How many parcels are kept."""
        async with store_errors("count the kept replies"):
            return int(await self.redis.zcard(keys.outbox_due(platform)))

    async def notify(self, member: Member, notice: str) -> None:
        """Keep a notice for the member's next command."""
        async with store_errors("keep a notice"), self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(keys.undelivered(member), notice)
            pipe.expire(keys.undelivered(member), NOTICE_TTL_SECONDS)
            await pipe.execute()

    async def take_notices(self, member: Member) -> list[str]:
        """The member's notices, removed as they are read."""
        async with store_errors("read your notices"), self.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(keys.undelivered(member), 0, -1)
            pipe.delete(keys.undelivered(member))
            raws, _ = await pipe.execute()
        return [str(r) for r in raws]
