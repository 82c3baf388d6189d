"""The engine agrees with hand grades on the calibration set, held-out part included."""

from __future__ import annotations

from collections import Counter

from bot.scoring.engine import FeedbackEngine
from content.loader import load_bank
from tests.calibration.agreement import Agreement, agreement, load_calibration, scored


def test_set_shape() -> None:
    answers = load_calibration()
    assert len(answers) >= 60
    assert {a.category for a in answers} == set(load_bank().categories)
    splits = Counter(a.split for a in answers)
    assert splits["holdout"] >= 24 and splits["tune"] >= 40
    tune_questions = {a.question for a in answers if a.split == "tune"}
    assert not tune_questions & {a.question for a in answers if a.split == "holdout"}
    kinds = Counter(a.kind for a in answers)
    for kind in ("buzzwords", "rambling", "terse_strong", "vague_confident"):
        assert kinds[kind] >= 4, kind


def split(engine: FeedbackEngine, name: str) -> Agreement:
    return agreement(engine, [a for a in load_calibration() if a.split == name])


def test_tuning_agreement(engine: FeedbackEngine) -> None:
    result = split(engine, "tune")
    assert result.spearman >= 0.8
    assert result.pairwise >= 0.9
    assert result.kappa >= 0.75


def test_held_out_agreement(engine: FeedbackEngine) -> None:
    result = split(engine, "holdout")
    assert result.spearman >= 0.7
    assert result.pairwise >= 0.9
    assert result.kappa >= 0.6


def test_adversarial_answers_never_get_flattering_scores(engine: FeedbackEngine) -> None:
    for answer, score in scored(engine, load_calibration()):
        if answer.kind in ("buzzwords", "one_line"):
            assert score <= 2.0, answer.id
        if answer.kind == "vague_confident":
            assert score <= 2.6, answer.id
        if answer.kind == "strong":
            assert score >= 3.5, answer.id
