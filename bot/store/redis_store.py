"""All of debrief's state in Redis, behind methods shaped like the domain."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources

from redis.asyncio import Redis

from bot.store import keys
from bot.channels import ChannelSettings
from bot.errors import store_errors
from bot.identities import Channel, Member, ThreadRef
from bot.prompts import DailyPrompt
from bot.streaks import DAYS_PER_FREEZE, MAX_FREEZES, Streak


@dataclass(frozen=True)
class AnswerDraft:
    """What is stored of a member's answer before a new revision: its messages and revision count."""

    revisions: int
    messages: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RecordedRevision:
    """The outcome of recording a revision."""

    status: str  # ok | duplicate | conflict
    revision: int
    streak: Streak
    points_total: int
    counted_now: bool
    freezes_spent: int


@dataclass(frozen=True)
class HistoryItem:
    """One past answer of a member."""

    prompt_id: str
    question_id: str
    first_at: datetime
    revisions: int
    score: float
    verdict: str
    points: int
    late: bool
    best: float = 0.0


@dataclass(frozen=True)
class DueEvent:
    """A timed follow-up of a prompt: its window close or its streak reminder."""

    kind: str
    workspace: str
    prompt_id: str
    due_at: datetime

    @property
    def member(self) -> str:
        """Its entry in the due set."""
        return json.dumps([self.kind, self.workspace, self.prompt_id])


@dataclass(frozen=True)
class BoardRow:
    """One leaderboard line."""

    user_id: str
    name: str
    value: int


CLAIM_TTL_SECONDS = 3 * 24 * 3600
DONE_TTL_SECONDS = 14 * 24 * 3600
# Delete a key only while it still holds the expected value.
_RELEASE_IF = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def _lua(name: str) -> str:
    return (resources.files("bot.store") / "lua" / name).read_text(encoding="utf-8")


class RedisStore:
    """Reads and atomic writes of debrief's state; every Redis error becomes StoreUnavailable."""

    def __init__(self, redis: Redis, prompt_cache_size: int = 2048) -> None:
        self.redis = redis
        self._record = redis.register_script(_lua("record_answer.lua"))
        self._release = redis.register_script(_RELEASE_IF)
        self._settle = redis.register_script(_lua("settle_miss.lua"))
        # Posted prompts never change, so a lookup saves a round trip on every answer after the first.
        self._prompts: OrderedDict[str, DailyPrompt] = OrderedDict()
        self._prompt_cache_size = prompt_cache_size

    def _remember(self, key: str, prompt: DailyPrompt) -> DailyPrompt:
        self._prompts[key] = prompt
        self._prompts.move_to_end(key)
        while len(self._prompts) > self._prompt_cache_size:
            self._prompts.popitem(last=False)
        return prompt

    async def ping(self) -> None:
        """Raise StoreUnavailable unless Redis answers."""
        async with store_errors("reach the database"):
            await self.redis.ping()

    # channels -------------------------------------------------------------------------------------

    async def channel_settings(self, channel: Channel) -> ChannelSettings | None:
        """A channel's settings, or None when it was never set up."""
        async with store_errors("read the channel settings"):
            raw = await self.redis.get(keys.channel_settings(channel))
        return ChannelSettings.model_validate_json(raw) if raw else None

    async def save_channel_settings(self, channel: Channel, settings: ChannelSettings) -> None:
        """Store a channel's settings and list it among the configured channels."""
        async with store_errors("save the channel settings"):
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(keys.channel_settings(channel), settings.model_dump_json())
                pipe.sadd(keys.channels(channel.workspace), channel.channel_id)
                await pipe.execute()
            # The workspace index lives in its own slot; adding to it again is harmless.
            await self.redis.sadd(keys.workspaces(), channel.workspace)

    async def asked_questions(self, channel: Channel) -> list[str]:
        """The channel's rotation history, oldest first."""
        async with store_errors("read the question history"):
            return [str(q) for q in await self.redis.lrange(keys.channel_asked(channel), 0, -1)]

    # prompts --------------------------------------------------------------------------------------

    async def claim_post(self, channel: Channel, local_date: date) -> str | None:
        """Take a channel's local date for posting; None if taken, else the claim (only one caller ever gets it)."""
        async with store_errors("claim today's post"):
            taken = await self.redis.set(
                keys.post_claim(channel, local_date.isoformat()), "posting", nx=True, ex=CLAIM_TTL_SECONDS
            )
        return "posting" if taken else None

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
        async with store_errors("skip today"), self.redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.post_claim(channel, local_date.isoformat()), "skipped", ex=CLAIM_TTL_SECONDS)
            if unmark_question_day:
                pipe.zrem(keys.question_days(channel.workspace), str(local_date.toordinal()))
            await pipe.execute()

    async def configured_channels(self) -> list[tuple[Channel, ChannelSettings]]:
        """Every configured channel of every workspace with its settings (one pipeline per workspace)."""
        async with store_errors("read the channels"):
            workspaces = sorted(str(w) for w in await self.redis.smembers(keys.workspaces()))
            found: list[tuple[Channel, ChannelSettings]] = []
            for workspace in workspaces:
                ids = sorted(str(c) for c in await self.redis.smembers(keys.channels(workspace)))
                if not ids:
                    continue
                raws = await self.redis.mget([keys.channel_settings(Channel(workspace, c)) for c in ids])
                found += [
                    (Channel(workspace, c), ChannelSettings.model_validate_json(raw))
                    for c, raw in zip(ids, raws)
                    if raw
                ]
        return found

    async def schedule_due(self, event: DueEvent) -> None:
        """Queue a follow-up for its due time."""
        async with store_errors("schedule the window close"):
            await self.redis.zadd(keys.due_events(), {event.member: event.due_at.timestamp()})

    async def due(self, now: datetime, limit: int = 500) -> list[DueEvent]:
        """Follow-ups due at `now`, oldest first."""
        async with store_errors("read due follow-ups"):
            raw = await self.redis.zrangebyscore(keys.due_events(), "-inf", now.timestamp(), start=0, num=limit, withscores=True)
        events = []
        for entry in raw:
            kind, workspace, prompt_id = json.loads(str(entry[0]))
            events.append(DueEvent(kind, workspace, prompt_id, datetime.fromtimestamp(float(entry[1]), UTC)))
        return events

    async def claim_done(self, workspace: str, kind: str, item: str) -> bool:
        """Take a follow-up (or digest) for handling; only one caller ever gets True until released."""
        async with store_errors("claim a follow-up"):
            return bool(await self.redis.set(keys.done(workspace, kind, item), "1", nx=True, ex=DONE_TTL_SECONDS))

    async def release_done(self, workspace: str, kind: str, item: str) -> None:
        """Give a follow-up back after it failed, so a retry or another replica can do it."""
        async with store_errors("release a follow-up"):
            await self.redis.delete(keys.done(workspace, kind, item))

    async def finish_due(self, event: DueEvent) -> None:
        """Take a handled follow-up off the queue."""
        async with store_errors("finish a follow-up"):
            await self.redis.zrem(keys.due_events(), event.member)

    async def channels(self, workspace: str) -> list[str]:
        """The workspace's configured channel ids."""
        async with store_errors("read the channels"):
            return sorted(str(c) for c in await self.redis.smembers(keys.channels(workspace)))

    async def save_prompt(self, prompt: DailyPrompt, *, question_days: Sequence[int] = ()) -> None:
        """Store a prompt, index it by day and thread, and mark its day (and any given days) as question days."""
        channel = prompt.channel
        async with store_errors("save today's question"), self.redis.pipeline(transaction=True) as pipe:
            pipe.set(keys.post_claim(channel, prompt.local_date.isoformat()), "posted", ex=CLAIM_TTL_SECONDS)
            pipe.set(keys.prompt(prompt.workspace, prompt.id), prompt.model_dump_json())
            pipe.zadd(keys.channel_prompts(channel), {prompt.id: prompt.day})
            pipe.rpush(keys.channel_asked(channel), prompt.question_id)
            days = {prompt.day, *question_days}
            pipe.zadd(keys.question_days(prompt.workspace), {str(d): d for d in days})
            if prompt.thread_id:
                pipe.set(keys.thread(channel, prompt.thread_id), prompt.id)
            await pipe.execute()

    async def prompt(self, workspace: str, prompt_id: str) -> DailyPrompt | None:
        """A prompt by id."""
        key = keys.prompt(workspace, prompt_id)
        if key in self._prompts:
            return self._prompts[key]
        async with store_errors("read the question"):
            raw = await self.redis.get(key)
        return self._remember(key, DailyPrompt.model_validate_json(raw)) if raw else None

    async def prompt_for_thread(self, thread: ThreadRef) -> DailyPrompt | None:
        """The prompt whose thread this is, if any."""
        key = keys.thread(thread.channel, thread.thread_id)
        if key in self._prompts:
            return self._prompts[key]
        async with store_errors("find the question for this thread"):
            prompt_id = await self.redis.get(key)
            raw = await self.redis.get(keys.prompt(thread.channel.workspace, str(prompt_id))) if prompt_id else None
        return self._remember(key, DailyPrompt.model_validate_json(raw)) if raw else None

    async def prompts_on(self, channel: Channel, day: int) -> list[DailyPrompt]:
        """The channel's prompts for one local day number."""
        async with store_errors("read today's question"):
            ids = await self.redis.zrangebyscore(keys.channel_prompts(channel), day, day)
            if not ids:
                return []
            raws = await self.redis.mget([keys.prompt(channel.workspace, str(i)) for i in ids])
        return [DailyPrompt.model_validate_json(r) for r in raws if r]

    async def prompts_between(self, channel: Channel, first_day: int, last_day: int) -> list[DailyPrompt]:
        """The channel's prompts from `first_day` to `last_day` (day numbers, inclusive), oldest first."""
        async with store_errors("read past questions"):
            ids = await self.redis.zrangebyscore(keys.channel_prompts(channel), first_day, last_day)
            if not ids:
                return []
            raws = await self.redis.mget([keys.prompt(channel.workspace, str(i)) for i in ids])
        return [DailyPrompt.model_validate_json(r) for r in raws if r]

    async def answer_counts(self, workspace: str, prompt_ids: Sequence[str]) -> list[int]:
        """How many members answered each prompt."""
        if not prompt_ids:
            return []
        async with store_errors("count answers"), self.redis.pipeline(transaction=False) as pipe:
            for prompt_id in prompt_ids:
                pipe.zcard(keys.prompt_answers(workspace, prompt_id))
            return [int(n) for n in await pipe.execute()]

    async def last_question_day(self, workspace: str) -> int | None:
        """The most recent question day of a workspace."""
        async with store_errors("read the question days"):
            last = await self.redis.zrevrange(keys.question_days(workspace), 0, 0, withscores=True)
        return int(last[0][1]) if last else None

    # answers --------------------------------------------------------------------------------------

    async def answer_draft(self, workspace: str, prompt_id: str, user_id: str) -> AnswerDraft:
        """What is stored of a member's answer so far."""
        async with store_errors("read your answer"):
            revisions, messages = await self.redis.hmget(
                keys.answer(workspace, prompt_id, user_id), ["revisions", "messages"]
            )
        pairs = tuple((str(m), str(t)) for m, t in json.loads(messages)) if messages else ()
        return AnswerDraft(int(revisions or 0), pairs)

    async def record_revision(
        self,
        *,
        member: Member,
        prompt: DailyPrompt,
        event_id: str | None,
        seen_revisions: int,
        messages: Sequence[tuple[str, str]],
        revision: dict[str, object],
        overall: float,
        verdict: str,
        points: int,
        counts: bool,
        at: datetime,
    ) -> RecordedRevision:
        """Append a revision and update answer, points, boards and streak in one atomic step."""
        ws, user = member.workspace, member.user_id
        script_keys = [
            keys.answer(ws, prompt.id, user),
            keys.answer_revisions(ws, prompt.id, user),
            keys.prompt_answers(ws, prompt.id),
            keys.member_answers(member),
            keys.streak(member),
            keys.question_days(ws),
            keys.leaderboard(ws, "points"),
            keys.leaderboard(ws, "streak"),
            keys.leaderboard(ws, "longest"),
            keys.event(ws, event_id or "-"),
            keys.member_names(ws),
        ]
        args: list[str | int | float] = [
            event_id or "",
            keys.EVENT_TTL_SECONDS,
            seen_revisions,
            user,
            member.display_name,
            prompt.id,
            prompt.question_id,
            json.dumps(list(messages)),
            json.dumps(revision, default=str),
            f"{overall:.1f}",
            verdict,
            points,
            "1" if counts else "0",
            prompt.day,
            int(at.timestamp()),
            MAX_FREEZES,
            DAYS_PER_FREEZE,
        ]
        async with store_errors("save your answer"):
            result = await self._record(keys=script_keys, args=args)
        status, rev, current, longest, freezes, total, counted, spent = result
        status = status.decode() if isinstance(status, bytes) else status
        return RecordedRevision(
            status=status,
            revision=int(rev),
            streak=Streak(int(current), int(longest), int(freezes)),
            points_total=int(total),
            counted_now=bool(int(counted)),
            freezes_spent=int(spent),
        )

    async def revisions(self, workspace: str, prompt_id: str, user_id: str) -> list[dict[str, object]]:
        """Every stored revision of an answer, oldest first."""
        async with store_errors("read your answer"):
            raws = await self.redis.lrange(keys.answer_revisions(workspace, prompt_id, user_id), 0, -1)
        return [json.loads(r) for r in raws]

    async def history(self, member: Member, limit: int = 20) -> list[HistoryItem]:
        """A member's most recent answers, newest first."""
        async with store_errors("read your history"):
            prompt_ids = [str(p) for p in await self.redis.zrevrange(keys.member_answers(member), 0, limit - 1)]
            async with self.redis.pipeline(transaction=False) as pipe:
                for pid in prompt_ids:
                    pipe.hgetall(keys.answer(member.workspace, pid, member.user_id))
                rows = await pipe.execute()
        return [_history_item(pid, row) for pid, row in zip(prompt_ids, rows) if row]

    async def answer_summary(self, member: Member, prompt_id: str) -> HistoryItem | None:
        """A member's answer to one prompt as it stands (latest and best score), None before the first."""
        async with store_errors("read your answer"):
            row = await self.redis.hgetall(keys.answer(member.workspace, prompt_id, member.user_id))
        return _history_item(prompt_id, row) if row else None

    # streaks and boards ---------------------------------------------------------------------------

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
            missed = await self.redis.zcount(keys.question_days(member.workspace), f"({since}", f"({today}")
        return stored.as_of(int(missed))

    async def claim_event(self, workspace: str, event_id: str) -> bool:
        """Handle an inbound event once: True the first time its id is seen (within 24 hours)."""
        async with store_errors("record the event"):
            return bool(
                await self.redis.set(keys.event(workspace, f"once:{event_id}"), "1", nx=True, ex=keys.EVENT_TTL_SECONDS)
            )

    async def remember_name(self, member: Member) -> None:
        """Store a member's display name for leaderboards."""
        if member.display_name:
            async with store_errors("save your name"):
                await self.redis.hset(keys.member_names(member.workspace), member.user_id, member.display_name)

    async def settle_miss(self, member: Member, day: int) -> str:
        """Settle a missed question day for a member: 'freeze' spent, streak 'reset', or 'none' to do."""
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

    async def answered(self, workspace: str, prompt_id: str) -> dict[str, float]:
        """Who answered a prompt, with their latest scores."""
        async with store_errors("read the answers"):
            raw = await self.redis.zrange(keys.prompt_answers(workspace, prompt_id), 0, -1, withscores=True)
        return {str(entry[0]): float(entry[1]) for entry in raw}

    async def name_of(self, workspace: str, user_id: str) -> str:
        """A member's last seen display name (their id when unknown)."""
        async with store_errors("read a name"):
            name = await self.redis.hget(keys.member_names(workspace), user_id)
        return str(name) if name else user_id

    async def points(self, member: Member) -> int:
        """A member's points total."""
        async with store_errors("read your points"):
            score = await self.redis.zscore(keys.leaderboard(member.workspace, "points"), member.user_id)
        return int(score or 0)

    async def leaderboard(self, workspace: str, board: str, limit: int = 10) -> list[BoardRow]:
        """The top members of one board with their last seen names."""
        async with store_errors("read the leaderboard"):
            raw = await self.redis.zrevrange(keys.leaderboard(workspace, board), 0, limit - 1, withscores=True)
            rows = [(str(entry[0]), int(entry[1])) for entry in raw]
            names = await self.redis.hmget(keys.member_names(workspace), [u for u, _ in rows]) if rows else []
        return [BoardRow(user, str(name or user), score) for (user, score), name in zip(rows, names)]


def _history_item(prompt_id: str, row: dict[str, str]) -> HistoryItem:
    return HistoryItem(
        prompt_id=prompt_id,
        question_id=row.get("question", ""),
        first_at=datetime.fromtimestamp(int(row.get("first_at", 0)), UTC),
        revisions=int(row.get("revisions", 0)),
        score=float(row.get("score", 0)),
        verdict=row.get("verdict", ""),
        points=int(row.get("points", 0)),
        late=row.get("late") == "1",
        best=float(row.get("best", row.get("score", 0))),
    )
