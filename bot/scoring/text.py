"""Plain facts about an answer's text: sentences, words, estimated speaking time."""

from __future__ import annotations

import re
from dataclasses import dataclass

WORDS_PER_MINUTE = 140
SPEAKING_GUIDELINE_SECONDS = 150
MAX_SCORED_WORDS = 3000  # beyond this the answer is judged on its head; the rest still counts as length

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’%.\-/]*")
_SENTENCE_END = re.compile(
    r"(?<=[.!?;])\s+(?=[\"'(\[A-Z0-9•\-*])|\n\s*\n+|\n(?=\s*(?:[-*•>]|\d+[.)])\s)|\n(?=\s*[A-Z0-9])"
)
_BULLET = re.compile(r"^\s*(?:[-*•>]|\d+[.)])\s+")


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
    words = _WORD.findall(cleaned)
    head = cleaned
    if len(words) > MAX_SCORED_WORDS:
        cut = _nth_word_end(cleaned, MAX_SCORED_WORDS)
        head = cleaned[:cut]
    sentences = []
    for piece in _SENTENCE_END.split(head):
        sentence = " ".join(_BULLET.sub("", piece).split())
        if len(sentence) > 1:
            sentences.append(sentence)
    return AnswerText(text=cleaned, sentences=tuple(sentences), word_count=len(words))


def _nth_word_end(text: str, n: int) -> int:
    for index, match in enumerate(_WORD.finditer(text), start=1):
        if index == n:
            return match.end()
    return len(text)
