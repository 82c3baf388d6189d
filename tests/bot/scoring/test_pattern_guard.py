"""Guard literals and factored word lists: each may only ever make a scan cheaper, never change what it finds."""

from __future__ import annotations

import re
from functools import cache

import pytest

from bot.scoring.pattern_guard import factored, guarded, required_literals, splits_at_top, words_pattern
from bot.scoring.signals import lowered
from content.loader import load_bank
from tests.calibration.dataset import fitting_answers


def test_required_literals_of_simple_shapes() -> None:
    assert required_literals(r"\btrade-?offs?\b") == ("trade",)
    assert required_literals(r"\bi (decided|chose)\b") == ("decided", "chose")
    assert required_literals(r"\b(the call|the decision) was (mine|on me)\b") == (" was ",)
    assert required_literals(r"\d+%") is None
    # look-arounds take no characters, so the literals on both sides stay one literal
    assert required_literals(r"f(?<=\bf)1\b") == ("f1",)


def test_a_top_level_alternation_is_told_apart_from_a_grouped_one() -> None:
    assert splits_at_top("a|b")
    assert not splits_at_top("(?:a|b)c")
    assert not splits_at_top(r"[|]x")
    assert not splits_at_top(r"a\|b")


def test_factoring_groups_fragments_by_their_first_letter_and_keeps_the_rest() -> None:
    assert factored(["because", "before", r"\d+x"]) == r"\d+x|b(?:ecause|efore)"
    pattern = re.compile(words_pattern(["because", "be\\w+", "f1", "(?:a|b)c"]))
    assert pattern.findall("because f1 af1 ac bc xbc bees abecause") == ["because", "f1", "ac", "bc", "bees"]


@cache
def _texts() -> list[str]:
    bank = load_bank()
    texts = [a.text.lower() for a in fitting_answers()[::8]]
    return texts + [e.text.lower() for r in bank.rubrics.values() for e in r.exemplars]


@pytest.mark.parametrize("field", ["outcome_terms", "causal_markers", "hedges", "negators", "mechanisms", "buzzwords"])
def test_a_factored_word_list_finds_what_the_plain_alternation_finds(field: str) -> None:
    fragments = getattr(load_bank().language, field)
    plain = lowered(r"\b(?:" + "|".join(fragments) + r")\b")
    fast = lowered(words_pattern(fragments))
    for text in _texts():
        assert {m.start() for m in fast.finditer(text)} == {m.start() for m in plain.finditer(text)}, field


def test_no_guard_ever_hides_a_match_in_real_answers() -> None:
    bank = load_bank()
    sources = [p for r in bank.rubrics.values() for c in r.criteria for p in c.signals]
    sources += [p for r in bank.rubrics.values() for s in r.structure for p in s.signals]
    sources += [p for r in bank.rubrics.values() for a in r.anti_patterns for p in a.patterns]
    patterns = guarded(sources, lowered)
    checked = 0
    for text in _texts():
        for pattern in patterns:
            if pattern.regex.search(text):
                checked += 1
                assert pattern.may_match(text), (pattern.regex.pattern, pattern.guard)
    assert checked > 1000
