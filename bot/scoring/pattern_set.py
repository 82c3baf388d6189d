"""Run many keyed regex patterns over an answer's sentences at the cost of one pass.

Each pattern is guarded by literals one of which every match contains (pattern_guard.py). One Aho-Corasick
pass over the answer finds every occurrence of every guard literal; a pattern then runs only on the
sentences that hold one of its literals. Patterns without a usable guard run on every sentence."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Generic, NamedTuple, TypeVar

import ahocorasick

from bot.scoring.pattern_guard import required_literals, splits_at_top
from bot.scoring.sentence_scan import JoinedSentences

K = TypeVar("K", bound=Hashable)


class Hit(NamedTuple):
    """One match: the sentence it is in, where it starts there, and the text it matched."""

    sentence: int
    start: int
    text: str


class Hits(Generic[K]):
    """Every match of a pattern set in one answer, by key."""

    def __init__(self) -> None:
        self._by_key: dict[K, list[Hit]] = defaultdict(list)

    def add(self, key: K, hit: Hit) -> None:
        """Record a match."""
        self._by_key[key].append(hit)

    def of(self, key: K) -> list[Hit]:
        """The matches of one key, in no particular order (distinct starts only)."""
        return self._by_key.get(key, [])

    def sentences(self, key: K, keep: Callable[[int, int], bool] | None = None) -> set[int]:
        """Indexes of the sentences with a match of `key` (that `keep(sentence, start)` accepts, if given)."""
        return {h.sentence for h in self.of(key) if keep is None or keep(h.sentence, h.start)}


class PatternSet(Generic[K]):
    """Keyed patterns (several may share a key), compiled once and run together."""

    def __init__(self, patterns: Iterable[tuple[K, str]], compile_: Callable[[str], re.Pattern[str]]) -> None:
        self.sources: tuple[tuple[K, str], ...] = tuple(patterns)
        self._patterns: list[tuple[K, re.Pattern[str]]] = []
        self._unguarded: list[int] = []
        self._word_start: set[int] = set()
        literal_owners: dict[str, list[int]] = defaultdict(list)
        for key, source in self.sources:
            regex = compile_(source)
            if regex.pattern.startswith("\\b") and not splits_at_top(regex.pattern):
                # A leading \b stops the regex engine from jumping to where a match could start; the boundary
                # is checked on each match instead (see _matches), which finds exactly the same matches.
                regex = re.compile(regex.pattern[2:], regex.flags)
                self._word_start.add(len(self._patterns))
            index = len(self._patterns)
            self._patterns.append((key, regex))
            literals = required_literals(regex.pattern)
            if literals is None:
                self._unguarded.append(index)
            else:
                for literal in literals:
                    literal_owners[literal].append(index)
        self._automaton: ahocorasick.Automaton | None = None
        if literal_owners:
            automaton = ahocorasick.Automaton()
            for literal, owners in literal_owners.items():
                automaton.add_word(literal, (len(literal), frozenset(owners)))
            automaton.make_automaton()
            self._automaton = automaton

    def find(self, joined: JoinedSentences) -> Hits[K]:
        """Every match in the answer's sentences."""
        sentences, starts = joined.sentences, joined.starts
        hits: Hits[K] = Hits()
        seen: set[tuple[K, int, int]] = set()
        for pattern in self._unguarded:  # one scan of the whole answer costs less than one per sentence
            key, regex = self._patterns[pattern]
            for match in _matches(regex, joined.text, pattern in self._word_start):
                index = bisect_right(starts, match.start()) - 1
                start = match.start() - starts[index]
                if match.end() - starts[index] <= len(sentences[index]) and (key, index, start) not in seen:
                    seen.add((key, index, start))
                    hits.add(key, Hit(index, start, match.group(0)))
        if self._automaton is None or not joined.text:
            return hits
        owners_by_sentence: list[set[frozenset[int]]] = [set() for _ in sentences]
        for end, (length, owners) in self._automaton.iter(joined.text):
            owners_by_sentence[bisect_right(starts, end - length + 1) - 1].add(owners)
        patterns, word_start = self._patterns, self._word_start
        for sentence, owner_sets in enumerate(owners_by_sentence):
            if not owner_sets:
                continue
            text = sentences[sentence]
            for pattern in sorted(frozenset().union(*owner_sets)):
                key, regex = patterns[pattern]
                for match in _matches(regex, text, pattern in word_start):
                    mark = (key, sentence, match.start())
                    if mark not in seen:  # two patterns of one key matching at one place count once
                        seen.add(mark)
                        hits.add(key, Hit(sentence, match.start(), match.group(0)))
        return hits


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _at_word_boundary(text: str, position: int) -> bool:
    """What \\b asserts at `position`."""
    before = position > 0 and _is_word(text[position - 1])
    after = position < len(text) and _is_word(text[position])
    return before != after


def _matches(regex: re.Pattern[str], text: str, word_start: bool) -> Iterator[re.Match[str]]:
    """regex.finditer(text); with `word_start`, as if the pattern began with \\b."""
    if not word_start:
        yield from regex.finditer(text)
        return
    position = 0
    while position <= len(text):
        match = regex.search(text, position)
        if match is None:
            return
        if _at_word_boundary(text, match.start()):
            yield match
            position = match.end() if match.end() > match.start() else match.start() + 1
        else:
            position = match.start() + 1
