"""Does an answer address the question asked? Its distinctive words, matched loosely (stems), weighted by how
rare they are in the bank; for bank questions also what a strong answer covers."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

_TOKEN = re.compile(r"[a-z][a-z0-9'-]+")
# Words every interview question uses; they say nothing about what this one asks.
_QUESTION_FRAME = frozenset(
    [
        "tell",
        "me",
        "about",
        "time",
        "you",
        "your",
        "yours",
        "did",
        "do",
        "does",
        "how",
        "what",
        "why",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "would",
        "could",
        "should",
        "walk",
        "through",
        "describe",
        "give",
        "example",
        "examples",
        "explain",
        "share",
        "talk",
        "think",
        "made",
        "make",
        "making",
        "have",
        "has",
        "had",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "being",
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "as",
        "that",
        "this",
        "those",
        "these",
        "it",
        "its",
        "into",
        "about",
        "over",
        "under",
        "out",
        "up",
        "down",
        "one",
        "two",
        "three",
        "first",
        "last",
        "most",
        "more",
        "less",
        "than",
        "then",
        "there",
        "their",
        "they",
        "them",
        "we",
        "our",
        "us",
        "i",
        "my",
        "me",
        "so",
        "if",
        "not",
        "no",
        "yes",
        "any",
        "some",
        "all",
        "each",
        "every",
        "other",
        "another",
        "same",
        "such",
        "own",
        "very",
        "really",
        "just",
        "also",
        "can",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "let",
        "lets",
        "let's",
        "say",
        "said",
        "says",
        "ask",
        "asked",
        "asking",
        "get",
        "got",
        "getting",
        "go",
        "going",
        "know",
        "want",
        "wanted",
        "need",
        "needed",
        "like",
        "way",
        "ways",
        "thing",
        "things",
        "something",
        "someone",
        "somebody",
        "people",
        "person",
        "job",
        "role",
        "team",
        "teams",
        "company",
        "work",
        "worked",
        "working",
        "project",
        "projects",
        "situation",
        "case",
        "kind",
        "sort",
        "lot",
        "lots",
    ]
)
_STORY = re.compile(
    r"\b(?:a time|did you|your last|have you ever|the last time|give me an example|"
    r"you (?:made|led|owned|ran|shipped|killed|cut|inherited|championed|changed|gave|had to|handled|disagreed|"
    r"decided|personally|were|missed|pushed|turned|told|found|took|said|failed|got)|"
    r"tell me about (?:a|the|your|one) (?:time|decision|project|feature|situation|customer|mistake|failure|call|"
    r"metric|delivery|launch|conflict|program|initiative|budget|guideline|vendor|role|team))\b"
)
# Where a question breaks into the separate things it asks.
_ASK_BREAK = re.compile(r"[?;:]\s*|,\s*(?=(?:and|or|but|then)\b)|\s+and\s+(?=(?:what|how|why|when|which|who)\b)")
_SENTENCE_BREAK = re.compile(r"(?<=[?.!])\s+")
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ness",
    "ings",
    "ing",
    "edly",
    "ed",
    "ies",
    "es",
    "ers",
    "er",
    "ly",
    "s",
)


MAX_CACHED_STEMS = 1 << 16  # distinct runs of word characters whose stem is kept


def stem(word: str) -> str:
    """A crude stem, enough to match "cut"/"cutting", "decision"/"decide", "labels"/"labeling"."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:6]


class _RunStems(dict[str, str]):
    """The content stem of each run of a-z, 0-9, apostrophes and hyphens seen so far ("" for a run that holds
    no content word), at most MAX_CACHED_STEMS of them, then it starts over.

    _TOKEN finds at most one word in such a run: from its first letter to its end, when that is two characters
    or more. Splitting a text into runs and looking each one up costs a fraction of running _TOKEN over it."""

    def __missing__(self, run: str) -> str:
        if len(self) >= MAX_CACHED_STEMS:
            self.clear()
        word = run.lstrip("0123456789'-")
        found = self[run] = stem(word) if len(word) > 1 and word not in _QUESTION_FRAME else ""
        return found


_RUN_STEMS = _RunStems()
_RUN_CHARS = b"abcdefghijklmnopqrstuvwxyz0123456789'-"
_RUN_CHARS_ELSE_SPACE = bytes(code if code in _RUN_CHARS else ord(" ") for code in range(256))


def _runs(text: str) -> list[str]:
    """The runs of a-z, 0-9, apostrophes and hyphens in lower-cased `text` (every other character, outside ASCII
    too, each encoded as one "?", is made a space and the text split)."""
    return text.lower().encode("ascii", "replace").translate(_RUN_CHARS_ELSE_SPACE).decode("ascii").split()


def stems(text: str) -> list[str]:
    """The content stems of a text, in order (of the words _TOKEN finds, those outside the question frame)."""
    return list(filter(None, map(_RUN_STEMS.__getitem__, _runs(text))))


def stem_count(text: str) -> int:
    """len(stems(text)), without making the list."""
    return sum(map(bool, map(_RUN_STEMS.__getitem__, _runs(text))))


class Rarity:
    """How rare each stem is across a reference corpus (the bank): rare words carry what a question is about."""

    def __init__(self, documents: Iterable[str]) -> None:
        counts: Counter[str] = Counter()
        total = 0
        for document in documents:
            counts.update(set(stems(document)))
            total += 1
        self._total = max(1, total)
        self._counts = counts

    def known(self, word_stem: str) -> bool:
        """Whether the corpus uses the stem at all."""
        return word_stem in self._counts

    def known_count(self, word_stems: Iterable[str]) -> int:
        """How many of `word_stems` the corpus uses."""
        return sum(map(self._counts.__contains__, word_stems))

    def weight(self, word_stem: str) -> float:
        """Inverse document frequency, smoothed."""
        return math.log((1 + self._total) / (1 + self._counts.get(word_stem, 0))) + 1.0


@dataclass(frozen=True)
class QuestionFocus:
    """What a question is about: its distinctive stems with their weights, and the phrases to name them by."""

    text: str
    terms: tuple[tuple[str, float], ...]
    covers: tuple[tuple[str, tuple[str, ...]], ...]  # a point a strong answer covers, and words that show it

    @classmethod
    def of(cls, text: str, rarity: Rarity, covers: Sequence[tuple[str, Sequence[str]]] = ()) -> QuestionFocus:
        """The focus of a question text (and, for bank questions, the points it expects covered).

        A bank question's expected points count as part of what it is about: an answer that takes the question
        up in its own words meets those points, while echoing the question's wording is not required."""
        weights: dict[str, float] = {}
        for word_stem in stems(" ".join((text, *(point for point, _ in covers)))):
            weights[word_stem] = max(weights.get(word_stem, 0.0), rarity.weight(word_stem))
        ranked = sorted(weights.items(), key=lambda item: -item[1])
        return cls(text, tuple(ranked), tuple((point, tuple(words)) for point, words in covers))

    @cached_property
    def total_weight(self) -> float:
        """The weight of all the question's stems."""
        return sum(w for _, w in self.terms)

    def coverage(self, answer_stems: Set[str]) -> float:
        """The weighted share of the question's distinctive stems the answer uses (0-1)."""
        total = self.total_weight
        if not total:
            return 1.0
        return sum(w for s, w in self.terms if s in answer_stems) / total

    def fit(self, answer_stems: Set[str], others: OtherQuestions) -> QuestionFit:
        """How the answer fits this question against the other questions."""
        if not others.size:
            return NO_OTHER_QUESTIONS
        own = self.coverage(answer_stems)
        shares = others.coverages(answer_stems)
        best = max(range(others.size), key=shares.__getitem__)
        return QuestionFit(sum(map(own.__lt__, shares)) / others.size, own - shares[best], others.texts[best])

    def missed_terms(self, answer_stems: Set[str], limit: int = 3) -> list[str]:
        """The question's most distinctive words the answer never uses, as the question wrote them."""
        missing = [s for s, _ in self.terms if s not in answer_stems][:limit]
        words: list[str] = []
        for token, token_stem in self._tokens:
            if token_stem in missing and token not in words:
                words.append(token)
        return words[:limit]

    @cached_property
    def _tokens(self) -> tuple[tuple[str, str], ...]:
        """The question's words outside the interview frame, in order, each with its stem."""
        return tuple((t, stem(t)) for t in _TOKEN.findall(self.text.lower()) if t not in _QUESTION_FRAME)

    def least_covered_ask(self, answer_stems: Set[str]) -> str:
        """The part of the question (one of its clauses) the answer touches least, as the question wrote it."""
        best, clauses = self._asks
        best_share = 2.0
        for clause, clause_stems in clauses:
            share = len(clause_stems & answer_stems) / len(clause_stems)
            if share < best_share:
                best, best_share = clause, share
        return best

    @cached_property
    def _asks(self) -> tuple[str, tuple[tuple[str, frozenset[str]], ...]]:
        """The last thing the question asks, and its clauses of two stems or more (as written, with their stems)."""
        sentences = _SENTENCE_BREAK.split(self.text.strip())
        asked = [s for s in sentences if s.rstrip().endswith("?")] or sentences
        clauses = []
        for clause in (c for sentence in asked for c in _ASK_BREAK.split(sentence)):
            clause_stems = frozenset(stems(clause))
            if len(clause_stems) >= 2:
                clauses.append((clause.strip(" ,;:"), clause_stems))
        return asked[-1].strip(), tuple(clauses)

    def covered_points(self, low_answer: str) -> list[bool]:
        """For each expected point, whether one of its words appears."""
        return [any(k in low_answer for k in words) for words in self._cover_words]

    @cached_property
    def _cover_words(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(k.lower() for k in words) for _, words in self.covers)

    @cached_property
    def asks_for_a_story(self) -> bool:
        """Whether the question asks about something the candidate did (rather than what they would do)."""
        return bool(_STORY.search(self.text.lower()))


class QuestionFit(NamedTuple):
    """How an answer fits the question asked, measured against the other questions."""

    rank: float  # the share of other questions the answer fits better (0: the one asked fits best)
    margin: float  # its fit to the question asked less its fit to the best other one (negative: another fits better)
    best_other: str  # the text of the other question it fits best ("" when there are none)


NO_OTHER_QUESTIONS = QuestionFit(0.0, 0.0, "")


class OtherQuestions:
    """The questions an answer might be answering instead of the one asked, indexed by stem so an answer is
    measured against all of them in one pass over its own stems."""

    def __init__(self, focuses: Sequence[QuestionFocus]) -> None:
        self.size = len(focuses)
        self.texts = tuple(f.text for f in focuses)
        self._totals = [f.total_weight for f in focuses]
        postings: dict[str, dict[float, list[int]]] = {}
        for position, focus in enumerate(focuses):
            for word_stem, weight in focus.terms:
                postings.setdefault(word_stem, {}).setdefault(weight, []).append(position)
        # A stem weighs the same in every question that shares the bank's rarity, so the questions that use it
        # are kept together under its weight. Each question still adds its weights in the answer's stem order.
        self._index = {
            word_stem: tuple((weight, tuple(positions)) for weight, positions in by_weight.items())
            for word_stem, by_weight in postings.items()
        }

    def coverages(self, answer_stems: Set[str]) -> list[float]:
        """Each question's coverage by the answer (as QuestionFocus.coverage)."""
        found = [0.0] * self.size
        for postings in filter(None, map(self._index.get, answer_stems)):  # in the answer's stem order
            for weight, positions in postings:
                for position in positions:
                    found[position] += weight
        return [f / t if t else 1.0 for f, t in zip(found, self._totals, strict=True)]
