"""Answers in Redis: the current text and score of each member's answer, every revision, and who answered.

Each revision's text is stored once, in the answer's revisions list (deflated, see `revision_codec`). The answer
hash's `messages` lists the answer's messages in order as `[message id, index of the revision holding its current
text]`; answers written before this shape keep `[message id, text]` pairs, which are still read (and kept as they
are until edited).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot.identities import Channel, Member
from bot.prompts import DailyPrompt
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import lua, store_errors
from bot.store.revision_codec import decode_revision, encode_revision
from bot.streaks import DAYS_PER_FREEZE, MAX_FREEZES, Streak

MessageRef = int | str  # the index of the revision holding a message's text, or (older answers) the text itself


@dataclass(frozen=True)
class AnswerDraft:
    """What is stored of a member's answer before a new revision: its messages and revision count, where each
    message's text is stored (`refs`, by message id) and how many revisions the list holds (`stored`)."""

    revisions: int
    messages: tuple[tuple[str, str], ...]
    refs: tuple[tuple[str, MessageRef], ...] = ()
    stored: int = 0


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
class Revision:
    """What one revision records, besides the answer's messages."""

    at: datetime
    message_id: str
    text: str
    edit: bool
    feedback: dict[str, object]


def week_of(day: int) -> int:
    """The day number of the Monday that starts the week of `day` (a proleptic Gregorian ordinal)."""
    return day - date.fromordinal(day).weekday()


class AnswerStore:
    """Atomic answer revisions (one Lua script also moves points, boards and the streak) and reads."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._record = redis.register_script(lua("bot.store", "record_answer.lua"))
        self._withdraw = redis.register_script(lua("bot.store", "withdraw_answer.lua"))

    async def draft(self, workspace: str, prompt_id: str, user_id: str) -> AnswerDraft:
        """What is stored of a member's answer so far (one round trip: the hash and the revisions it refers to).

        The two reads need not be atomic: revisions are only appended, and a revision recorded between them
        changes the revision count, so recording from this draft is refused as a conflict and read again."""
        async with store_errors("read your answer"), self.redis.pipeline(transaction=False) as pipe:
            pipe.hmget(keys.answer(workspace, prompt_id, user_id), ["revisions", "messages"])
            pipe.lrange(keys.answer_revisions(workspace, prompt_id, user_id), 0, -1)
            (revisions, messages), raws = await pipe.execute()
        stored = [decode_revision(r) for r in raws]
        refs = stored_refs(messages)
        return AnswerDraft(int(revisions or 0), resolve_messages(refs, stored), refs, len(stored))

    async def revision_count(self, workspace: str, prompt_id: str, user_id: str) -> int:
        """How many revisions a member's answer has had (0 before the first)."""
        async with store_errors("read your answer"):
            value = await self.redis.hget(keys.answer(workspace, prompt_id, user_id), "revisions")
        return int(value or 0)

    async def record(
        self,
        *,
        member: Member,
        prompt: DailyPrompt,
        event_id: str | None,
        draft: AnswerDraft,
        messages: Sequence[tuple[str, str]],
        revision: Revision,
        overall: float,
        verdict: str,
        points: int,
        counts: bool,
    ) -> RecordedRevision:
        """Append a revision and update answer, points, boards and streak in one atomic step.

        `draft` is what was read before; `messages` the answer's messages after this revision, whose own
        message (if present) is `revision`'s text: only that text is stored, the others are referred to."""
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
            keys.message_owner(prompt.channel, revision.message_id),
            keys.week_points(ws, week_of(prompt.day)),
        ]
        stored_revision = {
            "at": revision.at.isoformat(),
            "message_id": revision.message_id,
            "text": revision.text,
            "edit": revision.edit,
            "feedback": revision.feedback,
        }
        args: list[str | int | float] = [
            event_id or "",
            keys.EVENT_TTL_SECONDS,
            draft.revisions,
            user,
            member.display_name,
            prompt.id,
            prompt.question_id,
            json.dumps(message_refs(draft, messages, revision), separators=(",", ":")),
            encode_revision(stored_revision),
            f"{overall:.1f}",
            verdict,
            points,
            "1" if counts else "0",
            prompt.day,
            int(revision.at.timestamp()),
            MAX_FREEZES,
            DAYS_PER_FREEZE,
            keys.MESSAGE_OWNER_TTL_SECONDS,
            keys.WEEK_POINTS_TTL_SECONDS,
            draft.stored,
        ]
        async with store_errors("save your answer"):
            result = await self._record(keys=script_keys, args=args)
        status, rev, current, longest, freezes, total, counted, spent = result
        status = status.decode() if isinstance(status, bytes) else status
        return RecordedRevision(
            status=str(status),
            revision=int(rev),
            streak=Streak(int(current), int(longest), int(freezes)),
            points_total=int(total),
            counted_now=bool(int(counted)),
            freezes_spent=int(spent),
        )

    async def withdraw(self, member: Member, prompt: DailyPrompt, message_id: str, seen_revisions: int) -> str:
        """Withdraw an answer whose last message was deleted: 'ok', 'conflict' (changed meanwhile) or 'gone'."""
        ws, user = member.workspace, member.user_id
        script_keys = [
            keys.answer(ws, prompt.id, user),
            keys.prompt_answers(ws, prompt.id),
            keys.member_answers(member),
            keys.leaderboard(ws, "points"),
            keys.message_owner(prompt.channel, message_id),
            keys.week_points(ws, week_of(prompt.day)),
        ]
        async with store_errors("withdraw your answer"):
            (status,) = await self._withdraw(keys=script_keys, args=[seen_revisions, user, prompt.id])
        return status.decode() if isinstance(status, bytes) else str(status)

    async def message_owner(self, channel: Channel, message_id: str) -> tuple[str, str] | None:
        """(prompt id, user id) of the answer a thread message belongs to, if it is one."""
        async with store_errors("look up a message"):
            raw = await self.redis.get(keys.message_owner(channel, message_id))
        if not raw:
            return None
        prompt_id, _, user_id = (raw.decode() if isinstance(raw, bytes) else str(raw)).rpartition("|")
        return (prompt_id, user_id) if prompt_id and user_id else None

    async def revisions(self, workspace: str, prompt_id: str, user_id: str) -> list[dict[str, object]]:
        """Every stored revision of an answer, oldest first."""
        async with store_errors("read your answer"):
            raws = await self.redis.lrange(keys.answer_revisions(workspace, prompt_id, user_id), 0, -1)
        return [decode_revision(r) for r in raws]

    async def latest_feedback(self, member: Member, prompt_ids: Sequence[str]) -> list[dict[str, object] | None]:
        """The stored feedback (scores per criterion) of each answer's latest revision, None where there is none."""
        async with store_errors("read your answers"), self.redis.pipeline(transaction=False) as pipe:
            for pid in prompt_ids:
                pipe.lindex(keys.answer_revisions(member.workspace, pid, member.user_id), -1)
            raws = await pipe.execute()
        return [_feedback_of(raw) for raw in raws]

    async def history(self, member: Member, limit: int = 20) -> list[HistoryItem]:
        """A member's most recent answers, newest first."""
        async with store_errors("read your history"):
            prompt_ids = [str(p) for p in await self.redis.zrevrange(keys.member_answers(member), 0, limit - 1)]
            async with self.redis.pipeline(transaction=False) as pipe:
                for pid in prompt_ids:
                    pipe.hgetall(keys.answer(member.workspace, pid, member.user_id))
                rows = await pipe.execute()
        return [
            _history_item(pid, {str(k): str(v) for k, v in row.items()})
            for pid, row in zip(prompt_ids, rows, strict=True)
            if row
        ]

    async def summary(self, member: Member, prompt_id: str) -> HistoryItem | None:
        """A member's answer to one prompt as it stands (latest and best score), None before the first."""
        async with store_errors("read your answer"):
            row = await self.redis.hgetall(keys.answer(member.workspace, prompt_id, member.user_id))
        return _history_item(prompt_id, {str(k): str(v) for k, v in row.items()}) if row else None

    async def answered(self, workspace: str, prompt_id: str) -> dict[str, float]:
        """Who answered a prompt, with their latest scores."""
        async with store_errors("read the answers"):
            raw = await self.redis.zrange(keys.prompt_answers(workspace, prompt_id), 0, -1, withscores=True)
        return {str(entry[0]): float(entry[1]) for entry in raw}


def stored_refs(raw: str | None) -> tuple[tuple[str, MessageRef], ...]:
    """The answer hash's `messages` field as (message id, revision index or inline text) pairs."""
    if not raw:
        return ()
    return tuple((str(mid), ref if isinstance(ref, int) else str(ref)) for mid, ref in json.loads(raw))


def resolve_messages(
    refs: Sequence[tuple[str, MessageRef]], revisions: Sequence[dict[str, Any]]
) -> tuple[tuple[str, str], ...]:
    """(message id, text) of each message, the text read from the revision it refers to (or inline, as stored
    before revisions held the only copy); a reference to a missing revision reads as empty text."""
    pairs = []
    for mid, ref in refs:
        if isinstance(ref, str):
            pairs.append((mid, ref))
        else:
            found = revisions[ref] if 0 <= ref < len(revisions) else {}
            pairs.append((mid, str(found.get("text", ""))))
    return tuple(pairs)


def message_refs(
    draft: AnswerDraft, messages: Sequence[tuple[str, str]], revision: Revision
) -> list[tuple[str, MessageRef]]:
    """Where each message's text will be stored once this revision is appended: the new revision's index for its
    own message, the earlier reference for the others (inline text for a message never stored in a revision)."""
    earlier = dict(draft.refs)
    known = dict(draft.messages)
    refs: list[tuple[str, MessageRef]] = []
    for mid, text in messages:
        if mid == revision.message_id and text == revision.text:
            refs.append((mid, draft.stored))
        elif mid in earlier and known.get(mid) == text:
            refs.append((mid, earlier[mid]))
        else:
            refs.append((mid, text))
    return refs


def _feedback_of(raw: object) -> dict[str, object] | None:
    """The feedback part of a stored revision; None for a missing or unreadable one."""
    if not raw:
        return None
    try:
        feedback = decode_revision(raw).get("feedback")
    except ValueError:
        return None
    return feedback if isinstance(feedback, dict) else None


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
