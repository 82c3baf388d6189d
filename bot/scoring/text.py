"""Plain facts about an answer's text: sentences, words, estimated speaking time; and the same text with
chat shorthand spelled out, so casing, bullets and abbreviations change nothing about the score."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

WORDS_PER_MINUTE = 140
SPEAKING_GUIDELINE_SECONDS = 150
MAX_SCORED_WORDS = 3000  # beyond this the answer is judged on its head; the rest still counts as length

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’%.\-/]*")
_LETTERS_AND_DIGITS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
# Letters and digits made "a", everything else a space: a word is where " a" starts.
_LETTERS_AND_DIGITS_AS_A = bytes(ord("a") if code in _LETTERS_AND_DIGITS else ord(" ") for code in range(256))
# A sentence ends at . ! ? ; before the next word (lower-case too: chat answers rarely capitalise), or at a
# line break: one line, one thought. Abbreviations such as "e.g." and "vs." do not end a sentence.
# Written as (?<=[.!?;])\s+(?=[\"'(\[A-Za-z0-9•\-*~$€£])|[ \t]*\n\s* with the whitespace every break starts with
# taken first, so the regex engine jumps from one whitespace character to the next instead of trying every place.
_SENTENCE_END = re.compile(r"\s(?:(?<=[.!?;]\s)\s*(?=[\"'(\[A-Za-z0-9•\-*~$€£])|(?<=\n)\s*|(?<=[ \t])[ \t]*\n\s*)")
_ABBREVIATIONS = (
    "e.g",
    "i.e",
    "vs",
    "etc",
    "approx",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "no",
    "ca",
    "cf",
    "incl",
    "est",
    "min",
    "max",
)
_ABBREVIATION_END = re.compile(rf"(?:\b(?:{'|'.join(map(re.escape, _ABBREVIATIONS))})\.|\b[a-z]\.)$", re.IGNORECASE)
# How the abbreviations end: a text whose full stop follows two ASCII letters that end none of them has none.
_ABBREVIATION_ENDINGS = frozenset(a[-2:] for a in _ABBREVIATIONS)
ABBREVIATION_TAIL = 12
_BULLET = re.compile(r"^\s*(?:[-*•>–]|\d+[.)])\s+")
_BULLET_MARKS = frozenset("-*•>–")
_SHORTHAND_CHARS = (
    ("~", " about "),
    ("&", " and "),
    ("→", " -> "),
    ("w/o", " without "),
    ("w/", " with "),
    ("b/c", " because "),
    ("’", "'"),
)
# Stripped from a word's ends before it is looked up as an abbreviation.
_WORD_EDGE = ",.;:!?()"
_NO_WORD_EDGES = str.maketrans("", "", _WORD_EDGE)


@dataclass(frozen=True)
class AnswerText:
    """An answer split into the units the engine reads."""

    text: str
    sentences: tuple[str, ...]
    word_count: int

    @property
    def speaking_seconds(self) -> int:
        """Estimated time to say the answer aloud at a steady interview pace."""
        return round(self.word_count * 60 / WORDS_PER_MINUTE)

    @property
    def over_time(self) -> bool:
        """Whether saying it would run past the 2.5-minute guideline."""
        return self.speaking_seconds > SPEAKING_GUIDELINE_SECONDS


def read_answer(text: str) -> AnswerText:
    """Split an answer into sentences (lines and bullets count as sentences) and count its words."""
    cleaned = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    word_count = count_words(cleaned)
    head = cleaned
    if word_count > MAX_SCORED_WORDS:
        head = cleaned[: _nth_word_end(cleaned, MAX_SCORED_WORDS)]
    sentences: list[str] = []
    pending = ""
    for piece in _SENTENCE_END.split(head):
        first = piece[:1]  # a bullet opens with a space, a mark or a digit: most pieces need no look
        bullet = _BULLET.match(piece) if first in _BULLET_MARKS or first.isspace() or first.isdigit() else None
        sentence = " ".join((piece[bullet.end() :] if bullet else piece).split())
        if not sentence:
            continue
        pending = f"{pending} {sentence}" if pending else sentence
        if not _ends_with_abbreviation(pending):
            if len(pending) > 1:
                sentences.append(pending)
            pending = ""
    if len(pending) > 1:
        sentences.append(pending)
    return AnswerText(text=cleaned, sentences=tuple(sentences), word_count=word_count)


def _ends_with_abbreviation(text: str) -> bool:
    """Whether `text` ends with an abbreviation such as "e.g." or "vs.", or a lone letter and a full stop."""
    core = text[:-1] if text[-1:] == "\n" else text  # as $ allows
    if core[-1:] != ".":
        return False
    before = core[-3:-1]  # one letter after another cannot end a lone letter, only an abbreviation
    if len(before) == 2 and before.isascii() and before.isalpha() and before.lower() not in _ABBREVIATION_ENDINGS:
        return False
    return _ABBREVIATION_END.search(text[-ABBREVIATION_TAIL:]) is not None  # the tail is enough, and far cheaper


def count_words(text: str) -> int:
    """len(_WORD.findall(text)), without making a string of each word.

    Each match takes a whole run of word characters from its first letter or digit on, so the matches are the
    runs that hold a letter or digit: with the other word characters deleted and everything else made a space,
    those runs are what str.split() finds (the one word character outside ASCII, "’", is made an apostrophe
    first; every other character outside ASCII separates words), counted where each one starts."""
    ascii_text = text.replace("’", "'").encode("ascii", "replace")
    return (b" " + ascii_text.translate(_LETTERS_AND_DIGITS_AS_A, b"'%.-/")).count(b" a")


def spelled_out(sentence: str, abbreviations: Mapping[str, str]) -> str:
    """A lower-cased sentence with chat shorthand written out ("eng" -> "engineering", "w/" -> "with")."""
    return _spelled_words(_shorthand_chars_out(sentence), abbreviations)


class Shorthand:
    """spelled_out() with one set of abbreviations, cheap for the usual answer that uses none of them."""

    def __init__(self, abbreviations: Mapping[str, str]) -> None:
        self.abbreviations = dict(abbreviations)
        self._keys = frozenset(self.abbreviations)
        # The quick look deletes the edge characters everywhere in a word, so it cannot see an abbreviation that
        # has one inside it (or is empty): with such an abbreviation every sentence is read word by word.
        self._quick = all(key and not set(key) & set(_WORD_EDGE) for key in self._keys)

    def sentences(self, sentences: Sequence[str]) -> list[str]:
        """Each sentence spelled out, as spelled_out(sentence, abbreviations) gives it."""
        joined = "\n".join(sentences)
        if joined.count("\n") == len(sentences) - 1:  # no sentence has a line break: all are read at once
            lowered = _shorthand_chars_out(joined)
            lows = lowered.split("\n")
        else:
            lows = [_shorthand_chars_out(sentence) for sentence in sentences]
            lowered = "\n".join(lows)
        if self._quick and self._keys.isdisjoint(lowered.translate(_NO_WORD_EDGES).split()):
            return [" ".join(low.split()) for low in lows]
        return [_spelled_words(low, self.abbreviations) for low in lows]


def _shorthand_chars_out(sentence: str) -> str:
    low = sentence.lower()
    for short, full in _SHORTHAND_CHARS:
        if short in low:
            low = low.replace(short, full)
    return low


def _spelled_words(low: str, abbreviations: Mapping[str, str]) -> str:
    return " ".join(
        abbreviations.get(word.strip(_WORD_EDGE), word) if word.strip(_WORD_EDGE) in abbreviations else word
        for word in low.split()
    )


def _nth_word_end(text: str, n: int) -> int:
    for index, match in enumerate(_WORD.finditer(text), start=1):
        if index == n:
            return match.end()
    return len(text)
