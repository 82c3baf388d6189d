"""The core's use cases, called by every adapter: answers, prompts, streaks, boards, channel set-up."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.answers import (
    MAX_REVISIONS,
    SOMETHING_WENT_WRONG,
    UNSAVED_ANSWER,
    AnswerOutcome,
    AnswerStatus,
    SubmitAnswer,
    answer_text,
    combine,
    rejection,
)
from bot.channels import ChannelSettings, apply_setup_words
from bot.chat_port import ChatPort
from bot.daily_post import PostOutcome, PostStatus, post_question
from bot.errors import StoreUnavailable
from bot.scoring.feedback import Feedback
from bot.identities import Channel, Member
from bot.prompts import DailyPrompt, new_prompt
from bot.store.redis_store import BoardRow, DueEvent, HistoryItem, RedisStore
from bot.scoring.engine import FeedbackEngine
from bot.streaks import Streak, answer_points
from bot.window_close import REMINDER_HOURS_BEFORE_CLOSE
from content.loader import Bank
from content.rotation import next_question
from content.schema import Category, Question

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)
# Each conflict means another revision of the same answer landed, so every round makes progress.
MAX_CONFLICT_RETRIES = 64
PRACTICE_BACKFILL_DAYS = 400


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Leaderboard:
    """The top members of a workspace on one board."""

    board: str
    rows: tuple[BoardRow, ...]


class Coach:
    """Every rule about answers, streaks and channels lives behind these methods."""

    def __init__(self, bank: Bank, engine: FeedbackEngine, store: RedisStore, clock: Clock = utc_now) -> None:
        self.bank = bank
        self.engine = engine
        self.store = store
        self.clock = clock

    # answers ---------------------------------------------------------------------------------------

    async def submit_answer(self, command: SubmitAnswer) -> AnswerOutcome:
        """Record a message as an answer (or a revision of one), score it, and update streak and points."""
        rejected = rejection(command)
        if rejected is not None:
            return rejected
        prompt = await self._prompt_for(command)
        if prompt is None:
            return AnswerOutcome(AnswerStatus.NOT_AN_ANSWER, "That message is not in the thread of a question.")
        member = command.member
        for attempt in range(MAX_CONFLICT_RETRIES):
            if attempt:
                await asyncio.sleep(random.uniform(0, 0.002 * min(attempt, 10)))
            draft = await self.store.answer_draft(member.workspace, prompt.id, member.user_id)
            if draft.revisions >= MAX_REVISIONS:
                return AnswerOutcome(
                    AnswerStatus.TOO_MANY_REVISIONS,
                    f"Your answer already has {MAX_REVISIONS} revisions; this one was not saved.",
                    prompt=prompt,
                )
            messages = combine(draft.messages, command.message_id, command.text)
            feedback = self.engine.score(answer_text(messages), question_id=prompt.question_id)
            counts = prompt.is_open(command.at)
            points = answer_points(feedback.overall)
            recorded = await self.store.record_revision(
                member=member,
                prompt=prompt,
                event_id=command.event_id,
                seen_revisions=draft.revisions,
                messages=messages,
                revision={
                    "at": command.at.isoformat(),
                    "message_id": command.message_id,
                    "text": command.text,
                    "edit": any(mid == command.message_id for mid, _ in draft.messages),
                    "feedback": _compact(feedback),
                },
                overall=feedback.overall,
                verdict=feedback.verdict.value,
                points=points,
                counts=counts,
                at=command.at,
            )
            if recorded.status == "duplicate":
                return AnswerOutcome(AnswerStatus.DUPLICATE, "Already handled.", prompt=prompt)
            if recorded.status == "ok":
                return AnswerOutcome(
                    AnswerStatus.RECORDED,
                    _recorded_message(recorded.revision, counts, prompt),
                    prompt=prompt,
                    feedback=feedback,
                    revision=recorded.revision,
                    streak=recorded.streak,
                    points_total=recorded.points_total,
                    points=points if counts else 0,
                    late=not counts,
                    freezes_spent=recorded.freezes_spent,
                )
        raise RuntimeError("answer kept changing while it was being saved")

    async def submit_in_channel(self, command: SubmitAnswer) -> tuple[AnswerOutcome, bool]:
        """Submit a thread answer and say whether its channel shows feedback publicly (read alongside)."""
        if command.thread is None:
            return await self.submit_answer(command), False
        outcome, settings = await asyncio.gather(
            self.submit_answer(command), self.channel_settings(command.thread.channel)
        )
        return outcome, settings is not None and settings.feedback == "public"

    async def answer_in_thread(
        self,
        command: SubmitAnswer,
        deliver: Callable[[AnswerOutcome, bool], Awaitable[None]],
        tell: Callable[[str], Awaitable[None]],
    ) -> None:
        """Submit a thread answer, then hand the adapter its feedback (and whether it is public) or a note for
        the member; a failure becomes a clear note and never an exception."""
        try:
            outcome, public = await self.submit_in_channel(command)
        except StoreUnavailable:
            await tell(UNSAVED_ANSWER)
            return
        except Exception:
            log.exception("answer %s failed", command.message_id)
            await tell(SOMETHING_WENT_WRONG)
            return
        if outcome.status is AnswerStatus.RECORDED:
            await deliver(outcome, public)
        elif outcome.tells_member:
            await tell(outcome.message)

    async def current_feedback(self, member: Member, prompt_id: str) -> Feedback | None:
        """Feedback on the member's whole answer as it stands (the engine is deterministic, so this is what they got)."""
        prompt = await self.store.prompt(member.workspace, prompt_id)
        if prompt is None:
            return None
        draft = await self.store.answer_draft(member.workspace, prompt_id, member.user_id)
        if not draft.messages:
            return None
        return self.engine.score(answer_text(draft.messages), question_id=prompt.question_id)

    async def _prompt_for(self, command: SubmitAnswer) -> DailyPrompt | None:
        if command.prompt_id:
            return await self.store.prompt(command.member.workspace, command.prompt_id)
        if command.thread is not None:
            return await self.store.prompt_for_thread(command.thread)
        return None

    # prompts ---------------------------------------------------------------------------------------

    def local_date(self, settings: ChannelSettings, at: datetime | None = None) -> date:
        """The channel's local date at `at` (default: now)."""
        return (at or self.clock()).astimezone(settings.zone).date()

    async def todays_prompts(self, channel: Channel, settings: ChannelSettings) -> list[DailyPrompt]:
        """The prompts the channel has for its local today."""
        return await self.store.prompts_on(channel, self.local_date(settings).toordinal())

    async def open_practice_prompt(
        self,
        channel: Channel,
        settings: ChannelSettings,
        *,
        category: Category | None = None,
        question_id: str | None = None,
    ) -> DailyPrompt:
        """Today's practice question: the day's rotation pick, or a chosen category or question."""
        now = self.clock()
        today = self.local_date(settings, now)
        existing = await self.store.prompts_on(channel, today.toordinal())
        if question_id is not None:
            self.engine.question(question_id)  # raises UnknownQuestion
            match = [p for p in existing if p.question_id == question_id]
            if match:
                return match[0]
            return await self._open(channel, settings, question_id, today, now, adhoc=True)
        if category is None:
            daily = [p for p in existing if p.id.count(":") == 1]
            if daily:
                return daily[0]
            question = await self._rotate(channel, settings.tracks, settings.difficulty)
            return await self._open(channel, settings, question.id, today, now, adhoc=False)
        match = [p for p in existing if self.bank.question(p.question_id).category == category]
        if match:
            return match[0]
        question = await self._rotate(channel, (category,), settings.difficulty)
        return await self._open(channel, settings, question.id, today, now, adhoc=True)

    async def _rotate(self, channel: Channel, tracks: Sequence[Category], difficulty: tuple[int, int]) -> Question:
        history = await self.store.asked_questions(channel)
        seed = f"{channel.workspace}/{channel.channel_id}"
        return next_question(list(self.bank.questions.values()), tracks=tracks, difficulty=difficulty, history=history, seed=seed)

    async def _open(
        self, channel: Channel, settings: ChannelSettings, question_id: str, today: date, now: datetime, *, adhoc: bool
    ) -> DailyPrompt:
        prompt = new_prompt(channel, question_id, today, now, timedelta(hours=settings.window_hours), adhoc=adhoc)
        # Practice runs every day: days since the last practice count as question days, so skipping breaks streaks.
        last = await self.store.last_question_day(channel.workspace)
        first = max((last or today.toordinal()) + 1, today.toordinal() - PRACTICE_BACKFILL_DAYS)
        await self.store.save_prompt(prompt, question_days=range(first, today.toordinal() + 1))
        return prompt

    async def post_daily_prompt(
        self, channel: Channel, settings: ChannelSettings, port: ChatPort, *, local_date: date | None = None
    ) -> PostOutcome:
        """Post the channel's question for its local date exactly once, however many callers race for it."""
        today = local_date or self.local_date(settings)
        if await self.store.claim_post(channel, today) is None:
            state = await self.store.post_claim(channel, today)
            existing = await self.store.prompts_on(channel, today.toordinal())
            status = PostStatus.SKIPPED if state == "skipped" else PostStatus.ALREADY_POSTED
            return PostOutcome(status, today, existing[0] if existing else None)
        try:
            question = await self._rotate(channel, settings.tracks, settings.difficulty)
            window = timedelta(hours=settings.window_hours)
            prompt = new_prompt(channel, question.id, today, self.clock(), window)
            prompt = await post_question(port, self.bank, prompt, window)
            await self.store.save_prompt(prompt)
        except BaseException:
            await self.store.release_post(channel, today)
            raise
        await self.store.schedule_due(DueEvent("close", channel.workspace, prompt.id, prompt.closes_at))
        if settings.reminders:
            remind_at = prompt.closes_at - timedelta(hours=REMINDER_HOURS_BEFORE_CLOSE)
            if remind_at > prompt.posted_at:
                await self.store.schedule_due(DueEvent("remind", channel.workspace, prompt.id, remind_at))
        return PostOutcome(PostStatus.POSTED, today, prompt)

    async def skip_today(self, channel: Channel, settings: ChannelSettings) -> PostOutcome:
        """Skip the channel's question today; if it was already posted, missing it breaks no streak."""
        today = self.local_date(settings)
        posted = await self.store.prompts_on(channel, today.toordinal())
        others = [c for c in await self.store.channels(channel.workspace) if c != channel.channel_id]
        other_posts = [p for c in others for p in await self.store.prompts_on(Channel(channel.workspace, c), today.toordinal())]
        await self.store.skip_day(channel, today, unmark_question_day=bool(posted) and not other_posts)
        return PostOutcome(PostStatus.SKIPPED, today, posted[0] if posted else None)

    # streaks, boards, history ----------------------------------------------------------------------

    async def streak(self, member: Member, settings: ChannelSettings) -> Streak:
        """The member's streak as of their channel's local today."""
        return await self.store.streak(member, self.local_date(settings).toordinal())

    async def leaderboard(self, workspace: str, board: str, settings: ChannelSettings, limit: int = 10) -> Leaderboard:
        """Top members by points, current streak (broken streaks drop out) or longest streak."""
        if board != "streak":
            return Leaderboard(board, tuple(await self.store.leaderboard(workspace, board, limit)))
        today = self.local_date(settings).toordinal()
        candidates = await self.store.leaderboard(workspace, "streak", limit * 3)
        live = []
        for row in candidates:
            current = (await self.store.streak(Member(workspace, row.user_id), today)).current
            if current > 0:
                live.append(BoardRow(row.user_id, row.name, current))
        live.sort(key=lambda r: -r.value)
        return Leaderboard(board, tuple(live[:limit]))

    async def history(self, member: Member, limit: int = 20) -> list[HistoryItem]:
        """The member's recent answers, newest first."""
        return await self.store.history(member, limit)

    async def answer_so_far(self, member: Member, prompt_id: str) -> HistoryItem | None:
        """The member's answer to a prompt as it stands (latest and best score), None before the first."""
        return await self.store.answer_summary(member, prompt_id)

    # channels --------------------------------------------------------------------------------------

    async def channel_settings(self, channel: Channel) -> ChannelSettings | None:
        """A channel's settings, None when it was never set up."""
        return await self.store.channel_settings(channel)

    async def configure_channel(self, channel: Channel, words: Sequence[str]) -> ChannelSettings:
        """Apply `key=value` words to a channel's settings (raises SetupError and changes nothing on a bad word)."""
        current = await self.store.channel_settings(channel) or ChannelSettings()
        updated = apply_setup_words(current, words)
        await self.store.save_channel_settings(channel, updated)
        return updated


def _recorded_message(revision: int, counts: bool, prompt: DailyPrompt) -> str:
    if not counts:
        closed = prompt.closes_at.strftime("%Y-%m-%d %H:%M %Z")
        return f"Saved. The answer window closed at {closed}, so this answer earns no points or streak day."
    return "Answer saved." if revision == 1 else f"Revision {revision} saved; feedback is for your whole answer."


def _compact(feedback: Feedback) -> dict[str, object]:
    """The stored form of feedback: scores and findings. Quotes and suggestions are left out: the revision's
    own text is stored beside it and the engine is deterministic, so they can be rebuilt."""
    return {
        "overall": feedback.overall,
        "verdict": feedback.verdict.value,
        "criteria": [{"id": c.id, "score": c.score} for c in feedback.criteria],
        "anti_patterns": [a.id for a in feedback.anti_patterns],
        "missing_structure": list(feedback.missing_structure),
        "word_count": feedback.word_count,
        "speaking_seconds": feedback.speaking_seconds,
        "notes": list(feedback.notes),
    }
