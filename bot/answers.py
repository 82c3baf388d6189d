"""Submitting an answer: the rules for what counts, how revisions combine, and what the member gets back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.scoring.feedback import Feedback
from bot.identities import Member, ThreadRef
from bot.prompts import DailyPrompt
from bot.streaks import Streak

MAX_ANSWER_CHARS = 40_000  # Slack's own message limit; Discord's is lower
UNSAVED_ANSWER = (
    "Could not save your answer: the database is not reachable right now. Nothing was saved; "
    "please send your answer again in a minute (your message is still in the thread)."
)
SOMETHING_WENT_WRONG = "Something went wrong on our side; nothing was changed. Please try again."
MAX_REVISIONS = 50


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

    @property
    def tells_member(self) -> bool:
        """Whether the member must be told privately why nothing was saved."""
        return self.status in (AnswerStatus.EMPTY, AnswerStatus.TOO_LONG, AnswerStatus.TOO_MANY_REVISIONS)


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
        return AnswerOutcome(AnswerStatus.EMPTY, "That message is empty, so nothing was saved. Write your answer and send it again.")
    if len(command.text) > MAX_ANSWER_CHARS:
        return AnswerOutcome(
            AnswerStatus.TOO_LONG,
            f"That message is {len(command.text):,} characters; answers are limited to {MAX_ANSWER_CHARS:,}. "
            "Nothing was saved: trim it to what you would say in 2.5 minutes (about 350 words) and send it again.",
        )
    return None
