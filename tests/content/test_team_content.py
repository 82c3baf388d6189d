"""Categories, rounds and vocabulary are data: a team adds a category of its own and tunes the words read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.channel_settings import ChannelSettings, SetupError, apply_setup_words
from bot.scoring.engine import FeedbackEngine
from content.loader import check_bank, load_bank
from content.rotation import next_question
from tests.content.factories import question, rubric, write_bank


def product_sense_dir(root: Path) -> Path:
    sense = rubric("product_sense", "product_sense")
    for exemplar in sense["exemplars"]:
        exemplar["question"] = "ps-001"
    asked = question("ps-001", "product_sense") | {"category": "product_sense", "round": "product_sense"}
    write_bank(root, [sense], [asked])
    rounds = {
        "rounds": [
            {
                "id": "product_sense",
                "name": "Product sense",
                "minutes": 45,
                "description": "A product case from user problem to launch metric.",
                "categories": ["product_sense"],
            }
        ]
    }
    (root / "rounds.yaml").write_text(yaml.safe_dump(rounds))
    return root


def test_a_team_adds_a_category_with_its_rubric_and_round(tmp_path: Path) -> None:
    bank = load_bank([product_sense_dir(tmp_path)])
    assert "product_sense" in bank.categories and "product_sense" in bank.rounds
    settings = apply_setup_words(ChannelSettings(), ["tracks=product_sense"], bank.categories)
    assert settings.tracks == ("product_sense",)
    picked = next_question(
        list(bank.questions.values()), tracks=settings.tracks, difficulty=(1, 3), history=[], seed="s"
    )
    assert picked.id == "ps-001"
    feedback = FeedbackEngine(bank).score("I decided to cut the onboarding tour.", category="product_sense")
    assert feedback.category == "product_sense"
    with pytest.raises(SetupError, match="unknown track 'astrology'"):
        apply_setup_words(ChannelSettings(), ["tracks=astrology"], bank.categories)


def test_a_question_in_an_unknown_round_is_named(tmp_path: Path) -> None:
    asked = question() | {"round": "karaoke"}
    _, problems = check_bank([write_bank(tmp_path, [rubric()], [asked])])
    assert [p.message for p in problems] == [
        "unknown round 'karaoke' (one of: recruiter_screen, hiring_manager, technical_deep_dive, cross_functional, "
        "leadership_panel, metrics, system_design)"
    ]


def test_a_teams_language_file_replaces_the_lists_it_names(tmp_path: Path) -> None:
    root = write_bank(tmp_path, [rubric()], [question()])
    (root / "language.yaml").write_text(yaml.safe_dump({"language": {"buzzwords": ["moonshot\\w*"]}}))
    shipped, tuned = load_bank(), load_bank([root])
    assert tuned.language.buzzwords == ("moonshot\\w*",)
    assert tuned.language.mechanisms == shipped.language.mechanisms, "lists it does not name stay as shipped"
    moonshots = "Moonshot moonshots moonshotting, moonshot thinking for moonshot teams and moonshot goals always."
    category = tuned.categories[0]
    assert FeedbackEngine(tuned).read(moonshots, category=category)["buzzwords"] > 0
    assert FeedbackEngine(shipped).read(moonshots, category=category)["buzzwords"] == 0


def test_a_broken_language_fragment_is_named(tmp_path: Path) -> None:
    root = write_bank(tmp_path, [rubric()], [question()])
    (root / "language.yaml").write_text(yaml.safe_dump({"language": {"hedges": ["maybe(", "perhaps"]}}))
    _, problems = check_bank([root])
    assert len(problems) == 1 and "language.yaml: language: language.hedges" in str(problems[0])
    assert "not a valid regular expression" in problems[0].message
