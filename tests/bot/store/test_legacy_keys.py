"""The unsharded shared keys of earlier versions move into their shards, and the store then finds them there."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from redis.asyncio import Redis

from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.scoring.engine import FeedbackEngine
from bot.store import Stores, keys
from bot.store.outbox import OutboxStore
from content.loader import Bank
from tests.scheduler.replicas import RecordingPlatform, replica


async def test_old_registry_queue_and_outbox_move_into_their_shards(redis: Redis) -> None:
    registry, queue = keys.legacy_shared()
    old_due, old_parcels = keys.legacy_outbox("slack")
    await redis.sadd(registry, "slack:T1", "discord:42")
    entry = json.dumps(["close", "slack:T1", "p1"])
    await redis.zadd(queue, {entry: 1_000.0})
    parcel = {"id": "x1", "member": ["discord:42", "U1", "Ann"], "request": {}, "what": "w", "created": 0.0}
    await redis.hset(old_parcels, "x1", json.dumps(parcel))
    await redis.zadd(old_due, {"x1": 5.0})
    await redis.zadd(old_due, {"orphan": 5.0})  # a due time whose parcel is gone is dropped
    stores = Stores.over(redis)

    assert await stores.schedule.move_legacy_keys() == 4
    assert await stores.schedule.move_legacy_keys() == 0, "running it again moves nothing"

    assert not await redis.exists(registry, queue, old_due, old_parcels)
    assert await stores.channels.workspaces() == {"slack:T1", "discord:42"}
    assert await redis.sismember(keys.workspaces(keys.shard_of("discord:42")), "discord:42")
    (due,) = await stores.schedule.due(datetime.fromtimestamp(2_000, UTC))
    assert (due.kind, due.workspace, due.prompt_id) == ("close", "slack:T1", "p1")
    outbox = OutboxStore(redis)
    assert await outbox.pending("slack") == 1
    assert [p["id"] for p in await outbox.claim("slack", 10.0, 30.0, 5)] == ["x1"]


async def test_each_schedule_refresh_moves_what_an_older_replica_still_writes(
    redis: Redis, bank: Bank, engine: FeedbackEngine
) -> None:
    channel = Channel("slack:T9", "C1")
    await Stores.over(redis).channels.save(channel, ChannelSettings())
    await redis.srem(keys.workspaces(keys.shard_of("slack:T9")), "slack:T9")
    await redis.sadd(keys.legacy_shared()[0], "slack:T9")  # what a replica of the earlier version writes
    jobs = replica(redis, bank, engine, {"slack": RecordingPlatform()})
    await jobs.refresh()
    assert await Stores.over(redis).channels.workspaces() == {"slack:T9"}
    assert not await redis.exists(keys.legacy_shared()[0])
