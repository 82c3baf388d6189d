"""The progress chart PNG: a size chat clients show well, every criterion line within reason."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.progress_chart import MAX_CRITERIA_LINES, charted_criteria, progress_chart
from bot.progress_series import ScoredAnswer, progress_series
from tests.png import assert_sensible_chart
from tests.shipped import shipped_bank

TODAY = date(2026, 3, 2)


def many_answers(count: int) -> list[ScoredAnswer]:
    bank = shipped_bank()
    questions = list(bank.questions.values())
    answers = []
    for i in range(count):
        question = questions[(i * 7) % len(questions)]
        rubric = bank.rubric_for(question)
        scores = tuple((c.id, 1 + (i + j) % 5) for j, c in enumerate(rubric.criteria))
        when = datetime(2026, 3, 2, 9, tzinfo=UTC) - timedelta(days=i)
        answers.append(ScoredAnswer(when, question.id, 1 + (i % 4), scores))
    return answers


def test_the_chart_is_a_png_of_sensible_size() -> None:
    assert_sensible_chart(progress_chart(progress_series(many_answers(60), shipped_bank(), TODAY)))


def test_a_single_answer_still_draws() -> None:
    assert_sensible_chart(progress_chart(progress_series(many_answers(1), shipped_bank(), TODAY)))


def test_at_most_ten_criteria_are_drawn_and_the_weakest_is_one_of_them() -> None:
    series = progress_series(many_answers(60), shipped_bank(), TODAY)
    assert len(series.criteria) > MAX_CRITERIA_LINES
    shown = charted_criteria(series)
    assert len(shown) == MAX_CRITERIA_LINES
    assert series.weakest is not None and series.criteria.index(series.weakest) in shown
