"""Run a pattern once over all of an answer's sentences and say which sentence each match is in."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

# A full stop and blank line: no rubric pattern is written to match across it.
_SEPARATOR = ".\n\n"


class JoinedSentences:
    """Lower-cased sentences joined into one string, so a pattern is scanned once per answer."""

    def __init__(self, sentences: Sequence[str]) -> None:
        self.sentences = [s.lower() for s in sentences]
        self.text = _SEPARATOR.join(self.sentences)
        self.starts: list[int] = []
        self._containing: dict[str, tuple[int, ...]] = {}
        offset = 0
        for sentence in self.sentences:
            self.starts.append(offset)
            offset += len(sentence) + len(_SEPARATOR)

    def sentences_containing(self, literals: Sequence[str]) -> list[int]:
        """Indexes of the sentences that contain at least one of `literals`, in order."""
        if len(literals) == 1:
            return list(self._with_literal(literals[0]))
        found: set[int] = set()
        for literal in literals:
            found.update(self._with_literal(literal))
        return sorted(found)

    def _with_literal(self, literal: str) -> tuple[int, ...]:
        cached = self._containing.get(literal)
        if cached is not None:
            return cached
        found: list[int] = []
        text, starts = self.text, self.starts
        position = text.find(literal)
        while position != -1:
            index = bisect_right(starts, position) - 1
            found.append(index)
            # one hit per sentence is enough: jump to the next one
            next_start = starts[index + 1] if index + 1 < len(starts) else len(text)
            position = text.find(literal, next_start)
        result = tuple(found)
        self._containing[literal] = result
        return result

    def matches_in(
        self, regex: re.Pattern[str], literals: Sequence[str] | None
    ) -> Iterator[tuple[int, int, re.Match[str]]]:
        """Like matches(), but when `literals` are given only sentences containing one of them are scanned."""
        if literals is None:
            yield from self.matches(regex)
            return
        for index in self.sentences_containing(literals):
            for match in regex.finditer(self.sentences[index]):
                yield index, match.start(), match

    def matches(self, regex: re.Pattern[str]) -> Iterator[tuple[int, int, re.Match[str]]]:
        """Each match as (sentence index, start within that sentence, match); matches across sentences are dropped."""
        for match in regex.finditer(self.text):
            index = bisect_right(self.starts, match.start()) - 1
            start = match.start() - self.starts[index]
            if match.end() - self.starts[index] <= len(self.sentences[index]):
                yield index, start, match
