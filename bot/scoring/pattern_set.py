"""Run many keyed regex patterns over an answer's sentences at the cost of one pass.

One Aho-Corasick pass over the answer finds every occurrence of a set of literals (most of them in the answer
with its non-word characters made spaces, where the word boundaries a literal asserts are spaces too), and each
pattern is run (or not run at all) according to what that pass found:

- most patterns are finite (a word list entry with its plural, a few spelled alternatives): every string such a
  pattern can match is one of the literals, and its matches are read off the occurrences without the regex
  (pattern_guard.literal_forms says which string the regex engine takes where several start at one place);
- a pattern whose matches all start with one of a few literals (`we ...`, `from ... to`) is tried only where
  one of them starts, with the word boundaries it asserts there in place;
- any other pattern is guarded by literals one of which every match contains, and runs only on the sentences
  that hold one of them; patterns with no usable literal run once over the whole answer. A pattern the regex
  engine would try at every place runs behind a one-character pattern over its possible first characters.

Each way finds exactly what running every pattern over every sentence finds, in the same order."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Generic, NamedTuple, TypeVar

import ahocorasick

from bot.scoring.pattern_guard import jumping, literal_forms, literal_prefixes, required_literals, splits_at_top
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


# Where a literal form asserts word boundaries: at both of its ends, at its start only, or elsewhere (listed).
_WHOLE, _OPENS, _LISTED = 0, 1, 2
# What a literal form is: a string a finite pattern matches, or the start of every match of a pattern tried
# only where one starts, in its sentence or (for a pattern run over the whole answer) anywhere.
_SPELLED, _ANCHORED, _ANCHORED_IN_TEXT = 0, 1, 2


class _Form(NamedTuple):
    """One literal form of a pattern; `rank` orders a finite pattern's strings as the regex engine tries them."""

    pattern: int
    kind: int  # _SPELLED, _ANCHORED or _ANCHORED_IN_TEXT
    rank: int
    bounds: int  # _WHOLE, _OPENS or _LISTED
    listed: tuple[int, ...]


class _Literal(NamedTuple):
    """What an occurrence of one literal means: the guarded patterns it lets run in its sentence, and the
    forms it is (the strings of finite patterns bounded by word boundaries at both ends apart, as the common
    case, (pattern, rank)); whether it starts and ends with a word character (for the boundary checks)."""

    length: int
    owners: frozenset[int] | None
    whole: tuple[tuple[int, int], ...]
    forms: tuple[_Form, ...]
    opens_word: bool
    closes_word: bool


class _Scan(NamedTuple):
    """What the literal scan found in one answer."""

    # (sentence, pattern, start in the answer, rank, length): a finite pattern's string where length > 0, a
    # place to try an anchored pattern where length is 0, a guarded pattern to run on the sentence where start is -1
    tries: list[tuple[int, int, int, int, int]]
    anchored_in_text: dict[int, list[int]]  # pattern: starts in the whole answer


_hit: Callable[[tuple[int, int, str]], Hit] = partial(tuple.__new__, Hit)  # Hit(*fields) without a Python call
MIN_WORD_CHARS = 2  # a literal with fewer word characters is looked for as it is


@dataclass
class _WordLiteral:
    """What an occurrence of a spaced literal means (see PatternSet.__init__), for one way back to its start."""

    back: int
    tried: list[tuple[int, int, int, str | None]]  # (pattern, rank, length, string to check or None)
    in_text: list[int]
    owners: set[int]


class PatternSet(Generic[K]):
    """Keyed patterns (several may share a key), compiled once and run together."""

    def __init__(self, patterns: Iterable[tuple[K, str]], compile_: Callable[[str], re.Pattern[str]]) -> None:
        self.sources: tuple[tuple[K, str], ...] = tuple(patterns)
        self._patterns: list[tuple[K, re.Pattern[str]]] = []
        ids: dict[K, int] = {}
        self._key_ids = [ids.setdefault(key, len(ids)) for key, _ in self.sources]  # each pattern's key, numbered
        self._keys = list(ids)
        self._unguarded: list[int] = []
        self._word_start: set[int] = set()
        owners: dict[str, list[int]] = defaultdict(list)
        forms: dict[str, list[_Form]] = defaultdict(list)
        for key, source in self.sources:
            regex = compile_(source)
            index = len(self._patterns)
            self._patterns.append((key, regex))
            if required_literals(regex.pattern) is None:  # nothing to guard it by: it runs over the whole answer
                self._unguarded.append(index)
                prefixes = literal_prefixes(regex)
                for rank, (text, bounds) in enumerate(prefixes or ()):
                    forms[text].append(_form(index, _ANCHORED_IN_TEXT, rank, text, bounds))
                if prefixes is None:
                    self._strip_word_start(index)
                continue
            spelled = literal_forms(regex)
            prefixes = None if spelled is not None else literal_prefixes(regex)
            if spelled is not None or prefixes is not None:
                kind = _SPELLED if spelled is not None else _ANCHORED
                for rank, (text, bounds) in enumerate(spelled or prefixes or ()):
                    forms[text].append(_form(index, kind, rank, text, bounds))
                continue
            self._strip_word_start(index)
            for literal in required_literals(self._patterns[index][1].pattern) or ():
                owners[literal].append(index)
        self._anchored_in_text = frozenset(
            form.pattern for of_literal in forms.values() for form in of_literal if form.kind == _ANCHORED_IN_TEXT
        )
        # The patterns run with a scan (over the whole answer, or the sentences their guards are in) that the
        # regex engine would otherwise try at every place.
        self._jumps: dict[int, re.Pattern[str]] = {}
        for index in {*self._unguarded, *(i for of_literal in owners.values() for i in of_literal)}:
            if index not in self._anchored_in_text:
                jump = jumping(self._patterns[index][1], index in self._word_start)
                if jump is not None:
                    self._jumps[index] = jump
        # Most literals are looked for in the answer with every character that is not a word character made a
        # space ("words apart"), each written the same way: a word boundary the form asserts at a word character
        # it starts or ends with becomes a space before or after it, and holds exactly where the spaced literal
        # occurs. There a literal occurs wherever it occurs in the answer, and maybe in a few more places (where
        # the answer has other non-word characters than the literal): a guarded pattern then runs on one more
        # sentence and an anchored one is tried at one more place, finding nothing there; a finite pattern's
        # string is checked against the answer. A literal with fewer than two word characters (its spaced form
        # would occur almost anywhere) and a string whose boundaries are elsewhere are looked for as they are.
        in_words: dict[str, dict[int, _WordLiteral]] = defaultdict(dict)

        def spaced(literal: str, start: bool, end: bool) -> tuple[str, bool] | None:
            apart = _apart(literal)
            if len(apart.replace(" ", "")) < MIN_WORD_CHARS:
                return None
            lead = start and _is_word(literal[0])
            return (" " if lead else "") + apart + (" " if end and _is_word(literal[-1]) else ""), lead

        def word_literal(key: str, lead: bool) -> _WordLiteral:
            back = len(key) - lead  # the literal starts this far back from where its spaced form ends
            return in_words[key].setdefault(back, _WordLiteral(back, [], [], set()))

        for literal in list(owners):
            if (found := spaced(literal, False, False)) is not None:
                word_literal(*found).owners.update(owners.pop(literal))
        for literal in list(forms):
            kept = []
            for form in forms[literal]:
                at = form.listed
                plain = all(map(_is_word, literal))
                if form.kind == _SPELLED:
                    found = spaced(literal, True, True) if form.bounds == _WHOLE else None
                    if found is not None and _is_word(literal[0]) and _is_word(literal[-1]):
                        verify = None if plain else literal
                        word_literal(*found).tried.append((form.pattern, form.rank, len(literal), verify))
                        continue
                elif (found := spaced(literal, 0 in at, len(literal) in at)) is not None:
                    entry = word_literal(*found)
                    if form.kind == _ANCHORED:
                        entry.tried.append((form.pattern, 0, 0, None))
                    else:
                        entry.in_text.append(form.pattern)
                    continue
                kept.append(form)
            if kept:
                forms[literal] = kept
            else:
                del forms[literal]
        self._automaton: ahocorasick.Automaton | None = None
        if owners or forms:
            automaton = ahocorasick.Automaton()
            for literal in {*owners, *forms}:
                guarded = frozenset(owners[literal]) if literal in owners else None
                of_literal = forms.get(literal, [])
                whole = tuple((f.pattern, f.rank) for f in of_literal if f.kind == _SPELLED and f.bounds == _WHOLE)
                rest = tuple(f for f in of_literal if not (f.kind == _SPELLED and f.bounds == _WHOLE))
                meaning = _Literal(len(literal), guarded, whole, rest, _is_word(literal[0]), _is_word(literal[-1]))
                automaton.add_word(literal, meaning)
            automaton.make_automaton()
            self._automaton = automaton
        self._words: ahocorasick.Automaton | None = None
        if in_words:
            words = ahocorasick.Automaton()
            for spaced_literal, by_back in in_words.items():
                words.add_word(
                    spaced_literal,
                    tuple(
                        (
                            w.back,
                            # spellings apart alike try a pattern once; a string to check against the answer apart
                            tuple(dict.fromkeys(t[:3] for t in w.tried if t[3] is None)),
                            tuple(t for t in w.tried if t[3] is not None),
                            tuple(dict.fromkeys(w.in_text)),
                            frozenset(w.owners) if w.owners else None,
                        )
                        for w in by_back.values()
                    ),
                )
            words.make_automaton()
            self._words = words

    def _strip_word_start(self, index: int) -> None:
        key, regex = self._patterns[index]
        if regex.pattern.startswith("\\b") and not splits_at_top(regex.pattern):
            # A leading \b stops the regex engine from jumping to where a match could start; the boundary
            # is checked on each match instead (see _matches), which finds exactly the same matches.
            self._patterns[index] = key, re.compile(regex.pattern[2:], regex.flags)
            self._word_start.add(index)

    def find(self, joined: JoinedSentences) -> Hits[K]:
        """Every match in the answer's sentences."""
        sentences, starts, text = joined.sentences, joined.starts, joined.text
        patterns, key_ids = self._patterns, self._key_ids
        by_key: list[list[Hit]] = [[] for _ in self._keys]
        seen: set[int] = set()  # key << 32 | start in the answer: (key, sentence, start) as one number
        scan = self._scan(joined) if text else None
        for pattern in self._unguarded:  # one scan of the whole answer costs less than one per sentence
            key, regex = key_ids[pattern], patterns[pattern][1]
            matches: Iterable[re.Match[str]] = (
                _anchored(regex, text, scan.anchored_in_text.get(pattern, []) if scan else [])
                if pattern in self._anchored_in_text
                else _matches(regex, text, pattern in self._word_start, self._jumps.get(pattern))
            )
            for match in matches:
                index = bisect_right(starts, match.start()) - 1
                start = match.start() - starts[index]
                if (
                    match.end() - starts[index] <= len(sentences[index])
                    and (mark := key << 32 | match.start()) not in seen
                ):
                    seen.add(mark)
                    by_key[key].append(_hit((index, start, match.group(0))))
        if scan is not None:
            self._tried(scan.tries, joined, by_key, seen)
        hits: Hits[K] = Hits()
        hits._by_key.update((key, found) for key, found in zip(self._keys, by_key, strict=True) if found)
        return hits

    def _scan(self, joined: JoinedSentences) -> _Scan:
        """One pass of each literal automaton: which guarded patterns run where, and the literal forms that fit."""
        sentences, starts, text = joined.sentences, joined.starts, joined.text
        scan = _Scan([], defaultdict(list))
        tries, in_text = scan
        owners_by_sentence: list[set[frozenset[int]]] = [set() for _ in sentences]
        ends = [start + len(sentence) for start, sentence in zip(starts, sentences, strict=True)]
        if self._words is not None:
            for end, of_key in self._words.iter(_words_apart(text)):
                for back, tried, checked, anchored_in_text, owners in of_key:
                    start = end - back
                    if start < 0:  # a spaced form opening with the space put before the answer
                        continue
                    sentence = bisect_right(starts, start) - 1
                    for pattern, rank, length in tried:
                        tries.append((sentence, pattern, start, rank, length))
                    if checked:
                        for pattern, rank, length, verify in checked:
                            if text.startswith(verify, start) and start + length <= ends[sentence]:
                                tries.append((sentence, pattern, start, rank, length))
                    if anchored_in_text:
                        for pattern in anchored_in_text:
                            in_text[pattern].append(start)
                    if owners is not None:
                        owners_by_sentence[sentence].add(owners)
        if self._automaton is None:
            return _with_guarded(scan, owners_by_sentence)
        last = len(text) - 1
        for end, (length, owners, whole, forms, opens_word, closes_word) in self._automaton.iter(text):
            start = end - length + 1
            sentence = bisect_right(starts, start) - 1
            if owners is not None:
                owners_by_sentence[sentence].add(owners)
            if whole and (
                end < ends[sentence]
                and (start > 0 and ((c := text[start - 1]).isalnum() or c == "_")) != opens_word
                and (end < last and ((c := text[end + 1]).isalnum() or c == "_")) != closes_word
            ):
                for pattern, rank in whole:
                    tries.append((sentence, pattern, start, rank, length))
            if not forms:
                continue
            inside = end < ends[sentence]
            before = start > 0 and ((c := text[start - 1]).isalnum() or c == "_")
            opens = before != opens_word
            both = opens and (end < last and ((c := text[end + 1]).isalnum() or c == "_")) != closes_word
            for pattern, kind, rank, bounds, listed in forms:
                if (inside or kind == _ANCHORED_IN_TEXT) and (
                    both
                    if bounds == _WHOLE
                    else opens
                    if bounds == _OPENS
                    else all(_at_word_boundary(text, start + at) for at in listed)
                ):
                    if kind == _SPELLED:
                        tries.append((sentence, pattern, start, rank, length))
                    elif kind == _ANCHORED:
                        tries.append((sentence, pattern, start, 0, 0))
                    else:
                        in_text[pattern].append(start)
        return _with_guarded(scan, owners_by_sentence)

    def _tried(
        self,
        tries: list[tuple[int, int, int, int, int]],
        joined: JoinedSentences,
        by_key: list[list[Hit]],
        seen: set[int],
    ) -> None:
        """Add the matches of every pattern the literal scan speaks for, sentence by sentence and pattern by
        pattern, each pattern's in the order a scan of the sentence finds them: a finite pattern's lowest-ranked
        string that fits at each start, an anchored pattern tried where one of its prefixes starts, and each
        next match no earlier than where the last one ends; a guarded pattern run on its sentence."""
        patterns, word_start, key_ids, jumps = self._patterns, self._word_start, self._key_ids, self._jumps
        sentences, starts, text = joined.sentences, joined.starts, joined.text
        tries.sort()
        last_sentence = last_pattern = resume = -1
        for sentence, pattern, start, _, length in tries:
            if pattern != last_pattern or sentence != last_sentence:
                last_sentence, last_pattern, resume = sentence, pattern, -1
            elif start < resume:
                continue
            key = key_ids[pattern]
            if length:
                resume = start + length
                if (mark := key << 32 | start) not in seen:  # two patterns of one key matching at one place count once
                    seen.add(mark)
                    by_key[key].append(_hit((sentence, start - starts[sentence], text[start:resume])))
            elif start >= 0:
                at = start - starts[sentence]
                match = patterns[pattern][1].match(sentences[sentence], at)
                if match is not None:
                    resume = starts[sentence] + match.end()  # the scan goes on after the match (never empty)
                    if (mark := key << 32 | start) not in seen:
                        seen.add(mark)
                        by_key[key].append(_hit((sentence, at, match.group(0))))
            else:
                regex, text_, offset = patterns[pattern][1], sentences[sentence], starts[sentence]
                for match in _matches(regex, text_, pattern in word_start, jumps.get(pattern)):
                    if (mark := key << 32 | offset + match.start()) not in seen:
                        seen.add(mark)
                        by_key[key].append(_hit((sentence, match.start(), match.group(0))))


def _with_guarded(scan: _Scan, owners_by_sentence: list[set[frozenset[int]]]) -> _Scan:
    """The scan with a try for each guarded pattern on each sentence that holds one of its guards."""
    for sentence, owner_sets in enumerate(owners_by_sentence):
        if owner_sets:
            scan.tries.extend((sentence, pattern, -1, 0, 0) for pattern in frozenset().union(*owner_sets))
    return scan


def _anchored(regex: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """regex.finditer(text), given every place a match can start (and maybe more)."""
    matches: list[re.Match[str]] = []
    resume = 0
    for start in sorted(set(starts)):
        if start >= resume:
            match = regex.match(text, start)
            if match is not None:
                matches.append(match)
                resume = match.end()  # never empty: it holds one of the prefixes
    return matches


def _form(pattern: int, kind: int, rank: int, text: str, bounds: tuple[int, ...]) -> _Form:
    at = tuple(sorted(set(bounds)))
    return _Form(pattern, kind, rank, _WHOLE if at == (0, len(text)) else _OPENS if at == (0,) else _LISTED, at)


_WORD_CHARS_ELSE_SPACE = bytes(code if chr(code).isalnum() or chr(code) == "_" else ord(" ") for code in range(256))
_NOT_WORD = re.compile(r"\W")  # str.isalnum() or "_", as _is_word


def _apart(text: str) -> str:
    """`text` with every character that is not a word character made a space."""
    if text.isascii():
        return text.encode("ascii").translate(_WORD_CHARS_ELSE_SPACE).decode("ascii")
    return _NOT_WORD.sub(" ", text)


def _words_apart(text: str) -> str:
    """`text` apart (see `_apart`), with a space before and after it."""
    return f" {_apart(text)} "


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _at_word_boundary(text: str, position: int) -> bool:
    """What \\b asserts at `position`."""
    before = position > 0 and _is_word(text[position - 1])
    after = position < len(text) and _is_word(text[position])
    return before != after


def _matches(
    regex: re.Pattern[str], text: str, word_start: bool, jump: re.Pattern[str] | None = None
) -> Iterator[re.Match[str]]:
    """regex.finditer(text); with `word_start`, as if the pattern began with \\b; with `jump` (see
    pattern_guard.jumping), found by jumping to where each match starts."""
    if jump is not None:
        position = 0
        while (first := jump.search(text, position)) is not None:
            match = regex.match(text, first.start())
            if match is None:  # never: `jump` looked ahead for this very match
                position = first.start() + 1
                continue
            yield match
            position = match.end()  # never empty: a match has a first character
        return
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
