"""The progress chart's data as a pure function of stored scores: overall per answer, criteria by week."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.progress_series import TREND_WEEKS, ScoredAnswer, criterion_scores, progress_series
from tests.shipped import shipped_bank

TODAY = date(2026, 3, 2)


def at(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC).replace(hour=10)


def behavioral(days_ago: int, overall: float, **scores: int) -> ScoredAnswer:
    return ScoredAnswer(at(days_ago), "beh-001", overall, tuple(scores.items()))


def test_overall_scores_are_every_answer_oldest_first() -> None:
    answers = [behavioral(1, 3.4), behavioral(100, 1.5), behavioral(20, 2.8)]
    series = progress_series(answers, shipped_bank(), TODAY)
    assert series.overall == ((at(100), 1.5), (at(20), 2.8), (at(1), 3.4))


def test_criteria_are_weekly_means_over_the_last_eight_weeks_ending_today() -> None:
    answers = [
        behavioral(0, 3.0, decision_ownership=4, trade_offs=1),
        behavioral(3, 3.0, decision_ownership=2, trade_offs=2),
        behavioral(7 * TREND_WEEKS - 1, 2.0, decision_ownership=5),  # the first day of the first week
        behavioral(7 * TREND_WEEKS, 2.0, decision_ownership=1),  # one day too old for the trend
    ]
    series = progress_series(answers, shipped_bank(), TODAY)
    assert series.week_starts[0] == TODAY - timedelta(days=7 * TREND_WEEKS - 1)
    assert series.week_starts[-1] == TODAY - timedelta(days=6)
    trends = {c.criterion_id: c for c in series.criteria}
    assert trends["decision_ownership"].weekly == (5.0, None, None, None, None, None, None, 3.0)
    assert trends["decision_ownership"].answers == 3 and trends["decision_ownership"].mean == round(11 / 3, 2)
    assert trends["trade_offs"].weekly[-1] == 1.5
    assert len(series.overall) == 4, "old answers still count on the overall line"


def test_the_weakest_criterion_has_the_lowest_mean_and_its_level_five_from_the_rubric() -> None:
    answers = [behavioral(2, 3.0, decision_ownership=4, trade_offs=2, measured_result=2)]
    answers.append(behavioral(9, 3.0, trade_offs=2))
    series = progress_series(answers, shipped_bank(), TODAY)
    weakest = series.weakest
    assert weakest is not None and weakest.criterion_id == "trade_offs", "a tie goes to the more answered one"
    rubric = shipped_bank().rubrics["behavioral"]
    assert weakest.five == rubric.criterion("trade_offs").levels.five
    assert weakest.label == f"{rubric.criterion('trade_offs').name} ({rubric.name})"


def test_no_recent_answers_means_no_trend_and_no_weakest() -> None:
    series = progress_series([behavioral(90, 2.0, trade_offs=1)], shipped_bank(), TODAY)
    assert series.criteria == () and series.weakest is None and len(series.overall) == 1


def test_questions_and_criteria_no_longer_in_the_bank_are_left_out_of_the_trend() -> None:
    gone = ScoredAnswer(at(1), "zzz-999", 2.0, (("trade_offs", 1),))
    renamed = behavioral(1, 2.0, no_such_criterion=1)
    series = progress_series([gone, renamed], shipped_bank(), TODAY)
    assert series.criteria == () and len(series.overall) == 2


def test_stored_feedback_that_is_missing_or_malformed_gives_no_scores() -> None:
    assert criterion_scores(None) == ()
    assert criterion_scores({"criteria": "oops"}) == ()
    stored = {
        "criteria": [{"id": "a", "score": 3}, {"id": 4, "score": 1}, {"score": 2}, "x", {"id": "b", "score": "5"}]
    }
    assert criterion_scores(stored) == (("a", 3),)
