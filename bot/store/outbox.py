"""Kept replies in Redis: a sorted set of due times beside a hash of parcels, per platform; leased claims."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.identities import Member
from bot.store import keys
from bot.store.client import RedisClient
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
# Small scripts rather than MULTI pipelines: redis-py's cluster client runs each command queued in a MULTI on a
# thread of its own. KEYS[1] is a member's notices; the scripts that keep and drop a shard's parcels are in lua/.
_NOTIFY = """
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""
_TAKE = """
local notices = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return notices
"""


class OutboxStore:
    """Parcels (an adapter's request, opaque here) with the time each is next due."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._claim = redis.register_script(lua("bot.store", "claim_outbox.lua"))
        self._requeue = redis.register_script(_REQUEUE)
        self._put = redis.register_script(lua("bot.store", "put_parcel.lua"))
        self._drop = redis.register_script(lua("bot.store", "drop_parcels.lua"))
        self._notify = redis.register_script(_NOTIFY)
        self._take = redis.register_script(_TAKE)
        self._next_shard = 0

    async def put(self, platform: str, parcel_id: str, parcel: dict[str, Any], due: float) -> None:
        """Keep a parcel (or replace it) in its member's workspace's shard, due at `due` (unix seconds)."""
        shard = _shard(parcel)
        async with store_errors("keep a reply for later"):
            await self._put(
                keys=[keys.outbox_due(platform, shard), keys.outbox_parcels(platform, shard)],
                args=[parcel_id, json.dumps(parcel), due],
            )

    async def requeue(self, platform: str, parcel_id: str, parcel: dict[str, Any], due: float) -> bool:
        """Put a claimed parcel back for a later try, unless it was deleted meanwhile; whether it was."""
        shard = _shard(parcel)
        async with store_errors("keep a reply for later"):
            kept = await self._requeue(
                keys=[keys.outbox_due(platform, shard), keys.outbox_parcels(platform, shard)],
                args=[parcel_id, json.dumps(parcel), due],
            )
        return bool(int(kept))

    async def claim(self, platform: str, now: float, lease_seconds: float, limit: int) -> list[dict[str, Any]]:
        """Due parcels, at most `limit`, each leased to the caller for `lease_seconds`. Shards are visited from a
        turning start, so a busy shard cannot keep the others waiting; within a shard, parcels come in due order."""
        first = self._next_shard
        self._next_shard = (first + 1) % keys.SHARDS
        order = [(first + step) % keys.SHARDS for step in range(keys.SHARDS)]
        async with store_errors("read the kept replies"):
            # One round trip (a plain pipeline, which the cluster client sends node by node) finds the shards with
            # anything due; the claim script then runs only there, all at once, each asked for its share of `limit`.
            # Parcels another replica leases in between leave this round short, never over `limit`.
            async with self.redis.pipeline(transaction=False) as pipe:
                for shard in order:
                    pipe.zcount(keys.outbox_due(platform, shard), "-inf", now)
                counts = [int(n) for n in await pipe.execute()]
            shares: list[tuple[int, int]] = []
            left = limit
            for shard, due in zip(order, counts, strict=True):
                if left <= 0:
                    break
                if due > 0:
                    shares.append((shard, min(due, left)))
                    left -= shares[-1][1]
            batches = await asyncio.gather(
                *(
                    self._claim(
                        keys=[keys.outbox_due(platform, shard), keys.outbox_parcels(platform, shard)],
                        args=[now, lease_seconds, share],
                    )
                    for shard, share in shares
                )
            )
        return [json.loads(raw) for raws in batches for raw in raws]

    async def drop(self, platform: str, parcel: dict[str, Any]) -> None:
        """Forget a parcel (delivered, refused for good, or expired)."""
        await self.drop_ids(platform, str(parcel["member"][0]), [str(parcel["id"])])

    async def drop_ids(self, platform: str, workspace: str, parcel_ids: list[str]) -> None:
        """Forget parcels kept for members of `workspace`, by id."""
        if not parcel_ids:
            return
        shard = keys.shard_of(workspace)
        async with store_errors("forget a kept reply"):
            await self._drop(
                keys=[keys.outbox_due(platform, shard), keys.outbox_parcels(platform, shard)], args=parcel_ids
            )

    async def pending(self, platform: str) -> int:
        """How many parcels are kept, in all shards."""
        async with store_errors("count the kept replies"), self.redis.pipeline(transaction=False) as pipe:
            for shard in keys.shards():
                pipe.zcard(keys.outbox_due(platform, shard))
            return sum(int(n) for n in await pipe.execute())

    async def notify(self, member: Member, notice: str) -> None:
        """Keep a notice for the member's next command."""
        async with store_errors("keep a notice"):
            await self._notify(keys=[keys.undelivered(member)], args=[notice, NOTICE_TTL_SECONDS])

    async def take_notices(self, member: Member) -> list[str]:
        """The member's notices, removed as they are read."""
        async with store_errors("read your notices"):
            raws = await self._take(keys=[keys.undelivered(member)], args=[])
        return [str(r) for r in raws]


def _shard(parcel: dict[str, Any]) -> int:
    """The shard of the workspace whose member a parcel is for."""
    return keys.shard_of(str(parcel["member"][0]))
