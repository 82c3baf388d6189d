"""Category-independent signals in an answer's language: specificity, ownership, hedging, negation, buzzwords.

The words come from the bank's language.yaml; the shapes around them (what makes a quantity, a before and
after, a clause) live here. Every pattern runs on lower-cased text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.scoring.pattern_guard import GuardedPattern, guarded, guarded_terms
from content.schema import Language

DIGITS = tuple("0123456789")
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


def _words(fragments: Sequence[str]) -> str:
    return r"\b(?:" + "|".join(fragments) + r")\b"


class Vocabulary:
    """The compiled language of a bank: what counts as a quantity, a mechanism, ownership, a hedge, a negation."""

    def __init__(self, language: Language) -> None:
        units = "|".join(language.units)
        # A number with an optional unit, a money amount, or a ratio like 3x; the look-ahead lets the regex
        # engine skip to digits and currency signs.
        self.quantity = lowered(
            rf"(?=[$€£0-9])(?:[$€£]\s?\d[\d,.]*\s?[kmb]?\b|\b\d[\d,.]*\s?(?:{units})|\b\d[\d,.]*\b)"
        )
        self.before_after = guarded(BEFORE_AFTER_PARTS, lowered)
        self.mechanisms = guarded_terms(language.mechanisms, lowered)
        self.buzzwords = guarded_terms(language.buzzwords, lowered)
        self.owned_action = lowered(
            r"\b(?:i|i'd|i'll|i would|i will)\s+(?:\w+ly\s+)?"
            + _words(language.owned_verbs)
            + r"|\bmy (?:call|decision|recommendation)\b"
        )
        hedge, filler, shared_vague = guarded(
            (
                _words(language.hedges),
                _words(language.fillers),
                r"\b(?:we|the team|everyone|stakeholders)\s+(?:all\s+)?"
                + _words(language.shared_vague_verbs)
                + r"|\bit was decided\b|\bwas agreed\b|\bcollaborat\w* (?:closely )?with\b",
            ),
            lowered,
        )
        self.hedge: GuardedPattern = hedge
        self.filler: GuardedPattern = filler
        self.shared_vague: GuardedPattern = shared_vague
        self.function_words = frozenset(language.function_words)
        self._negator = lowered(_words(language.negators))
        self._distancing = lowered(_words(language.distancing))

    def negated(self, sentence: str, start: int) -> bool:
        """Whether the match at `start` sits inside a negation or contrast ("we never measured", "instead of")."""
        return _governed(self._negator, sentence, start, NEGATION_REACH_WORDS)

    def distanced(self, sentence: str, start: int) -> bool:
        """Whether the match at `start` is negated or only an option weighed ("I considered adding reviewers")."""
        return self.negated(sentence, start) or _governed(
            self._distancing, sentence, start, DISTANCING_REACH_WORDS, breaks=False
        )

    def function_word_count(self, text: str) -> int:
        """How many words of lower-cased `text` are function words."""
        return sum(1 for word in _TOKEN.findall(text) if word in self.function_words)

    def buzzword_count(self, text: str) -> int:
        """Buzzwords in lower-cased text."""
        return sum(1 for chunk in self.buzzwords if chunk.may_match(text) for _ in chunk.regex.finditer(text))


def _governed(trigger: re.Pattern[str], sentence: str, start: int, reach: int, breaks: bool = True) -> bool:
    window = sentence[:start]
    matches = list(trigger.finditer(window))
    if not matches:
        return False
    last = matches[-1]
    between = window[last.end() :]
    if breaks and _CLAUSE_BREAK.search(between):
        return False
    return len(between.split()) <= reach
