"""The weekly digest: participation over the last four weeks and the top streaks and reviewers, with a chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.charts import render_png
from bot.identities import Channel
from bot.replies import Reply, Section, text
from bot.store.prompts import PromptStore
from bot.store.standings import StandingsStore

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WEEKS = 4


@dataclass(frozen=True)
class Digest:
    """The digest message and the daily answer counts behind its chart."""

    reply: Reply
    days: tuple[tuple[date, int], ...]


class Digests:
    """Building a channel's weekly digest."""

    def __init__(self, prompts: PromptStore, standings: StandingsStore) -> None:
        self.prompts = prompts
        self.standings = standings

    async def weekly(self, channel: Channel, today: date, *, weekly_board: bool = False) -> Digest:
        """Answers per question day over the last four weeks, week-on-week change, top streaks and reviewers;
        with a weekly board, last week's final top 5 too (the board starts again today)."""
        first = today - timedelta(days=WEEKS * 7)
        prompts = await self.prompts.between(channel, first.toordinal(), today.toordinal() - 1)
        counts = await self.prompts.answer_counts(channel.workspace, [p.id for p in prompts])
        per_day: dict[date, int] = {}
        for prompt, count in zip(prompts, counts, strict=True):
            per_day[prompt.local_date] = per_day.get(prompt.local_date, 0) + count
        days = tuple((first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(WEEKS * 7))
        this_week = sum(n for d, n in days if d >= today - timedelta(days=7))
        last_week = sum(n for d, n in days if today - timedelta(days=14) <= d < today - timedelta(days=7))
        change = f" ({(this_week - last_week) / last_week:+.0%} on the week before)" if last_week else ""
        summary = (
            f"Weekly digest: {this_week} answers in the last 7 days{change}; {sum(counts)} over {WEEKS} weeks "
            f"across {len(prompts)} questions."
        )
        sections = []
        if weekly_board:
            last_monday = today - timedelta(days=today.weekday() + 7)
            final = await self.standings.week_leaderboard(channel.workspace, last_monday.toordinal(), 5)
            title = f"Final points of the week of {last_monday.day} {last_monday:%b}"
            lines = [f"{i}. {r.name}: {r.value} points" for i, r in enumerate(final, start=1)]
            sections.append(Section(title, (text(*(lines or ["Nobody scored points last week."])),)))
        streaks = [row for row in await self.standings.leaderboard(channel.workspace, "streak", 5) if row.value > 0]
        if streaks:
            sections.append(Section("Top streaks", (text(*(f"{r.name}: {r.value} days" for r in streaks)),)))
        reviewers = [
            row for row in await self.standings.leaderboard(channel.workspace, "reviewers", 3) if row.value > 0
        ]
        if reviewers:
            sections.append(
                Section("Most active reviewers", (text(*(f"{r.name}: {r.value} review points" for r in reviewers)),))
            )
        return Digest(Reply(summary, body=(text(summary),), sections=tuple(sections), private=False), days)


def participation_chart(days: tuple[tuple[date, int], ...]) -> bytes:
    """A PNG bar chart of answers per day (matplotlib, headless); run it off the event loop."""

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        axes.bar([d.strftime("%m-%d") for d, _ in days], [n for _, n in days], color="#3949ab")
        axes.set_title("Answers per day, last 4 weeks")
        axes.tick_params(axis="x", labelrotation=90, labelsize=7)
        axes.set_ylabel("answers")
        figure.tight_layout()

    return render_png(8, 3, draw)
