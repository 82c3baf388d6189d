"""`/debrief stats`: a member's progress as a chart, and the weakest criterion with what a 5 looks like on it."""

from __future__ import annotations

import asyncio

from bot.clock import Clock
from bot.identities import Member
from bot.progress_chart import progress_chart
from bot.progress_series import TREND_WEEKS, ProgressSeries, ScoredAnswer, criterion_scores, progress_series
from bot.replies import Command, Image, Kind, Reply, Section, emphasis, line, say, strong, text
from bot.store.answers import AnswerStore
from content.loader import Bank

HISTORY_LIMIT = 200  # answers drawn on the chart, newest first
CHART_FILENAME = "progress.png"


class Progress:
    """`/debrief stats` and `debrief practice --chart`: a member's progress as a chart and a pointer."""

    def __init__(self, bank: Bank, answers: AnswerStore, clock: Clock) -> None:
        self.bank = bank
        self.answers = answers
        self.clock = clock

    async def scored_answers(self, member: Member) -> list[ScoredAnswer]:
        """The member's stored answers (up to 200, newest first) with their latest scores per criterion."""
        history = await self.answers.history(member, HISTORY_LIMIT)
        feedback = await self.answers.latest_feedback(member, [item.prompt_id for item in history])
        return [
            ScoredAnswer(item.first_at, item.question_id, item.score, criterion_scores(stored))
            for item, stored in zip(history, feedback, strict=True)
        ]

    async def series(self, member: Member) -> ProgressSeries:
        """The member's progress series as of today (UTC)."""
        return progress_series(await self.scored_answers(member), self.bank, self.clock().date())

    async def report(self, member: Member) -> Reply:
        """The progress reply: a chart (drawn off the event loop) and the weakest criterion with what a 5 looks
        like; a plain note without a chart before the first answer."""
        series = await self.series(member)
        if not series.overall:
            return say(
                "No answers yet, so there is no progress to chart. Answer a daily question in its thread, then ",
                Command("stats"),
                " shows your scores over time.",
            )
        chart = await asyncio.to_thread(progress_chart, series)
        return progress_reply(series, chart)


def progress_reply(series: ProgressSeries, chart: bytes) -> Reply:
    """The words beside the chart: how many answers, the latest score, and the weakest criterion's level 5."""
    latest = series.overall[-1][1]
    count = len(series.overall)
    headline = f"Your progress: {count} answer{'s' if count != 1 else ''}, latest score {latest:.1f}/5."
    weakest = series.weakest
    if weakest is None:
        focus = Section(
            "Criteria", (text(f"No answers in the last {TREND_WEEKS} weeks, so there is no criterion trend yet."),)
        )
    else:
        focus = Section(
            f"Work on: {weakest.name}",
            (
                text(
                    line(
                        "Your weakest criterion over the last ",
                        f"{TREND_WEEKS} weeks is ",
                        strong(weakest.name),
                        f" ({weakest.rubric_name}), averaging {weakest.mean:.1f}/5 over {weakest.answers} "
                        f"answer{'s' if weakest.answers != 1 else ''}.",
                    )
                ),
                text(line(emphasis("What a 5 looks like:"), " ", weakest.five)),
            ),
        )
    alt = f"Overall score per answer over time and each criterion's weekly trend over the last {TREND_WEEKS} weeks."
    return Reply(
        headline,
        title="Your progress",
        body=(text(headline), text(alt, kind=Kind.NOTE)),
        sections=(focus,),
        image=Image(chart, CHART_FILENAME, alt),
    )
