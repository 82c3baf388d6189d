"""Guard literals and factored word lists: each may only ever make a scan cheaper, never change what it finds."""

from __future__ import annotations

import re
from functools import cache

import pytest

from bot.scoring.pattern_guard import (
    WHITESPACE,
    LiteralForm,
    factored,
    guarded,
    literal_forms,
    literal_prefixes,
    required_literals,
    scanning,
    splits_at_top,
    words_pattern,
)
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


def test_literal_forms_list_what_a_finite_pattern_matches_in_the_order_the_engine_tries_it() -> None:
    assert literal_forms(re.compile(r"\btrade-?offs?\b")) == (
        ("trade-offs", (0, 10)),
        ("trade-off", (0, 9)),
        ("tradeoffs", (0, 9)),
        ("tradeoff", (0, 8)),
    )
    # a look-behind right after a word's first letter is a boundary before that letter
    assert literal_forms(re.compile(words_pattern(["we", "the team"]))) == (("we", (0, 2)), ("the team", (0, 8)))
    assert literal_forms(re.compile(r"(?:ab){1,2}c")) == (("ababc", ()), ("abc", ()))
    for infinite in (r"\d+%", r"ab\w*", r"[a-z]x", r"a.b", r"(?i)ab", r"ab??", r"a(?=b)"):
        assert literal_forms(re.compile(infinite)) is None, infinite


def test_literal_prefixes_are_how_every_match_starts() -> None:
    # a class of spaces is the characters it matches (\s: WHITESPACE), one of which follows
    assert literal_prefixes(re.compile(r"(?:w(?<=\bw)e|t(?<=\bt)hey)\s+\w+ed")) == tuple(
        (word + space, (0,)) for word in ("we", "they") for space in WHITESPACE
    )
    assert literal_prefixes(re.compile(r"(?<!not )\bcut (?:it|them)\b.{0,9}x")) == (
        ("cut it", (0, 6)),
        ("cut them", (0, 8)),
    )
    assert literal_prefixes(re.compile(r"\d+%")) is None
    assert literal_prefixes(re.compile(r"a\w+")) is None, "too short to look for"


def _simulated(forms: tuple[LiteralForm, ...], text: str) -> list[tuple[int, str]]:
    """finditer as literal_forms says the regex engine behaves: at each position the first form that fits, and
    the next match no earlier than where this one ends."""
    starts = sorted({at for form, _ in forms for at in _occurrences(form, text)})
    out, resume = [], 0
    for position in starts:
        if position < resume:
            continue
        fits = (
            form
            for form, bounds in forms
            if text.startswith(form, position) and all(_boundary(text, position + at) for at in bounds)
        )
        form = next(fits, None)
        if form is not None:
            out.append((position, form))
            resume = position + len(form)
    return out


def _occurrences(form: str, text: str) -> list[int]:
    out, at = [], text.find(form)
    while at >= 0:
        out.append(at)
        at = text.find(form, at + 1)
    return out


def _boundary(text: str, at: int) -> bool:
    def word(i: int) -> bool:
        return 0 <= i < len(text) and (text[i].isalnum() or text[i] == "_")

    return word(at - 1) != word(at)


def test_every_shipped_finite_pattern_matches_exactly_its_forms_in_real_answers() -> None:
    bank = load_bank()
    sources = [p for r in bank.rubrics.values() for c in r.criteria for p in c.signals]
    sources += [p for r in bank.rubrics.values() for a in r.anti_patterns for p in a.patterns]
    language = bank.language
    sources += [words_pattern([w]) for w in (*language.mechanisms, *language.outcome_terms, *language.hedges)]
    finite = [(regex, forms) for regex in map(lowered, sources) if (forms := literal_forms(regex)) is not None]
    assert len(finite) > 200
    for text in _texts():
        for regex, forms in finite:
            assert _simulated(forms, text) == [(m.start(), m.group(0)) for m in regex.finditer(text)], regex.pattern


def test_whitespace_is_what_a_class_of_spaces_matches() -> None:
    assert "".join(chr(code) for code in range(0x110000) if re.fullmatch(r"\s", chr(code))) == WHITESPACE


@pytest.mark.parametrize("field", ["negators", "distancing", "activity_nouns", "causal_markers", "hedges"])
def test_the_scanning_form_of_a_word_list_finds_what_it_finds(field: str) -> None:
    regex = lowered(words_pattern(getattr(load_bank().language, field)))
    fast = scanning(regex)
    assert fast.pattern != regex.pattern
    for text in _texts():
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in regex.finditer(text)], field
