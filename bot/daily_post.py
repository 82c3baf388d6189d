"""The daily question as a neutral reply, and posting it exactly once per channel and local date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.scoring.text import SPEAKING_GUIDELINE_SECONDS, WORDS_PER_MINUTE
from bot.chat_port import Button, ChatPort, Reply, Section
from bot.prompts import DailyPrompt
from content.loader import Bank
from content.schema import Question

GUIDELINE_WORDS = SPEAKING_GUIDELINE_SECONDS * WORDS_PER_MINUTE // 60


class PostStatus(StrEnum):
    """What happened when a channel's question was due."""

    POSTED = "posted"
    ALREADY_POSTED = "already_posted"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class PostOutcome:
    """The result of trying to post a channel's question for a date."""

    status: PostStatus
    local_date: date
    prompt: DailyPrompt | None = None


def category_label(value: str) -> str:
    """`cross_functional` -> `Cross-functional`."""
    return value.replace("_", " ").capitalize().replace("Cross functional", "Cross-functional")


def question_reply(bank: Bank, question: Question, *, window: timedelta | None = None, private: bool = False) -> Reply:
    """The question as members see it: text, round, criteria, time budget and how to answer."""
    round_ = bank.rounds[question.round]
    rubric = bank.rubric_for(question)
    closes = ""
    if window is not None:
        hours = int(window.total_seconds() // 3600)
        closes = f" Answers count toward streaks for {hours} hours."
    return Reply(
        text=f"Today's question: {question.text}",
        sections=(
            Section(None, question.text),
            Section(
                "Round",
                f"{round_.name} ({round_.minutes} min) · {category_label(question.category.value)} · "
                f"difficulty {question.difficulty}/3 · `{question.id}`",
            ),
            Section("Judged on", " · ".join(c.name for c in rubric.criteria)),
            Section("Time budget", f"About 2.5 minutes spoken (~{GUIDELINE_WORDS} words)."),
            Section(
                None,
                "Reply in this thread to answer. Feedback arrives in seconds; a later reply or an edit "
                f"revises your answer.{closes}",
            ),
        ),
        buttons=(Button("Show today's question privately", "today"), Button("Review an answer", "review")),
        private=private,
    )


async def post_question(port: ChatPort, bank: Bank, prompt: DailyPrompt, window: timedelta) -> DailyPrompt:
    """Post a prompt's question, open its thread, and return the prompt with both ids."""
    question = bank.question(prompt.question_id)
    message = await port.post(prompt.channel, question_reply(bank, question, window=window))
    thread = await port.open_thread(message, f"{prompt.local_date.isoformat()} · {question.id}")
    return prompt.model_copy(update={"message_id": message.message_id, "thread_id": thread.thread_id})
