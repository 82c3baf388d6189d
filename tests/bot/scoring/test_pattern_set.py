"""A pattern set finds exactly what running every pattern over every sentence would find, only faster."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Hashable
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scoring.engine import FeedbackEngine
from bot.scoring.pattern_guard import required_literals
from bot.scoring.pattern_set import Hit, PatternSet, _matches
from bot.scoring.sentence_scan import JoinedSentences
from bot.scoring.signals import lowered
from bot.scoring.text import read_answer, spelled_out
from tests.calibration.dataset import fitting_answers
from tests.shipped import shipped_engine


def naive(patterns: list[tuple[Hashable, str]], joined: JoinedSentences) -> set[tuple[Hashable, int, int]]:
    """Every pattern, unguarded and as written, over every sentence."""
    found = set()
    for key, source in patterns:
        regex = _compiled(source)
        for index, sentence in enumerate(joined.sentences):
            found.update((key, index, m.start()) for m in regex.finditer(sentence))
    return found


def found_by(pattern_set: PatternSet[Hashable], joined: JoinedSentences) -> set[tuple[Hashable, int, int]]:
    hits = pattern_set.find(joined)
    return {(key, h.sentence, h.start) for key in hits._by_key for h in hits.of(key)}


@cache
def _compiled(source: str) -> re.Pattern[str]:
    return lowered(source)


@cache
def behavioral_patterns() -> tuple[list[tuple[Hashable, str]], PatternSet[Hashable]]:
    """The reader's and the behavioral rubric's patterns, and their set."""
    patterns = list(shipped_engine()._rubrics["behavioral"].patterns.sources)
    return patterns, PatternSet(patterns, lowered)


def in_scan_order(patterns: list[tuple[Hashable, str]], joined: JoinedSentences) -> dict[Hashable, list[Hit]]:
    """Each key's hits as a plain scan gives them: the patterns with no guard literal over the whole answer
    first, then sentence by sentence, pattern by pattern; a place two patterns of one key match counts once."""
    found: dict[Hashable, list[Hit]] = {}
    seen = set()

    def add(key: Hashable, sentence: int, start: int, text: str) -> None:
        if (key, sentence, start) not in seen:
            seen.add((key, sentence, start))
            found.setdefault(key, []).append(Hit(sentence, start, text))

    unguarded = [required_literals(_compiled(source).pattern) is None for _, source in patterns]
    for (key, source), whole in zip(patterns, unguarded, strict=True):
        if whole:
            for m in _compiled(source).finditer(joined.text):
                index = bisect_right(joined.starts, m.start()) - 1
                if m.end() - joined.starts[index] <= len(joined.sentences[index]):
                    add(key, index, m.start() - joined.starts[index], m.group(0))
    for index, sentence in enumerate(joined.sentences):
        for (key, source), whole in zip(patterns, unguarded, strict=True):
            if not whole:
                for m in _compiled(source).finditer(sentence):
                    add(key, index, m.start(), m.group(0))
    return found


def test_matches_with_a_word_start_behave_like_a_leading_word_boundary() -> None:
    regex = re.compile(r"f1|\$\d|we\s+\w+ed")
    for text in ["af1 f1", "f1f1 f1", "x$5 $5", "awe we tested", "we we added", ""]:
        expected = [(m.start(), m.group(0)) for m in re.finditer(r"\b(?:f1|\$\d|we\s+\w+ed)", text)]
        assert [(m.start(), m.group(0)) for m in _matches(regex, text, word_start=True)] == expected, text


def test_real_answers_give_the_same_matches(engine: FeedbackEngine) -> None:
    patterns, pattern_set = behavioral_patterns()
    abbreviations = engine.reader.abbreviations
    for answer in fitting_answers()[::15]:
        joined = JoinedSentences([spelled_out(s, abbreviations) for s in read_answer(answer.text).sentences])
        assert found_by(pattern_set, joined) == naive(patterns, joined), answer.id


def test_hits_come_in_the_order_of_a_plain_scan(engine: FeedbackEngine) -> None:
    patterns, pattern_set = behavioral_patterns()
    abbreviations = engine.reader.abbreviations
    for answer in fitting_answers()[::40]:
        joined = JoinedSentences([spelled_out(s, abbreviations) for s in read_answer(answer.text).sentences])
        hits = pattern_set.find(joined)
        assert {key: hits.of(key) for key in hits._by_key if hits.of(key)} == in_scan_order(patterns, joined)


WORDS = [
    "we",
    "i",
    "the",
    "team",
    "decided",
    "because",
    "so",
    "gold",
    "set",
    "label",
    "labels",
    "not",
    "never",
    "cut",
    "review",
    "qa",
    "from",
    "to",
    "30%",
    "12",
    "$5",
    "f1",
    "3x",
    "instead",
    "of",
    "would",
    "i'd",
    "-",
    "->",
    "annotators",
    "more",
    "add",
    "fix",
    "it",
    "later",
    "customer",
    "wasn't",
    "trade-off",
]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25), min_size=1, max_size=6))
def test_any_text_gives_the_same_matches(sentences: list[list[str]]) -> None:
    patterns, pattern_set = behavioral_patterns()
    joined = JoinedSentences([" ".join(words) for words in sentences])
    assert found_by(pattern_set, joined) == naive(patterns, joined)
    hits = pattern_set.find(joined)
    assert {key: hits.of(key) for key in hits._by_key if hits.of(key)} == in_scan_order(patterns, joined)
