"""When a question's answer window ends: settle streaks and post a short summary in its thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.chat_port import ChatPort, Reply, Section
from bot.identities import Member
from bot.prompts import DailyPrompt
from bot.store.redis_store import RedisStore

REMINDER_HOURS_BEFORE_CLOSE = 3
FIRST_LINES_CHARS = 280


@dataclass(frozen=True)
class WindowSummary:
    """What a window close did."""

    answered: int
    freezes_spent: int
    streaks_ended: int
    reply: Reply


async def close_window(store: RedisStore, prompt: DailyPrompt, *, public: bool) -> WindowSummary:
    """Settle every active streak that missed this prompt, then build the thread summary."""
    answered = await store.answered(prompt.workspace, prompt.id)
    spent = ended = 0
    for row in await store.active_streaks(prompt.workspace):
        if row.user_id in answered:
            continue
        outcome = await store.settle_miss(Member(prompt.workspace, row.user_id), prompt.day)
        spent += outcome == "freeze"
        ended += outcome == "reset"
    streaks = await store.leaderboard(prompt.workspace, "streak", 3)
    count = len(answered)
    sections = []
    if streaks:
        lines = ", ".join(f"{row.name} ({row.value})" for row in streaks if row.value > 0)
        if lines:
            sections.append(Section("Longest active streaks", lines, from_members=True))
    if public and answered:
        best_user = max(answered, key=lambda user: answered[user])
        draft = await store.answer_draft(prompt.workspace, prompt.id, best_user)
        first = " ".join(" ".join(text for _, text in draft.messages).split())[:FIRST_LINES_CHARS]
        if first:
            sections.append(Section(f"Top-scoring answer ({answered[best_user]:.1f}/5), first lines", first, from_members=True))
    people = "person" if count == 1 else "people"
    text = f"This question is closed: {count} {people} answered." if count else "This question is closed: nobody answered this time."
    return WindowSummary(count, spent, ended, Reply(text, sections=tuple(sections), private=False))


async def streak_reminder(store: RedisStore, prompt: DailyPrompt, now: datetime) -> Reply | None:
    """A mention-free nudge naming members with an active streak who have not answered yet."""
    answered = await store.answered(prompt.workspace, prompt.id)
    at_risk = [row for row in await store.leaderboard(prompt.workspace, "streak", 50) if row.value > 0 and row.user_id not in answered]
    if not at_risk:
        return None
    hours = max(1, round((prompt.closes_at - now).total_seconds() / 3600))
    names = ", ".join(f"{row.name} ({row.value} days)" for row in at_risk[:20])
    return Reply(
        f"About {hours} hour{'s' if hours != 1 else ''} left to answer. Streaks at risk:",
        sections=(Section(None, names, from_members=True),),
        private=False,
    )


async def post_summary(port: ChatPort, prompt: DailyPrompt, summary: WindowSummary) -> None:
    """Post the summary in the prompt's thread (nothing to do for prompts that were never posted)."""
    if prompt.thread is not None:
        await port.reply_in_thread(prompt.thread, summary.reply)
