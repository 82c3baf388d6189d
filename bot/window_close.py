"""When a question's answer window ends: settle streaks, sum up in the thread, hand out peer reviews; and the
streak-at-risk reminder a few hours before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.channels import Channels
from bot.identities import Member
from bot.prompts import DailyPrompt
from bot.replies import Reply, Section, counted, text
from bot.store.answers import AnswerStore
from bot.store.members import MemberStore
from bot.store.schedule import ScheduleStore
from bot.store.standings import StandingsStore

REMINDER_HOURS_BEFORE_CLOSE = 3
# Members with their own timezone are reminded privately at this local time, when it falls well inside the window.
PRIVATE_REMINDER_LOCAL_TIME = time(18, 0)
PRIVATE_REMINDER_MARGIN = timedelta(hours=1)  # from the post, and before the close
FIRST_LINES_CHARS = 280
Nudges = Callable[[DailyPrompt, list[str]], list[tuple[Member, Reply]]]


def private_reminder_at(posted_at: datetime, closes_at: datetime, zone: ZoneInfo) -> datetime | None:
    """When a member in `zone` is reminded about a question: the first 18:00 of their own day at least an hour
    after the post and an hour before the close; otherwise when the thread reminder goes out; None if never."""
    earliest = (posted_at + PRIVATE_REMINDER_MARGIN).astimezone(zone)
    evening = datetime.combine(earliest.date(), PRIVATE_REMINDER_LOCAL_TIME, zone)
    if evening < earliest:
        evening = datetime.combine(earliest.date() + timedelta(days=1), PRIVATE_REMINDER_LOCAL_TIME, zone)
    if evening <= closes_at - PRIVATE_REMINDER_MARGIN:
        return evening.astimezone(posted_at.tzinfo)
    fallback = closes_at - timedelta(hours=REMINDER_HOURS_BEFORE_CLOSE)
    return fallback if fallback > posted_at else None


@dataclass(frozen=True)
class WindowClosed:
    """What a window close did, and what to post."""

    answered: int
    freezes_spent: int
    streaks_ended: int
    summary: Reply
    nudges: tuple[tuple[Member, Reply], ...] = ()


class WindowCloses:
    """Closing answer windows and reminding members whose streak is at risk."""

    def __init__(
        self,
        answers: AnswerStore,
        standings: StandingsStore,
        channels: Channels,
        review_nudges: Nudges | None = None,
        *,
        members: MemberStore,
        schedule: ScheduleStore,
    ) -> None:
        self.answers = answers
        self.standings = standings
        self.channels = channels
        self.review_nudges = review_nudges
        self.members = members
        self.schedule = schedule

    async def close(self, prompt: DailyPrompt) -> WindowClosed:
        """Settle every active streak that missed this prompt, then sum up (and assign reviews when asked to)."""
        settings = await self.channels.settings(prompt.channel)
        public = settings is not None and settings.feedback == "public"
        answered = await self.answers.answered(prompt.workspace, prompt.id)
        spent = ended = 0
        for row in await self.standings.active_streaks(prompt.workspace):
            if row.user_id in answered:
                continue
            outcome = await self.standings.settle_miss(Member(prompt.workspace, row.user_id), prompt.day)
            spent += outcome == "freeze"
            ended += outcome == "reset"
        sections = []
        streaks = [row for row in await self.standings.leaderboard(prompt.workspace, "streak", 3) if row.value > 0]
        if streaks:
            sections.append(
                Section("Longest active streaks", (text(", ".join(f"{r.name} ({r.value})" for r in streaks)),))
            )
        if public and answered:
            best_user = max(answered, key=lambda user: answered[user])
            draft = await self.answers.draft(prompt.workspace, prompt.id, best_user)
            first = " ".join(" ".join(t for _, t in draft.messages).split())[:FIRST_LINES_CHARS]
            if first:
                title = f"Top-scoring answer ({answered[best_user]:.1f}/5), first lines"
                sections.append(Section(title, (text(first),)))
        count = len(answered)
        people = "person" if count == 1 else "people"
        summary = (
            f"This question is closed: {count} {people} answered."
            if count
            else "This question is closed: nobody answered this time."
        )
        nudges: tuple[tuple[Member, Reply], ...] = ()
        if settings is not None and settings.review_assignments and self.review_nudges is not None:
            nudges = tuple(self.review_nudges(prompt, list(answered)))
        reply = Reply(summary, body=(text(summary),), sections=tuple(sections), private=False)
        return WindowClosed(count, spent, ended, reply, nudges)

    async def reminder(self, prompt: DailyPrompt, now: datetime) -> Reply | None:
        """A mention-free nudge naming members with an active streak who have not answered yet; paused members
        and members reminded privately in their own timezone are left out."""
        answered = await self.answers.answered(prompt.workspace, prompt.id)
        rows = [
            row
            for row in await self.standings.leaderboard(prompt.workspace, "streak", 50)
            if row.value > 0 and row.user_id not in answered
        ]
        left_out = await self.members.paused_on(prompt.workspace, [r.user_id for r in rows], prompt.day)
        left_out |= await self.schedule.privately_reminded(prompt.workspace, prompt.id)
        at_risk = [row for row in rows if row.user_id not in left_out]
        if not at_risk:
            return None
        hours = max(1, round((prompt.closes_at - now).total_seconds() / 3600))
        headline = f"About {hours} hour{'s' if hours != 1 else ''} left to answer. Streaks at risk:"
        names = ", ".join(f"{row.name} ({counted(row.value, 'day')})" for row in at_risk[:20])
        return Reply(headline, body=(text(headline), text(names)), private=False)

    async def private_reminder(self, prompt: DailyPrompt, member: Member, now: datetime) -> Reply | None:
        """The private nudge for one member whose streak is at risk; None when it is not (answered, paused, none)."""
        if member.user_id in await self.answers.answered(prompt.workspace, prompt.id):
            return None
        if await self.members.paused_on(prompt.workspace, [member.user_id], prompt.day):
            return None
        streak = await self.standings.streak(member, prompt.day)
        if streak.current == 0 or (streak.last_day is not None and streak.last_day >= prompt.day):
            return None  # no streak, or the day is already answered in another channel
        hours = max(1, round((prompt.closes_at - now).total_seconds() / 3600))
        headline = f"Your {streak.current}-day streak is at risk: about {hours} hour{'s' if hours != 1 else ''} left."
        return Reply(headline, body=(text(headline), text("Reply in today's question thread to keep it.")))
