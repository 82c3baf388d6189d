"""Answering a question: what counts, how revisions combine, scoring and storing, and what the member hears."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from functools import partial

from bot.channels import Channels
from bot.clock import Clock
from bot.coach.coach import ModelCoach
from bot.coach.reply import with_model_notice
from bot.errors import StoreUnavailable
from bot.identities import Member, ThreadRef
from bot.metrics import Metrics, NoMetrics, platform_of
from bot.prompts import DailyPrompt
from bot.replies import Button, Reply, say
from bot.scoring.engine import FeedbackEngine
from bot.scoring.feedback import Feedback
from bot.scoring.feedback_reply import feedback_reply
from bot.store.answers import AnswerStore, HistoryItem, Revision
from bot.store.prompts import PromptStore
from bot.streaks import MIN_WORDS_FOR_POINTS, Streak, answer_points
from bot.strong_answer import strong_answer_button

MAX_ANSWER_CHARS = 40_000  # Slack's own message limit; Discord's is lower
MAX_REVISIONS = 50
# Each conflict means another revision of the same answer landed, so every round makes progress.
MAX_CONFLICT_RETRIES = 64
UNSAVED_ANSWER = (
    "Could not save your answer: the database is not reachable right now. Nothing was saved; "
    "please send your answer again in a minute (your message is still in the thread)."
)
SOMETHING_WENT_WRONG = "Something went wrong on our side; nothing was changed. Please try again."
# What the answers metric calls a message that could not be saved (beside the AnswerStatus values).
UNSAVED = "unsaved"
FAILED = "failed"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmitAnswer:
    """A member's message (new or edited) that may be an answer to a prompt."""

    member: Member
    message_id: str
    text: str
    at: datetime
    event_id: str | None = None
    thread: ThreadRef | None = None
    prompt_id: str | None = None


class AnswerStatus(StrEnum):
    """What became of a submitted message."""

    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    NOT_AN_ANSWER = "not_an_answer"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_MANY_REVISIONS = "too_many_revisions"


@dataclass(frozen=True)
class AnswerOutcome:
    """The reply material for one submitted message."""

    status: AnswerStatus
    message: str
    prompt: DailyPrompt | None = None
    feedback: Feedback | None = None
    revision: int = 0
    streak: Streak | None = None
    points_total: int = 0
    points: int = 0
    late: bool = False
    freezes_spent: int = 0
    answer: str = ""  # the whole answer the feedback is for

    @property
    def tells_member(self) -> bool:
        """Whether the member must be told privately why nothing was saved."""
        return self.status in (AnswerStatus.EMPTY, AnswerStatus.TOO_LONG, AnswerStatus.TOO_MANY_REVISIONS)


@dataclass(frozen=True)
class ThreadAnswer:
    """What an adapter does after a message in a question's thread.

    `reply` goes to the member (privately, or in the thread when `public`); `react` marks the message as an
    answer; `fallback` is posted in the thread when the platform cannot reach the member privately. `refine`, when
    the workspace chose model feedback, gives the model's feedback to put in place of `reply` once it is ready (None
    when the model gave nothing usable: `reply` stands).
    """

    reply: Reply | None = None
    public: bool = False
    react: bool = False
    fallback: Reply | None = None
    refine: Callable[[], Awaitable[Reply | None]] | None = None


def combine(messages: Sequence[tuple[str, str]], message_id: str, text: str) -> tuple[tuple[str, str], ...]:
    """The answer's messages after this one: an edit replaces its message, a new message is appended."""
    if any(mid == message_id for mid, _ in messages):
        return tuple((mid, text if mid == message_id else old) for mid, old in messages)
    return (*messages, (message_id, text))


def answer_text(messages: Sequence[tuple[str, str]]) -> str:
    """The full answer as the member has written it so far."""
    return "\n\n".join(text for _, text in messages)


def rejection(command: SubmitAnswer) -> AnswerOutcome | None:
    """A clear reply for a message that cannot be an answer as it stands, or None when it can."""
    if not command.text.strip():
        return AnswerOutcome(
            AnswerStatus.EMPTY, "That message is empty, so nothing was saved. Write your answer and send it again."
        )
    if len(command.text) > MAX_ANSWER_CHARS:
        return AnswerOutcome(
            AnswerStatus.TOO_LONG,
            f"That message is {len(command.text):,} characters; answers are limited to {MAX_ANSWER_CHARS:,}. "
            "Nothing was saved: trim it to what you would say in 2.5 minutes (about 350 words) and send it again.",
        )
    return None


def feedback_button_id(prompt: DailyPrompt, user_id: str) -> str:
    """The neutral id of the "Show my feedback" button for one member's answer to one prompt."""
    return f"feedback:{prompt.channel_id}:{prompt.local_date.isoformat()}:{user_id}"


class Answers:
    """Recording answers and revisions, scoring them, and the feedback members get."""

    def __init__(
        self,
        engine: FeedbackEngine,
        prompts: PromptStore,
        answers: AnswerStore,
        channels: Channels,
        clock: Clock,
        metrics: Metrics | None = None,
        coach: ModelCoach | None = None,
    ) -> None:
        self.metrics: Metrics = metrics or NoMetrics()
        self.coach = coach
        self.engine = engine
        self.prompts = prompts
        self.store = answers
        self.channels = channels
        self.clock = clock

    async def submit(self, command: SubmitAnswer) -> AnswerOutcome:
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
            draft = await self.store.draft(member.workspace, prompt.id, member.user_id)
            if (command.message_id, command.text) in draft.messages:
                # the same message again: a retried or repeated event, or a link preview that changed nothing
                return AnswerOutcome(AnswerStatus.DUPLICATE, "Already handled.", prompt=prompt)
            if draft.revisions >= MAX_REVISIONS:
                return AnswerOutcome(
                    AnswerStatus.TOO_MANY_REVISIONS,
                    f"Your answer already has {MAX_REVISIONS} revisions; this one was not saved.",
                    prompt=prompt,
                )
            messages = combine(draft.messages, command.message_id, command.text)
            feedback = self.engine.score(answer_text(messages), question_id=prompt.question_id)
            counts = prompt.is_open(command.at)
            points = answer_points(feedback.overall, feedback.word_count)
            edited = any(mid == command.message_id for mid, _ in draft.messages)
            recorded = await self.store.record(
                member=member,
                prompt=prompt,
                event_id=command.event_id,
                draft=draft,
                messages=messages,
                revision=Revision(
                    at=command.at,
                    message_id=command.message_id,
                    text=command.text,
                    edit=edited,
                    feedback=_compact(feedback),
                ),
                overall=feedback.overall,
                verdict=feedback.verdict.value,
                points=points,
                counts=counts,
            )
            if recorded.status == "duplicate":
                return AnswerOutcome(AnswerStatus.DUPLICATE, "Already handled.", prompt=prompt)
            if recorded.status == "ok":
                return AnswerOutcome(
                    AnswerStatus.RECORDED,
                    _recorded_message(recorded.revision, counts, prompt, edited=edited),
                    prompt=prompt,
                    feedback=feedback,
                    revision=recorded.revision,
                    streak=recorded.streak,
                    points_total=recorded.points_total,
                    points=points if counts else 0,
                    late=not counts,
                    freezes_spent=recorded.freezes_spent,
                    answer=answer_text(messages),
                )
        raise RuntimeError("answer kept changing while it was being saved")

    async def in_thread(self, command: SubmitAnswer) -> ThreadAnswer:
        """Submit a message written in a question's thread and say what to send back; never raises."""
        platform = platform_of(command.member.workspace)
        try:
            # who judges is read beside the answer's own work, so model feedback adds no wait for the member
            model = self._model_chosen(command.member.workspace)
            if command.thread is None:
                outcome, judged_by_model = await asyncio.gather(self.submit(command), model)
                public = False
            else:
                outcome, settings, judged_by_model = await asyncio.gather(
                    self.submit(command), self.channels.settings(command.thread.channel), model
                )
                public = settings is not None and settings.feedback == "public"
        except StoreUnavailable:
            self.metrics.answer(platform, UNSAVED)
            return _note(command.member, UNSAVED_ANSWER)
        except Exception:
            log.exception("answer %s failed", command.message_id)
            self.metrics.answer(platform, FAILED)
            return _note(command.member, SOMETHING_WENT_WRONG)
        self.metrics.answer(platform, outcome.status.value)
        if outcome.status is AnswerStatus.RECORDED:
            assert outcome.feedback is not None and outcome.prompt is not None
            reply = outcome_reply(outcome)
            fallback = None if public else self._closed_dm_note(command.member, outcome.prompt)
            refine = partial(self._model_reply, command.member, outcome, public) if judged_by_model else None
            return ThreadAnswer(reply.public() if public else reply, public, outcome.revision == 1, fallback, refine)
        if outcome.tells_member:
            return _note(command.member, outcome.message)
        return ThreadAnswer()

    async def withdraw(self, thread: ThreadRef, message_id: str, author: Member | None = None) -> bool:
        """A deleted thread message: taken out of its author's answer, which is re-scored on what is left; when
        nothing is left the answer is withdrawn from peer review, the window summary and the top-answer quote
        (the streak day it earned stays). Whether an answer changed; never raises."""
        try:
            return await self._withdraw(thread, message_id, author)
        except StoreUnavailable:
            log.warning("could not withdraw message %s: the store is unavailable", message_id)
        except Exception:
            log.exception("withdrawing message %s failed", message_id)
        return False

    async def _withdraw(self, thread: ThreadRef, message_id: str, author: Member | None) -> bool:
        owner = await self.store.message_owner(thread.channel, message_id)
        prompt = await self.prompts.for_thread(thread)
        if prompt is None or (owner is None and author is None):
            return False
        member = author or Member(thread.channel.workspace, owner[1] if owner else "")
        for _ in range(MAX_CONFLICT_RETRIES):
            draft = await self.store.draft(member.workspace, prompt.id, member.user_id)
            if not any(mid == message_id for mid, _ in draft.messages):
                return False
            remaining = tuple((mid, text) for mid, text in draft.messages if mid != message_id)
            if not remaining:
                status = await self.store.withdraw(member, prompt, message_id, draft.revisions)
                if status == "conflict":
                    continue
                return status == "ok"
            feedback = self.engine.score(answer_text(remaining), question_id=prompt.question_id)
            now = self.clock()
            recorded = await self.store.record(
                member=member,
                prompt=prompt,
                event_id=None,
                draft=draft,
                messages=remaining,
                revision=Revision(at=now, message_id=message_id, text="", edit=True, feedback=_compact(feedback)),
                overall=feedback.overall,
                verdict=feedback.verdict.value,
                points=answer_points(feedback.overall, feedback.word_count),
                counts=prompt.is_open(now),
            )
            if recorded.status == "ok":
                return True
        return False

    async def _model_reply(self, member: Member, outcome: AnswerOutcome, public: bool) -> Reply | None:
        """The feedback message again, judged by the workspace's model under the engine's guard; None when the model
        gave nothing usable."""
        assert self.coach is not None and outcome.feedback is not None and outcome.prompt is not None
        question = self.engine.question(outcome.prompt.question_id)
        rubric = self.engine.bank.rubric_for(question)
        if await self._superseded(member, outcome):
            return None  # a later revision has its own feedback (and its own model request) on the way
        judged = await self.coach.judge(member.workspace, question.text, rubric, outcome.answer, outcome.feedback)
        if judged.feedback is None or await self._superseded(member, outcome):
            return None
        reply = outcome_reply(replace(outcome, feedback=judged.feedback))
        if await self.coach.first_notice(member):
            reply = with_model_notice(reply, self.coach.model_name)
        return reply.public() if public else reply

    async def _model_chosen(self, workspace: str) -> bool:
        return self.coach is not None and await self.coach.enabled(workspace)

    async def _superseded(self, member: Member, outcome: AnswerOutcome) -> bool:
        """Whether the member revised the answer again after `outcome` (its model feedback would be stale)."""
        assert outcome.prompt is not None
        try:
            latest = await self.store.revision_count(member.workspace, outcome.prompt.id, member.user_id)
        except StoreUnavailable:
            return False
        return latest > outcome.revision

    def _closed_dm_note(self, member: Member, prompt: DailyPrompt) -> Reply:
        return say(
            member.label,
            ", your feedback is ready, but your DMs are closed. Use the button to see it.",
            private=False,
            buttons=(Button("Show my feedback", feedback_button_id(prompt, member.user_id), primary=True),),
        )

    async def feedback_for(self, requester: Member, prompt_id: str, owner_id: str) -> Reply:
        """The "Show my feedback" button: the answer's feedback, for its author only."""
        if requester.user_id != owner_id:
            return say("This feedback belongs to someone else.")
        feedback = await self.current_feedback(requester, prompt_id)
        if feedback is None:
            return say("No answer of yours was found for that question.")
        return replace(feedback_reply(feedback, ("Your feedback",)), buttons=(strong_answer_button(prompt_id),))

    async def current_feedback(self, member: Member, prompt_id: str) -> Feedback | None:
        """Feedback on the member's whole answer as it stands (the engine is deterministic: what they got)."""
        prompt = await self.prompts.get(member.workspace, prompt_id)
        if prompt is None:
            return None
        draft = await self.store.draft(member.workspace, prompt_id, member.user_id)
        if not draft.messages:
            return None
        return self.engine.score(answer_text(draft.messages), question_id=prompt.question_id)

    async def so_far(self, member: Member, prompt_id: str) -> HistoryItem | None:
        """The member's answer to a prompt as it stands (latest and best score), None before the first."""
        return await self.store.summary(member, prompt_id)

    async def history(self, member: Member, limit: int = 20) -> list[HistoryItem]:
        """The member's recent answers, newest first."""
        return await self.store.history(member, limit)

    async def _prompt_for(self, command: SubmitAnswer) -> DailyPrompt | None:
        if command.prompt_id:
            return await self.prompts.get(command.member.workspace, command.prompt_id)
        if command.thread is not None:
            return await self.prompts.for_thread(command.thread)
        return None


def _note(member: Member, message: str) -> ThreadAnswer:
    """A private note about an answer; where it cannot be sent privately, a mention-free line in the thread."""
    return ThreadAnswer(say(message), fallback=say(member.label, f": {message}", private=False))


def outcome_reply(outcome: AnswerOutcome) -> Reply:
    """The feedback message for a recorded answer, with what happened to it, its points and the streak, and a
    button to a strong answer to the same question."""
    assert outcome.feedback is not None and outcome.prompt is not None
    tail = [outcome.message]
    if outcome.points or _too_short_for_points(outcome):
        tail.append(points_words(outcome))
    if outcome.streak is not None:
        tail.append(f"Streak: {outcome.streak.describe()}")
    return replace(feedback_reply(outcome.feedback, tail), buttons=(strong_answer_button(outcome.prompt.id),))


def points_words(outcome: AnswerOutcome) -> str:
    """`+22 points (22 total)` for a first answer; a revision re-prices the answer instead of adding to it."""
    if _too_short_for_points(outcome):
        return f"No points: answers under {MIN_WORDS_FOR_POINTS} words earn none ({outcome.points_total} total)"
    if outcome.revision <= 1:
        return f"+{outcome.points} points ({outcome.points_total} total)"
    return f"Your answer is now worth {outcome.points} points ({outcome.points_total} total)"


def _too_short_for_points(outcome: AnswerOutcome) -> bool:
    return not outcome.late and outcome.feedback is not None and outcome.feedback.word_count < MIN_WORDS_FOR_POINTS


def _recorded_message(revision: int, counts: bool, prompt: DailyPrompt, *, edited: bool = False) -> str:
    if not counts:
        closed = prompt.closes_at.strftime("%Y-%m-%d %H:%M %Z")
        return f"Saved. The answer window closed at {closed}, so this answer earns no points or streak day."
    if revision == 1:
        return "Answer saved."
    if edited:
        return f"Revision {revision} saved: the new text replaces what it edits; feedback is for your whole answer."
    return f"Revision {revision} saved: added to your earlier message; feedback is for your whole answer."


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
