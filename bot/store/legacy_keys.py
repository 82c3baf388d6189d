"""Moves the unsharded cross-workspace keys of earlier versions (one workspace registry, one follow-up queue, one
outbox per platform) into their shards, so a single Redis upgraded in place keeps its schedule and kept replies."""

from __future__ import annotations

import json

from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import lua, store_errors

PLATFORMS = ("slack", "discord")


async def move_legacy_keys(redis: RedisClient) -> int:
    """Move every entry of the old shared keys into its workspace's shard; how many moved. Entries are copied
    before they are removed, one key at a time, so a failure halfway loses nothing and running it again is safe."""
    registry, queue = keys.legacy_shared()
    moved = 0
    async with store_errors("move the shared keys into shards"):
        for workspace in [str(w) for w in await redis.smembers(registry)]:
            await redis.sadd(keys.workspaces(keys.shard_of(workspace)), workspace)
            await redis.srem(registry, workspace)
            moved += 1
        for row in await redis.zrange(queue, 0, -1, withscores=True):
            entry, due = str(row[0]), float(row[1])
            workspace = str(json.loads(entry)[1])
            await redis.zadd(keys.due_events(keys.shard_of(workspace)), {entry: due})
            await redis.zrem(queue, entry)
            moved += 1
        for platform in PLATFORMS:
            moved += await _move_outbox(redis, platform)
    return moved


async def _move_outbox(redis: RedisClient, platform: str) -> int:
    # The old pair shares one slot and each new shard's pair another, so a parcel moves in two scripts: put into
    # its shard, then dropped from the old outbox (MULTI would run a thread per command on the cluster client).
    put = redis.register_script(lua("bot.store", "put_parcel.lua"))
    drop = redis.register_script(lua("bot.store", "drop_parcels.lua"))
    old_due, old_parcels = keys.legacy_outbox(platform)
    moved = 0
    for row in await redis.zrange(old_due, 0, -1, withscores=True):
        parcel_id, due = str(row[0]), float(row[1])
        raw = await redis.hget(old_parcels, parcel_id)
        if raw is not None:
            shard = keys.shard_of(str(json.loads(str(raw))["member"][0]))
            await put(
                keys=[keys.outbox_due(platform, shard), keys.outbox_parcels(platform, shard)],
                args=[parcel_id, raw, due],
            )
            moved += 1
        await drop(keys=[old_due, old_parcels], args=[parcel_id])
    return moved
