"""Category-independent signals in an answer's language: quantities, negation and distancing, function words.

The words come from the bank's language.yaml; the shapes around them (what makes a quantity, a before and
after, a clause) live here. Every pattern runs on lower-cased text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache, partial

from bot.scoring.pattern_guard import scanning, words_pattern
from content.schema import Language

# Each alternative separately, so each can be skipped by its own guard literal.
BEFORE_AFTER_PARTS = (
    r"\bfrom\s+\S*\d\S*\s+(?:\w+\s+)?to\s+\S*\d",
    r"->|→",
    r"\b(?:dropped|fell|rose|grew|climbed|cut|reduced|increased|improved|lifted|went)\b[^.;]{0,40}?\b(?:to|by)\s+\S*\d",
    r"\b(?:down|up) to\s+\S*\d",
)
_CLAUSE_BREAK = re.compile(
    r"[;:—–()]|,\s*(?:so|but|and|then|which|i|we)\b|\s-\s|\b(?:but|so|and then|then|which|because)\b"
)
_TOKEN = re.compile(r"[a-z0-9']+")
NEGATION_REACH_WORDS = 6
DISTANCING_REACH_WORDS = 12
TRIGGER_CACHE = 8192  # sentences per vocabulary whose triggers are kept


def lowered(pattern: str) -> re.Pattern[str]:
    """Compile a pattern to run on lower-cased text: several times faster than re.IGNORECASE.

    Letters are lower-cased except right after a backslash, so escapes like \\S or \\W keep their meaning.
    """
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
            continue
        out.append(pattern[index].lower())
        index += 1
    return re.compile("".join(out))


class Vocabulary:
    """The compiled language of a bank that every reading needs: quantities, negation, distancing, function words."""

    def __init__(self, language: Language) -> None:
        units = "|".join(language.units)
        # A number with an optional unit, a money amount, or a ratio like 3x:
        #   (?=[$€£0-9])(?:[$€£]\s?\d[\d,.]*\s?[kmb]?\b|\b\d[\d,.]*\s?(?:{units})|\b\d[\d,.]*\b)
        # written with its first character taken up front (and looked back at), so the regex engine jumps from
        # one digit or currency sign to the next instead of trying every place.
        self.quantity = lowered(
            rf"[$€£0-9](?:(?<=[$€£])\s?\d[\d,.]*\s?[kmb]?\b|(?<=\b[0-9])[\d,.]*\s?(?:{units})|(?<=\b[0-9])[\d,.]*\b)"
        )
        self.function_words = frozenset(language.function_words)
        self._negator = scanning(lowered(words_pattern(language.negators)))
        self._distancing = scanning(lowered(words_pattern(language.distancing)))
        # A sentence is searched for triggers once however many matches in it are checked. The caches are keyed
        # by the sentence alone: a compiled pattern hashes its whole program on every look-up.
        self._negator_spans = lru_cache(maxsize=TRIGGER_CACHE)(partial(_trigger_spans, self._negator))
        self._distancing_spans = lru_cache(maxsize=TRIGGER_CACHE)(partial(_trigger_spans, self._distancing))

    def quantity_starts(self, sentence: str) -> list[int]:
        """Where each quantity in a lower-cased sentence starts."""
        return [m.start() for m in self.quantity.finditer(sentence)]

    def negated(self, sentence: str, start: int) -> bool:
        """Whether the match at `start` sits inside a negation or contrast ("we never measured", "instead of")."""
        spans = self._negator_spans(sentence)
        return bool(spans) and _governed(spans, sentence, start, NEGATION_REACH_WORDS)

    def distanced(self, sentence: str, start: int) -> bool:
        """Whether the match at `start` is negated or only an option weighed ("I considered adding reviewers")."""
        return self.negated(sentence, start) or _governed(
            self._distancing_spans(sentence), sentence, start, DISTANCING_REACH_WORDS, breaks=False
        )

    def function_word_count(self, text: str) -> int:
        """How many words of lower-cased `text` are function words."""
        return self.function_words_among(_TOKEN.findall(text))

    def function_words_among(self, words: Iterable[str]) -> int:
        """How many of `words` (lower-cased, as function_word_count splits a text) are function words."""
        return sum(map(self.function_words.__contains__, words))


def _governed(ends: list[tuple[int, int]], sentence: str, start: int, reach: int, breaks: bool = True) -> bool:
    """Whether the last trigger (of `ends`, the sentence's trigger spans) before `start` reaches it."""
    at = bisect_right(ends, (start, start)) - 1  # the last trigger that ends before `start`
    if at < 0:
        return False
    between = sentence[ends[at][0] : start]
    if breaks and _CLAUSE_BREAK.search(between):
        return False
    return len(between.split()) <= reach


def _trigger_spans(trigger: re.Pattern[str], sentence: str) -> list[tuple[int, int]]:
    """(end, start) of every trigger in a sentence, sorted."""
    return sorted((m.end(), m.start()) for m in trigger.finditer(sentence))
