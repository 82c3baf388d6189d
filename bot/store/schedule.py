"""The scheduler's state in Redis: who holds a channel's date, and the queue of timed follow-ups."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.identities import Channel
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import store_errors
from bot.store.legacy_keys import move_legacy_keys

CLAIM_TTL_SECONDS = 3 * 24 * 3600
DONE_TTL_SECONDS = 14 * 24 * 3600
# Delete a key only while it still holds the expected value.
_RELEASE_IF = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
# Scripts rather than MULTI pipelines, which redis-py's cluster client runs a thread per queued command for.
# KEYS: 1 post claim  2 question days (both the workspace's). ARGV: 1 ttl  2 day number to unmark ('' for none).
_SKIP_DAY = """
redis.call('SET', KEYS[1], 'skipped', 'EX', tonumber(ARGV[1]))
if ARGV[2] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return 1
"""
# KEYS: 1 members reminded privately about a prompt. ARGV: 1 ttl  2.. user ids.
_REMINDED = """
for i = 2, #ARGV do
  redis.call('SADD', KEYS[1], ARGV[i])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""


@dataclass(frozen=True)
class DueEvent:
    """A timed follow-up of a prompt: its window close or its streak reminder."""

    kind: str
    workspace: str
    prompt_id: str
    due_at: datetime
    user_id: str | None = None  # set for a member's private reminder

    @property
    def member(self) -> str:
        """Its entry in the due set."""
        entry = [self.kind, self.workspace, self.prompt_id]
        return json.dumps(entry if self.user_id is None else [*entry, self.user_id])

    @property
    def item(self) -> str:
        """What its exactly-once marker is named after."""
        return self.prompt_id if self.user_id is None else f"{self.prompt_id}|{self.user_id}"


class ScheduleStore:
    """Exactly-once claims for posts and follow-ups, and the due queue."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._release = redis.register_script(_RELEASE_IF)
        self._skip = redis.register_script(_SKIP_DAY)
        self._remind = redis.register_script(_REMINDED)

    async def claim_post(self, channel: Channel, local_date: date) -> bool:
        """Take a channel's local date for posting; only one caller ever gets True."""
        async with store_errors("claim today's post"):
            taken = await self.redis.set(
                keys.post_claim(channel, local_date.isoformat()), "posting", nx=True, ex=CLAIM_TTL_SECONDS
            )
        return bool(taken)

    async def post_claim(self, channel: Channel, local_date: date) -> str | None:
        """The state of a channel's date: posting, posted, skipped, or None."""
        async with store_errors("read today's post"):
            value = await self.redis.get(keys.post_claim(channel, local_date.isoformat()))
        return str(value) if value else None

    async def release_post(self, channel: Channel, local_date: date) -> None:
        """Give a date back after a failed post, unless it was meanwhile posted or skipped."""
        async with store_errors("release today's post"):
            await self._release(keys=[keys.post_claim(channel, local_date.isoformat())], args=["posting"])

    async def skip_day(self, channel: Channel, local_date: date, *, unmark_question_day: bool) -> None:
        """Mark a date skipped; optionally stop it counting as a question day (so missing it breaks nothing)."""
        script_keys = [keys.post_claim(channel, local_date.isoformat()), keys.question_days(channel.workspace)]
        unmark = str(local_date.toordinal()) if unmark_question_day else ""
        async with store_errors("skip today"):
            await self._skip(keys=script_keys, args=[CLAIM_TTL_SECONDS, unmark])

    async def schedule_due(self, event: DueEvent) -> None:
        """Queue a follow-up for its due time (in its workspace's shard of the queue)."""
        async with store_errors("schedule the window close"):
            await self.redis.zadd(
                keys.due_events(keys.shard_of(event.workspace)), {event.member: event.due_at.timestamp()}
            )

    async def schedule_private_reminders(self, workspace: str, prompt_id: str, events: list[DueEvent]) -> None:
        """Queue members' private reminders for a prompt, then note who gets one. The queue and the workspace live
        in different slots, so these are two steps; queueing first means a failure in between can cost a member
        one extra mention in the thread reminder, never their reminder."""
        if not events:
            return
        reminded = keys.private_reminders(workspace, prompt_id)
        async with store_errors("schedule reminders"):
            by_shard: dict[int, dict[str, float]] = {}
            for event in events:
                by_shard.setdefault(keys.shard_of(event.workspace), {})[event.member] = event.due_at.timestamp()
            for shard, entries in by_shard.items():
                await self.redis.zadd(keys.due_events(shard), entries)
            users = [event.user_id for event in events if event.user_id]
            await self._remind(keys=[reminded], args=[DONE_TTL_SECONDS, *users])

    async def privately_reminded(self, workspace: str, prompt_id: str) -> set[str]:
        """Members who get a private reminder about a prompt."""
        async with store_errors("read reminders"):
            return {str(user) for user in await self.redis.smembers(keys.private_reminders(workspace, prompt_id))}

    async def due(self, now: datetime, limit: int = 500) -> list[DueEvent]:
        """Follow-ups due at `now` from every shard of the queue, oldest first (at most `limit` per shard)."""
        async with store_errors("read due follow-ups"), self.redis.pipeline(transaction=False) as pipe:
            for shard in keys.shards():
                pipe.zrangebyscore(keys.due_events(shard), "-inf", now.timestamp(), start=0, num=limit, withscores=True)
            per_shard = await pipe.execute()
        events = []
        for entry in sorted((e for raw in per_shard for e in raw), key=lambda e: float(e[1])):
            kind, workspace, prompt_id, *user = json.loads(str(entry[0]))
            at = datetime.fromtimestamp(float(entry[1]), UTC)
            events.append(DueEvent(kind, workspace, prompt_id, at, str(user[0]) if user else None))
        return events

    async def claim_done(self, workspace: str, kind: str, item: str) -> bool:
        """Take a follow-up (or digest) for handling; only one caller ever gets True until released."""
        async with store_errors("claim a follow-up"):
            return bool(await self.redis.set(keys.done(workspace, kind, item), "1", nx=True, ex=DONE_TTL_SECONDS))

    async def release_done(self, workspace: str, kind: str, item: str) -> None:
        """Give a follow-up back after it failed, so a retry or another replica can do it."""
        async with store_errors("release a follow-up"):
            await self.redis.delete(keys.done(workspace, kind, item))

    async def move_legacy_keys(self) -> int:
        """Move what an earlier version wrote to the unsharded shared keys into the shards; how many entries."""
        return await move_legacy_keys(self.redis)

    async def finish_due(self, event: DueEvent) -> None:
        """Take a handled follow-up off the queue."""
        async with store_errors("finish a follow-up"):
            await self.redis.zrem(keys.due_events(keys.shard_of(event.workspace)), event.member)
