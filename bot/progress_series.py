"""The data behind a member's progress chart: every answer's overall score over time, and each rubric
criterion's weekly mean over the last eight weeks. Pure functions of the stored scores and the bank."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import mean

from content.loader import Bank

TREND_WEEKS = 8


@dataclass(frozen=True)
class ScoredAnswer:
    """One stored answer as the chart sees it: when, to what, its overall score and its score per criterion."""

    at: datetime
    question_id: str
    overall: float
    criteria: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class CriterionTrend:
    """One rubric criterion: its mean score per week (None for weeks without an answer) and overall."""

    rubric_id: str
    criterion_id: str
    name: str
    rubric_name: str
    five: str  # the rubric's "what a 5 looks like"
    weekly: tuple[float | None, ...]
    mean: float
    answers: int

    @property
    def label(self) -> str:
        """The criterion's name with its rubric, as a chart legend shows it."""
        return f"{self.name} ({self.rubric_name})"


@dataclass(frozen=True)
class ProgressSeries:
    """What the progress chart plots: overall scores oldest first, and the criterion trends by week."""

    overall: tuple[tuple[datetime, float], ...]
    week_starts: tuple[date, ...]
    criteria: tuple[CriterionTrend, ...]

    @property
    def weakest(self) -> CriterionTrend | None:
        """The criterion with the lowest mean over the trend weeks (more answers first on a tie)."""
        if not self.criteria:
            return None
        return min(self.criteria, key=lambda c: (c.mean, -c.answers))


def progress_series(answers: Sequence[ScoredAnswer], bank: Bank, today: date) -> ProgressSeries:
    """The chart's data: every answer's overall score, and each criterion's weekly mean over the last 8 weeks
    (the last week ends today). Criteria of questions no longer in the bank are left out."""
    first = today - timedelta(days=TREND_WEEKS * 7 - 1)
    week_starts = tuple(first + timedelta(days=7 * week) for week in range(TREND_WEEKS))
    scores: dict[tuple[str, str], list[list[int]]] = {}
    for answer in answers:
        week = (answer.at.date() - first).days // 7
        question = bank.questions.get(answer.question_id)
        if question is None or not 0 <= week < TREND_WEEKS:
            continue
        for criterion_id, score in answer.criteria:
            weeks = scores.setdefault((question.rubric, criterion_id), [[] for _ in range(TREND_WEEKS)])
            weeks[week].append(score)
    trends = []
    for (rubric_id, criterion_id), weeks in scores.items():
        rubric = bank.rubrics[rubric_id]
        try:
            criterion = rubric.criterion(criterion_id)
        except KeyError:  # the rubric changed since the answer was scored
            continue
        every = [s for week in weeks for s in week]
        trends.append(
            CriterionTrend(
                rubric_id=rubric_id,
                criterion_id=criterion_id,
                name=criterion.name,
                rubric_name=rubric.name,
                five=criterion.levels.five,
                weekly=tuple(round(float(mean(week)), 2) if week else None for week in weeks),
                mean=round(float(mean(every)), 2),
                answers=len(every),
            )
        )
    overall = tuple(sorted((a.at, a.overall) for a in answers))
    return ProgressSeries(overall, week_starts, tuple(trends))


def criterion_scores(stored: dict[str, object] | None) -> tuple[tuple[str, int], ...]:
    """(criterion id, score) pairs from stored feedback; nothing for missing or malformed data."""
    raw = (stored or {}).get("criteria")
    if not isinstance(raw, list):
        return ()
    pairs = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("score"), int | float):
            pairs.append((str(item["id"]), int(item["score"])))
    return tuple(pairs)
