"""A guard literal may skip a pattern only when the pattern certainly cannot match."""

from __future__ import annotations

import re

from bot.scoring.pattern_guard import guarded, guarded_terms, required_literals
from bot.scoring.sentence_scan import JoinedSentences
from bot.scoring.signals import lowered
from content.loader import load_bank
from tests.calibration.agreement import load_calibration


def test_required_literals_of_simple_shapes() -> None:
    assert required_literals(r"\btrade-?offs?\b") == ("trade",)
    assert required_literals(r"\bi (decided|chose)\b") == ("decided", "chose")
    assert required_literals(r"\b(the call|the decision) was (mine|on me)\b") == (" was ",)
    assert required_literals(r"\d+%") is None


def test_no_guard_ever_hides_a_match_in_real_answers() -> None:
    bank = load_bank()
    sources = [p for r in bank.rubrics.values() for c in r.criteria for p in c.signals]
    sources += [p for r in bank.rubrics.values() for s in r.structure for p in s.signals]
    sources += [p for r in bank.rubrics.values() for a in r.anti_patterns for p in a.patterns]
    patterns = guarded(sources, lowered)
    patterns += guarded_terms(bank.language.mechanisms, lowered) + guarded_terms(bank.language.buzzwords, lowered)
    texts = [a.text.lower() for a in load_calibration()]
    texts += [e.text.lower() for r in bank.rubrics.values() for e in r.exemplars]
    checked = 0
    for text in texts:
        for pattern in patterns:
            if pattern.regex.search(text):
                checked += 1
                assert pattern.may_match(text), (pattern.regex.pattern, pattern.guard)
    assert checked > 1000


def test_joined_sentences_map_matches_back_to_their_sentence() -> None:
    joined = JoinedSentences(["We cut scope by 30%.", "Nothing here", "Then 12 people left"])
    found = [(i, m.group(0)) for i, _, m in joined.matches(re.compile(r"\d+"))]
    assert found == [(0, "30"), (2, "12")]
    assert joined.sentences_containing(["scope", "people"]) == [0, 2]
    assert [(i, s) for i, s, _ in joined.matches_in(re.compile(r"people"), ("people",))] == [(2, 8)]
