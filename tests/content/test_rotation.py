"""Rotation never repeats a question before its track is exhausted and is stable for a seed."""

from __future__ import annotations

import pytest

from content.loader import Bank
from content.rotation import NoEligibleQuestion, next_question


def run(
    bank: Bank, tracks: set[str], days: int, seed: str = "chan-1", difficulty: tuple[int, int] = (1, 3)
) -> list[str]:
    history: list[str] = []
    for _ in range(days):
        history.append(
            next_question(
                list(bank.questions.values()), tracks=tracks, difficulty=difficulty, history=history, seed=seed
            ).id
        )
    return history


def test_no_repeat_until_track_exhausted_then_new_cycle(bank: Bank) -> None:
    size = len(bank.in_category("metrics"))
    history = run(bank, {"metrics"}, size * 2 + 3)
    first, second = history[:size], history[size : size * 2]
    assert len(set(first)) == size
    assert len(set(second)) == size
    assert first != second, "a new cycle gets a new order"
    assert first[-1] != second[0], "a cycle never opens with the question that closed the last one"


def test_stable_for_a_seed_and_different_across_seeds(bank: Bank) -> None:
    tracks = {"behavioral", "technical"}
    assert run(bank, tracks, 20, seed="a") == run(bank, tracks, 20, seed="a")
    assert run(bank, tracks, 20, seed="a") != run(bank, tracks, 20, seed="b")


def test_tracks_take_turns(bank: Bank) -> None:
    history = run(bank, {"behavioral", "technical", "metrics"}, 9)
    categories = [bank.question(q).category for q in history]
    for start in range(0, 9, 3):
        assert len(set(categories[start : start + 3])) == 3


def test_difficulty_range_is_respected(bank: Bank) -> None:
    history = run(bank, set(bank.categories), 40, difficulty=(3, 3))
    assert {bank.question(q).difficulty for q in history} == {3}
    assert len(set(history)) == 40


def test_all_tracks_exhausted_without_repeats(bank: Bank) -> None:
    total = len(bank.questions)
    history = run(bank, set(bank.categories), total)
    assert len(set(history)) == total


def test_no_eligible_question_is_a_clear_error(bank: Bank) -> None:
    with pytest.raises(NoEligibleQuestion, match="difficulty 4-5"):
        next_question(list(bank.questions.values()), tracks={"culture"}, difficulty=(4, 5), history=[], seed="x")
