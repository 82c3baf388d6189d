"""Every shipped file loads, validates and meets the bank's coverage counts."""

from __future__ import annotations

import re

import pytest

from content.loader import Bank, check_bank
from content.schema import MAX_QUESTION_CHARS

EXPECTED_CATEGORIES = (
    "recruiter_screen",
    "behavioral",
    "technical",
    "cross_functional",
    "leadership",
    "metrics",
    "system_design",
    "culture",
)


def test_shipped_bank_has_no_problems() -> None:
    _, problems = check_bank()
    assert problems == []


def test_bank_counts(bank: Bank) -> None:
    assert len(bank.questions) >= 120
    for category in EXPECTED_CATEGORIES:
        assert len(bank.in_category(category)) >= 12, category


def test_one_rubric_per_category(bank: Bank) -> None:
    for category in EXPECTED_CATEGORIES:
        rubric = bank.rubric_for_category(category)
        assert rubric.id == category
        assert 3 <= len(rubric.criteria) <= 6
        assert {e.kind for e in rubric.exemplars} == {"strong", "weak"}


def test_loop_has_five_rounds_with_their_lengths(bank: Bank) -> None:
    loop = [(r.id, r.minutes) for r in bank.loop_rounds()]
    assert loop == [
        ("recruiter_screen", 30),
        ("hiring_manager", 45),
        ("technical_deep_dive", 60),
        ("cross_functional", 60),
        ("leadership_panel", 45),
    ]
    for round_ in bank.rounds.values():
        assert bank.in_round(round_.id), f"round {round_.id} has no questions"


def test_every_question_fits_one_chat_message_and_spans_difficulties(bank: Bank) -> None:
    for category in EXPECTED_CATEGORIES:
        questions = bank.in_category(category)
        assert {q.difficulty for q in questions} == {1, 2, 3}, category
    assert all(len(q.text) <= MAX_QUESTION_CHARS for q in bank.questions.values())


def test_behavioral_rubric_expects_dart_structure(bank: Bank) -> None:
    parts = {p.id for p in bank.rubric_for_category("behavioral").structure}
    assert {"decision", "alternatives", "result", "trade_off"} <= parts


def test_system_design_rubric_expects_the_design_arc(bank: Bank) -> None:
    parts = [p.id for p in bank.rubric_for_category("system_design").structure]
    assert parts[:5] == ["objective", "data_strategy", "model_integration", "evaluation_loop", "scaling"]


@pytest.mark.parametrize(
    ("category", "bad_sentence"),
    [
        ("cross_functional", "First I would set up a meeting with both leads to align."),
        ("cross_functional", "I'd loop in the VP so they can make the call."),
        ("technical", "I would add more reviewers to catch the mistakes."),
        ("metrics", "We would ramp up the number of annotators to hit the deadline."),
        ("behavioral", "I collaborated with stakeholders to deliver the project on time."),
    ],
)
def test_seed_failure_stories_are_anti_patterns(bank: Bank, category: str, bad_sentence: str) -> None:
    rubric = bank.rubric_for_category(category)
    assert any(
        re.search(pattern, bad_sentence, re.IGNORECASE) for ap in rubric.anti_patterns for pattern in ap.patterns
    ), bad_sentence


def test_exemplars_of_every_rubric_answer_a_question_of_its_category(bank: Bank) -> None:
    for rubric in bank.rubrics.values():
        for exemplar in rubric.exemplars:
            assert bank.question(exemplar.question).category == rubric.category
