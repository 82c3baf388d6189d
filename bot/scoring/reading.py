"""Reading an answer: what each sentence does (who acts, what is decided, weighed, paid, measured), and the
numbers the score is computed from. Everything is read on the spelled-out, lower-cased text, so casing,
bullets and chat shorthand change nothing."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from bot.scoring.pattern_guard import factored, led_by, words_pattern
from bot.scoring.pattern_set import Hits, PatternSet
from bot.scoring.relevance import (
    NO_OTHER_QUESTIONS,
    OtherQuestions,
    QuestionFit,
    QuestionFocus,
    Rarity,
    stem_count,
    stems,
)
from bot.scoring.sentence_scan import JoinedSentences
from bot.scoring.signals import BEFORE_AFTER_PARTS, Vocabulary, lowered
from bot.scoring.text import AnswerText, Shorthand
from content.schema import Language

# Past tenses that do not end in -ed: who did what is read from these as much as from regular verbs.
_IRREGULAR_PAST = (
    "made|took|ran|built|wrote|rewrote|cut|set|led|chose|said|told|went|got|found|kept|held|gave|put|sent|saw|"
    "spent|paid|lost|won|sold|brought|bought|taught|began|drew|drove|fell|felt|heard|hit|let|left|meant|met|"
    "read|rode|rose|shut|sat|split|spoke|stood|stuck|struck|swore|threw|understood|wore|came|became|shipped|"
    "shrank|grew|knew|flew|broke|chose|froze|hid|bent|built|caught|dealt|dug|fed|fought|forgot|forgave|hung|"
    "laid|lent|lit|overrode|quit|rebuilt|redid|reran|resent|retook|sought|shot|showed|slept|stole|swept|swung|"
    "tore|woke|wound|withdrew"
)
_I = led_by(
    ["i", "i'd", "i'll", "i've", "i would", "i will"],
    r"\s+(?:had to\s+|then\s+|also\s+|first\s+|finally\s+|personally\s+|just\s+|\w+ly\s+)?",
)
_WE_ACT = led_by(
    ["we", "the team", "our team", "they", "everyone", "the group", "the company"],
    r"\s+(?:all\s+|then\s+|also\s+)?(?:had|have|did|decided|agreed|aligned|discussed|\w+ed|" + _IRREGULAR_PAST + r")\b",
)
_HYPOTHETICAL = words_pattern(
    [
        "i'd",
        "i would",
        "we'd",
        "we would",
        "i will",
        "i'll",
        "we will",
        "we'll",
        "i'm going to",
        "i'd want",
        "i would want",
        "my plan",
        "the plan",
        "step (?:one|two|1|2)",
    ]
)
_PAST_ACTION = led_by(["i", "we"], r"\s+(?:\w+ly\s+)?(?:\w+ed|did|had|" + _IRREGULAR_PAST + r")\b")
_DECISION = "|".join(
    (
        led_by(
            ["i", "i'd", "i would", "i'll"],
            r"\s+(?:\w+ly\s+)?(?:decided|decide|chose|choose|picked|pick|made the call|make the call|committed|commit|"
            r"cut|killed|kill|said no|say no|pushed back|proposed|propose|recommended|recommend|dropped|drop|"
            r"held back|hold back|paused|pause|stopped|stop|prioriti[sz]ed|prioriti[sz]e|traded|trade|signed off|bet|"
            r"overrode|escalated|refused|rejected|reject)\b",
        ),
        words_pattern(["my (?:call|decision|recommendation)"]),
    )
)
_TALLIED = (
    "owned",
    "shared",
    "decision",
    "causal",
    "contrast",
    "alternative",
    "cost",
    "quantities",
    "outcome_quantities",
    "activity_quantities",
    "before_after",
    "hedges",
    "throughput_move",
    "checked",
    "hypothetical",
    "past_action",
)
_WORD_CHARS = b"abcdefghijklmnopqrstuvwxyz0123456789'"
_WORD_CHARS_ELSE_SPACE = bytes(code if code in _WORD_CHARS else ord(" ") for code in range(256))
_SENTENCE_OF = itemgetter(0)  # a Hit's sentence
# Content stems shorter than this are too common to say whether a text is about interview topics.
KNOWN_MIN_STEM = 3
REPETITION_MIN_WORDS = 50
REPETITION_DISTINCT_SHARE = 0.1
# The opening: where an answer shows whether it takes up the question or bridges to another one.
OPENING_WORDS = 80
# A design answer with this many infrastructure terms and at most this many words about correctness.
INFRA_DUMP_TERMS = 5
INFRA_DUMP_GROUNDING = 2


def words_of(low: str) -> list[str]:
    """The runs of a-z, 0-9 and apostrophes in a text, as re.findall(r"[a-z0-9']+", low) gives them: every
    other character (outside ASCII too, each encoded as one "?") is made a space and the text split."""
    return low.encode("ascii", "replace").translate(_WORD_CHARS_ELSE_SPACE).decode("ascii").split()


class SentenceReading(NamedTuple):
    """What one sentence does (a named tuple: an answer's sentences are built by the dozen)."""

    text: str
    low: str
    owned: bool
    shared: bool
    decision: bool
    causal: int
    contrast: int
    alternative: bool
    cost: bool
    quantities: int
    outcome_quantities: int
    activity_quantities: int
    before_after: bool
    mechanisms: tuple[str, ...]
    hedges: int
    throughput_move: bool
    checked: bool
    hypothetical: bool
    past_action: bool


@dataclass(frozen=True)
class Reading:
    """Everything the score is computed from, per sentence and in total."""

    sentences: tuple[SentenceReading, ...]
    joined: JoinedSentences
    hits: Hits[Hashable]
    words: int
    relevance: float
    covered_points: tuple[bool, ...]
    asks_for_a_story: bool
    missed_terms: tuple[str, ...]
    answer_stems: frozenset[str]
    buzzwords: int
    fillers: int
    function_ratio: float
    infra_terms: int
    grounding_terms: int
    generic_framing: int
    process_talk: int
    conditionals: int
    distinct_mechanisms: int
    opening_relevance: float
    fit: QuestionFit
    pivot_opening: bool
    known_share: float
    repetitive: bool
    negated_claims: tuple[str, ...] = ()
    extra: dict[str, float] = field(default_factory=dict)

    def count(self, name: str) -> int:
        """How many sentences have a boolean trait (owned, decision, alternative, cost, ...)."""
        return self._tallies[name][0]

    def total(self, name: str) -> int:
        """The sum of a counted trait over sentences (quantities, causal, hedges, ...)."""
        return self._tallies[name][1]

    @cached_property
    def _tallies(self) -> dict[str, tuple[int, int]]:
        """Per trait: sentences that have it, and its sum over sentences."""
        if not self.sentences:
            return dict.fromkeys(_TALLIED, (0, 0))
        columns = list(zip(*self.sentences, strict=True))  # each field over the sentences
        tallies = {}
        for name in _TALLIED:
            values = columns[SentenceReading._fields.index(name)]  # counts and flags, never negative
            tallies[name] = (sum(map(bool, values)), sum(values))
        return tallies

    @property
    def hypothetical_share(self) -> float:
        """The share of sentences that say what the speaker would do."""
        return self.count("hypothetical") / max(1, len(self.sentences))

    @property
    def past_share(self) -> float:
        """The share of sentences that say what someone did."""
        return self.count("past_action") / max(1, len(self.sentences))

    @property
    def unguarded_throughput(self) -> int:
        """Moves that buy throughput with quality, with no quality check named in the same or the next sentence."""
        sentences = self.sentences
        return sum(
            s.throughput_move and not s.checked and not (i + 1 < len(sentences) and sentences[i + 1].checked)
            for i, s in enumerate(sentences)
        )

    @property
    def infrastructure_only(self) -> bool:
        """A design made of serving infrastructure that never says what a correct output is or how it is checked."""
        return self.infra_terms >= INFRA_DUMP_TERMS and self.grounding_terms <= INFRA_DUMP_GROUNDING

    def features(self) -> dict[str, float]:
        """The numbers the learned score is computed from (the same at training and at run time)."""
        n = max(1, len(self.sentences))
        words = max(1, self.words)
        per_100 = 100 / words
        owned, shared = self.count("owned"), self.count("shared")
        outcome, activity = self.total("outcome_quantities"), self.total("activity_quantities")
        alt_reason = sum(s.alternative and (s.causal > 0 or s.contrast > 0) for s in self.sentences)
        covered = sum(self.covered_points) / len(self.covered_points) if self.covered_points else self.relevance
        story = float(self.asks_for_a_story)
        hypothetical = self.hypothetical_share
        past = self.past_share
        return {
            "words_log": math.log1p(self.words),
            "short": float(self.words < 60),
            "very_short": float(self.words < 25),
            "long": max(0.0, (self.words - 350) / 100),
            "owned_share": owned / n,
            "shared_share": shared / n,
            "first_person_ratio": (owned + 1) / (owned + shared + 2),
            "decisions": min(3, self.count("decision")),
            "causal": min(6, self.total("causal")) / 3,
            "causal_density": self.total("causal") / n,
            "contrast": min(6, self.total("contrast")) / 3,
            "alternatives": min(3, self.count("alternative")),
            "alternatives_with_reason": min(3, alt_reason),
            "costs": min(3, self.count("cost")),
            "outcome_numbers": min(6, outcome) / 3,
            "activity_numbers": min(6, activity) / 3,
            "activity_share": activity / (activity + outcome + 1),
            "before_after": min(3, self.count("before_after")),
            "quantities": min(10, self.total("quantities")) / 5,
            "mechanisms": min(8, self.distinct_mechanisms) / 4,
            "hedges": self.total("hedges") * per_100,
            "fillers": self.fillers * per_100,
            "buzzwords": self.buzzwords * per_100,
            "function_ratio": self.function_ratio,
            "throughput_moves": min(3, self.count("throughput_move")),
            "unguarded_throughput": min(3, self.unguarded_throughput),
            "infrastructure_only": float(self.infrastructure_only),
            "infra": min(10, self.infra_terms) / 5,
            "infra_share": self.infra_terms / (self.infra_terms + self.grounding_terms + 1),
            "grounding": min(10, self.grounding_terms) / 5,
            "generic_framing": min(3, self.generic_framing),
            "process_density": self.process_talk * per_100,
            "conditional_density": self.conditionals * per_100,
            "conditionals": min(6, self.conditionals),
            "relevance": self.relevance,
            "opening_relevance": self.opening_relevance,
            "fit_rank": self.fit.rank,
            "fit_margin": self.fit.margin,
            "pivot_opening": float(self.pivot_opening),
            "covered": covered,
            "story_question": story,
            "hypothetical_in_story": story * hypothetical,
            "past_in_story": story * past,
            "hypothetical": hypothetical,
            "negated_claims": min(3, len(self.negated_claims)),
            "known_share": self.known_share,
            "decision_density": self.count("decision") / n,
            "alternative_density": self.count("alternative") / n,
            "cost_density": self.count("cost") / n,
            "contrast_density": self.total("contrast") / n,
            "outcome_density": min(3.0, self.total("outcome_quantities") / n),
            "mechanism_density": self.distinct_mechanisms * per_100,
            "grounding_density": self.grounding_terms * per_100,
            "owned_decisions": min(3, sum(s.decision and s.owned for s in self.sentences)),
            **self.extra,
        }


class Reader:
    """Reads answers with one bank's vocabulary: every word list and sentence shape in one pattern set."""

    def __init__(self, language: Language, vocabulary: Vocabulary, rarity: Rarity) -> None:
        self.vocabulary = vocabulary
        self.rarity = rarity
        self.abbreviations = dict(language.abbreviations)
        self._shorthand = Shorthand(self.abbreviations)
        spelled = "|".join(language.number_words)
        number = r"\b(?:[$€£]?\d[\d,.]*\s?(?:%|x|k|m|pp|percent|points?)?|" + spelled + r")"
        stance = "|".join(language.stance_verbs)
        word_lists = {
            "outcome": language.outcome_terms,
            "causal": language.causal_markers,
            "contrast": language.contrast_markers,
            "alternative": language.alternative_markers,
            "cost": language.cost_markers,
            "infra": language.infra_terms,
            "grounding": language.grounding_terms,
            "generic": language.generic_framing,
            "checked": language.quality_checks,
            "hedge": language.hedges,
            "filler": language.fillers,
            "buzzword": language.buzzwords,
            "mechanism": language.mechanisms,
            "throughput": language.throughput_moves,
            "process": language.process_talk,
            "conditional": language.conditional_markers,
        }
        patterns: list[tuple[str, str]] = [
            (key, words_pattern([fragment])) for key, fragments in word_lists.items() for fragment in fragments
        ]
        patterns += [("before_after", part) for part in BEFORE_AFTER_PARTS]
        patterns += [
            *(("number_word", words_pattern([word])) for word in language.number_words),
            ("owned", _I + r"(?!(?:" + stance + r")\b)[a-z']{2,}"),
            ("shared", _WE_ACT),
            ("decision", _DECISION),
            ("hypothetical", _HYPOTHETICAL),
            ("past_action", _PAST_ACTION),
            # every activity count ends with one: a sentence without one has none
            ("activity_noun", "(?:" + factored(language.activity_nouns) + r")\b"),
        ]
        self.patterns: tuple[tuple[str, str], ...] = tuple(patterns)
        self._own: PatternSet[Hashable] = PatternSet(self.patterns, lowered)
        # counted only in sentences that have a number at all
        self._activity = lowered(number + r"\s+(?:\w+\s+){0,2}?(?:" + factored(language.activity_nouns) + r")\b")
        self._pivot = lowered(words_pattern(language.pivot_openings))

    def read(
        self,
        text: AnswerText,
        focus: QuestionFocus | None,
        others: OtherQuestions | None = None,
        patterns: PatternSet[Hashable] | None = None,
    ) -> Reading:
        """Read an answer (against the question, when there is one, and the other questions it might answer).

        `patterns` is this reader's pattern set with more patterns added (a rubric's): they run in the same
        pass and their hits come back in the reading."""
        joined = JoinedSentences(self.spelled(text))
        hits = (patterns or self._own).find(joined)
        sentences = tuple(self._sentences(text, joined, hits))
        low = " ".join(joined.sentences)
        low_stems = stems(low)
        answer_stems = frozenset(low_stems)
        split = low.split()
        opening = " ".join(split[:OPENING_WORDS])
        # the opening's stems are the answer's first ones (the opening ends at a space of `low`, or with it)
        opening_stems = low_stems[: stem_count(opening)] if low.startswith(opening) else stems(opening)
        words = len(split) or 1
        tokens = words_of(low)
        return Reading(
            sentences=sentences,
            joined=joined,
            hits=hits,
            words=text.word_count,
            relevance=focus.coverage(answer_stems) if focus else 1.0,
            covered_points=tuple(focus.covered_points(low)) if focus and focus.covers else (),
            asks_for_a_story=focus.asks_for_a_story if focus else False,
            missed_terms=tuple(focus.missed_terms(answer_stems)) if focus else (),
            answer_stems=answer_stems,
            buzzwords=len(hits.of("buzzword")),
            fillers=len(hits.of("filler")),
            function_ratio=self.vocabulary.function_words_among(tokens) / words,
            infra_terms=len(hits.of("infra")),
            grounding_terms=len({h.text for h in hits.of("grounding")}),
            generic_framing=len(hits.of("generic")),
            process_talk=len(hits.of("process")),
            conditionals=len(hits.of("conditional")),
            distinct_mechanisms=len({m for s in sentences for m in s.mechanisms}),
            opening_relevance=focus.coverage(frozenset(opening_stems)) if focus else 1.0,
            known_share=self._known_share(low_stems),
            repetitive=self._repetitive(tokens),
            negated_claims=tuple(
                dict.fromkeys(
                    h.text
                    for h in hits.of("mechanism")
                    if self.vocabulary.negated(joined.sentences[h.sentence], h.start)
                )
            ),
            fit=focus.fit(answer_stems, others) if focus and others else NO_OTHER_QUESTIONS,
            pivot_opening=bool(self._pivot.search(opening)),
        )

    def spelled(self, text: AnswerText) -> list[str]:
        """The answer's sentences lower-cased with chat shorthand spelled out, as every reading starts."""
        return self._shorthand.sentences(text.sentences)

    def _known_share(self, low_stems: list[str]) -> float:
        """The share of the answer's content words (its stems, in order) that interview talk (the bank) uses."""
        content = [s for s in low_stems if len(s) > KNOWN_MIN_STEM]
        return self.rarity.known_count(content) / len(content) if content else 1.0

    @staticmethod
    def _repetitive(words: list[str]) -> bool:
        """A long text made of the same few words (its lower-cased words, in order)."""
        return len(words) >= REPETITION_MIN_WORDS and len(set(words)) / len(words) < REPETITION_DISTINCT_SHARE

    def _sentences(self, text: AnswerText, joined: JoinedSentences, hits: Hits[Hashable]) -> Iterator[SentenceReading]:
        vocabulary = self.vocabulary
        lows = joined.sentences
        negated, distanced = vocabulary.negated, vocabulary.distanced

        def where(key: str, drop: Callable[[str, int], bool] | None = None) -> set[int]:
            """The sentences with a match of `key` (that `drop` does not rule out)."""
            if drop is None:
                return set(map(_SENTENCE_OF, hits.of(key)))
            return {h.sentence for h in hits.of(key) if not drop(lows[h.sentence], h.start)}

        def tally(key: str, drop: Callable[[str, int], bool] | None = None) -> list[int]:
            """How many matches of `key` each sentence has (that `drop` does not rule out)."""
            counts = [0] * len(lows)
            for hit in hits.of(key):
                if drop is None or not drop(lows[hit.sentence], hit.start):
                    counts[hit.sentence] += 1
            return counts

        mechanisms: dict[int, list[str]] = {}
        for hit in hits.of("mechanism"):
            if not negated(lows[hit.sentence], hit.start):
                mechanisms.setdefault(hit.sentence, []).append(hit.text)
        numbers = tally("number_word", negated)
        causal, contrast, hedge = tally("causal"), tally("contrast"), tally("hedge")
        throughput = where("throughput", distanced)
        owned = where("owned", negated)
        outcome, alternative, cost, before_after, checked = (
            where(key) for key in ("outcome", "alternative", "cost", "before_after", "checked")
        )
        shared, decision, hypothetical, past_action, activity_nouns = (
            where(key) for key in ("shared", "decision", "hypothetical", "past_action", "activity_noun")
        )
        quantity_starts, activity_of = vocabulary.quantity_starts, self._activity.findall
        for index, (raw, low) in enumerate(zip(text.sentences, lows, strict=True)):
            quantity = numbers[index]
            for start in quantity_starts(low):
                if not negated(low, start):
                    quantity += 1
            activity = len(activity_of(low)) if quantity and index in activity_nouns else 0
            said_before_after = index in before_after
            outcomes = (quantity if index in outcome else 0) + (1 if said_before_after else 0)
            # positional: the fields in SentenceReading's order, far cheaper than keywords for a dozen sentences
            yield SentenceReading(
                raw,
                low,
                index in owned,
                index in shared,
                index in decision,
                causal[index],
                contrast[index],
                index in alternative,
                index in cost,
                quantity,
                min(outcomes, max(0, quantity - activity) + (1 if said_before_after else 0)),
                activity,
                said_before_after,
                tuple(mechanisms.get(index, ())),
                hedge[index],
                index in throughput,
                index in checked,
                index in hypothetical,
                index in past_action,
            )
