"""The progress chart as a PNG: overall score per answer on top, each criterion's weekly trend below."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bot.charts import render_png
from bot.progress_series import TREND_WEEKS, ProgressSeries

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_INCHES = 11.0
HEIGHT_INCHES = 7.5
MAX_CRITERIA_LINES = 10  # the most-answered criteria; the weakest is always among them
LEGEND_CHARS = 42


def charted_criteria(series: ProgressSeries) -> list[int]:
    """Indexes of the criteria drawn: the most answered ones, the weakest always included."""
    order = sorted(range(len(series.criteria)), key=lambda i: (-series.criteria[i].answers, i))
    shown = order[:MAX_CRITERIA_LINES]
    weakest = series.weakest
    if weakest is not None:
        index = series.criteria.index(weakest)
        if index not in shown:
            shown[-1] = index
    return sorted(shown)


def progress_chart(series: ProgressSeries) -> bytes:
    """The chart as PNG bytes (1100 x 750 px); CPU work, so call it through `asyncio.to_thread`."""

    def draw(figure: Figure) -> None:
        overall, trend = figure.subplots(2, 1, gridspec_kw={"height_ratios": (1, 1.2)})
        times = [at for at, _ in series.overall]
        overall.plot(times, [score for _, score in series.overall], marker="o", color="#3949ab")
        overall.set_title("Overall score per answer")
        overall.set_ylim(0, 5.2)
        overall.set_ylabel("score /5")
        overall.grid(alpha=0.3)
        overall.tick_params(axis="x", labelrotation=30, labelsize=8)
        weeks = [start.strftime("%m-%d") for start in series.week_starts]
        for index in charted_criteria(series):
            criterion = series.criteria[index]
            values = [math.nan if v is None else v for v in criterion.weekly]
            width = 2.5 if criterion is series.weakest else 1.2
            trend.plot(weeks, values, marker="o", linewidth=width, label=_short(criterion.label))
        trend.tick_params(axis="x", labelsize=8)
        trend.set_title(f"Each criterion, mean per week (last {TREND_WEEKS} weeks; weeks start on the date shown)")
        trend.set_ylim(0, 5.2)
        trend.set_ylabel("score /5")
        trend.grid(alpha=0.3)
        if series.criteria:
            trend.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
        figure.subplots_adjust(left=0.07, right=0.7, hspace=0.45, bottom=0.08, top=0.94)

    return render_png(WIDTH_INCHES, HEIGHT_INCHES, draw)


def _short(label: str) -> str:
    return label if len(label) <= LEGEND_CHARS else label[: LEGEND_CHARS - 1] + "…"
