"""Score an answer against its question's rubric: deterministic, offline, a few milliseconds.

The overall score is learned from hand-graded answers (model.py) over what reading.py finds in the answer;
the rubric's own signals find the sentences that evidence each criterion, and every claim in the feedback
quotes the answer. Caps with a plain message cover empty answers, one-liners, lists of buzzwords, answers to
a different question and pasted essays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Set
from dataclasses import dataclass
from functools import cached_property

from bot.replies import clipped, counted
from bot.scoring.feedback import (
    AntiPatternHit,
    CriterionResult,
    Expectation,
    Feedback,
    LanguageProfile,
    OffQuestion,
    StructurePart,
    Verdict,
)
from bot.scoring.model import BELOW_CUT, ScoreModel, shipped_model
from bot.scoring.pattern_guard import GuardedPattern, guarded, words_pattern
from bot.scoring.pattern_set import Hits, PatternSet
from bot.scoring.reading import Reader, Reading, SentenceReading
from bot.scoring.relevance import OtherQuestions, QuestionFocus, Rarity, stems
from bot.scoring.signals import Vocabulary, lowered
from bot.scoring.text import MAX_SCORED_WORDS, SPEAKING_GUIDELINE_SECONDS, WORDS_PER_MINUTE, read_answer
from bot.scoring.wording import terms
from content.loader import Bank
from content.schema import Criterion, Question, Rubric

MAX_QUOTE_CHARS = 300
EVIDENCE_PER_CRITERION = 3
ONE_LINER_WORDS = 25
ONE_LINER_CAP = 1.5
BUZZWORD_CAP = 1.5
OFF_QUESTION_CAP = 2.0
ESSAY_FACTOR = 2.0
ESSAY_CAP = 2.5
NO_EVIDENCE_CEILING = 3.0  # a criterion nothing in a strong answer speaks to: not done well, not clearly missing
STRONG_OVERALL = 3.5
# Buzzwords per word above which an answer is a string of slogans (chat shorthand and bullets are not).
BUZZWORD_RATIO = 0.03
# An opening that steers away counts as answering another question when the answer touches less than this
# share of what the question is about, or fits more than this share of the bank's other questions better.
PIVOT_RELEVANCE = 0.4
PIVOT_FIT_RANK = 0.1
# An answer whose words are mostly unknown to interview talk and that touches nothing the question asks is about
# something else entirely (a recipe, a match report).
UNRELATED_KNOWN_SHARE = 0.55
UNRELATED_RELEVANCE = 0.15
UNRELATED_KNOWN_SHARE_ALONE = 0.4  # with no question to compare against, only far stranger text counts
UNRELATED_CAP = 1.0
# An answer that fits another bank question this much better than the one asked answers that one: on the fitting
# answers, 0.4% of those graded 4-5 and 13% of them pasted under another question (tests/calibration/pasted.py).
OTHER_QUESTION_MARGIN = 0.3
OTHER_QUESTION_SHOWN_CHARS = 120
# A question about something the candidate did, answered mostly with what they would do.
STORY_HYPOTHETICAL = 0.3
STORY_PAST = 0.15
# Questions whose "other questions" list is kept (bank questions and the most recent custom ones).
MAX_CACHED_QUESTIONS = 512
MAX_CACHED_FOLLOW_UPS = 4096  # follow-ups whose focus is kept (the bank's, and custom questions' if any)
# An answer that already uses this share of a follow-up's distinctive words has taken it up: suggesting it
# again reads as if the feedback had not read the answer.
FOLLOW_UP_ANSWERED = 0.75
EVIDENCE_SCALE = 1.6
DECAY = (1.0, 0.7, 0.5, 0.35)


def verdict_for(overall: float, cuts: tuple[float, float, float] | None = None) -> Verdict:
    """The debrief vote an overall score stands for (cuts: lean no hire, hire, strong hire)."""
    lean, hire, strong = cuts or shipped_model().verdict_cuts
    if overall >= strong:
        return Verdict.STRONG_HIRE
    if overall >= hire:
        return Verdict.HIRE
    if overall >= lean:
        return Verdict.LEAN_NO_HIRE
    return Verdict.NO_HIRE


class UnknownQuestion(LookupError):
    """No question has this id."""


class UnknownCategory(LookupError):
    """No category has this id."""


@dataclass(frozen=True)
class _Signals:
    """The patterns of one criterion, structure part or anti-pattern, and where they sit in the rubric's set."""

    key: tuple[str, int]
    patterns: tuple[GuardedPattern, ...]

    def sentences_matching(
        self, hits: Hits[Hashable], sentences: list[str], excluded: Callable[[str, int], bool]
    ) -> set[int]:
        """Indexes of the sentences where a pattern matches at a place `excluded` does not rule out."""
        return {h.sentence for h in hits.of(self.key) if not excluded(sentences[h.sentence], h.start)}

    def mentions(self, text: str) -> bool:
        """Whether any pattern matches `text` at all."""
        return any(p.may_match(text) and p.regex.search(text) for p in self.patterns)


@dataclass(frozen=True)
class _CompiledRubric:
    rubric: Rubric
    criteria: tuple[tuple[Criterion, _Signals], ...]
    structure: tuple[tuple[str, str, _Signals], ...]
    anti_patterns: tuple[tuple[int, _Signals], ...]
    patterns: PatternSet[Hashable]  # every signal above and the reader's patterns, run together


def _compile(rubric: Rubric, reader: Reader) -> _CompiledRubric:
    keyed: list[tuple[Hashable, str]] = list(reader.patterns)

    def signals(kind: str, index: int, patterns: tuple[str, ...]) -> _Signals:
        keyed.extend(((kind, index), p) for p in patterns)
        return _Signals((kind, index), guarded(patterns, lowered))

    criteria = tuple((c, signals("criterion", i, c.signals)) for i, c in enumerate(rubric.criteria))
    structure = tuple((p.id, p.name, signals("structure", i, p.signals)) for i, p in enumerate(rubric.structure))
    anti = tuple((i, signals("anti", i, a.patterns)) for i, a in enumerate(rubric.anti_patterns))
    return _CompiledRubric(rubric, criteria, structure, anti, PatternSet(keyed, lowered))


def _corpus(bank: Bank) -> list[str]:
    """The texts that say how common a word is in interview talk: every question, point, level and exemplar."""
    texts = [q.text for q in bank.questions.values()]
    texts += [" ".join(e.point for e in q.covers) for q in bank.questions.values()]
    for rubric in bank.rubrics.values():
        texts += [c.description for c in rubric.criteria]
        texts += [level for c in rubric.criteria for level in (c.levels.one, c.levels.three, c.levels.five)]
        texts += [e.text for e in rubric.exemplars]
    return texts


class FeedbackEngine:
    """Scores answers against the bank's rubrics; build one per process and reuse it."""

    def __init__(self, bank: Bank, model: ScoreModel | None = None) -> None:
        self.bank = bank
        self.model = model or shipped_model()
        self.model.compile_trees()
        self.vocabulary = Vocabulary(bank.language)
        self._rarity = Rarity(_corpus(bank))
        self.reader = Reader(bank.language, self.vocabulary, self._rarity)
        self._rubrics = {rubric_id: _compile(r, self.reader) for rubric_id, r in bank.rubrics.items()}
        self._focus: dict[str, QuestionFocus] = {}
        self._others: dict[str, OtherQuestions] = {}
        self._follow_up_focus: dict[str, QuestionFocus] = {}
        self._cues = {
            r.category: tuple(lowered(words_pattern([cue])) for cue in r.question_cues) for r in bank.rubrics.values()
        }

    def question(self, question_id: str) -> Question:
        """The question with this id, or UnknownQuestion."""
        try:
            return self.bank.question(question_id)
        except KeyError:
            raise UnknownQuestion(f"unknown question id '{question_id}'") from None

    def score(
        self,
        answer: str,
        *,
        question_id: str | None = None,
        question_text: str | None = None,
        category: str | None = None,
    ) -> Feedback:
        """Score an answer to a bank question, to any question (its text and category), or against a category."""
        return _Scoring(self, answer, *self._target(question_id, question_text, category)).run()

    def read(
        self,
        answer: str,
        *,
        question_id: str | None = None,
        question_text: str | None = None,
        category: str | None = None,
    ) -> dict[str, float]:
        """The features the learned score sees for an answer (used to fit the model)."""
        return _Scoring(self, answer, *self._target(question_id, question_text, category)).features()

    def terms(self, answer: str) -> list[str]:
        """The answer's words and word pairs as the wording model reads them (used to fit it)."""
        return terms(self.reader.spelled(read_answer(answer)))

    def _target(
        self, question_id: str | None, question_text: str | None, category: str | None
    ) -> tuple[_CompiledRubric, Question | None, QuestionFocus | None]:
        if question_id:
            question = self.question(question_id)
            return self._rubrics[question.rubric], question, self._bank_focus(question)
        if category is None:
            raise UnknownCategory("give a question id, or a category (with or without the question's text)")
        try:
            rubric = self._rubrics[self.bank.rubric_for_category(category).id]
        except KeyError:
            allowed = ", ".join(self.bank.categories)
            raise UnknownCategory(f"unknown category '{category}' (one of: {allowed})") from None
        focus = QuestionFocus.of(question_text, self._rarity) if question_text and question_text.strip() else None
        return rubric, None, focus

    def open_follow_up(self, question: Question, criteria: Collection[str], answer: str) -> str | None:
        """The question's first follow-up on one of `criteria` that the answer has not already taken up."""
        return self._open_follow_up(question, criteria, frozenset(stems(answer.lower())))

    def _open_follow_up(self, question: Question, criteria: Collection[str], answer_stems: Set[str]) -> str | None:
        return next(
            (
                p.text
                for p in question.follow_ups
                if p.criterion in criteria and self._follow_up(p.text).coverage(answer_stems) < FOLLOW_UP_ANSWERED
            ),
            None,
        )

    def guess_category(self, question_text: str) -> str:
        """The category whose rubric's question cues a question matches most (the first category when none do)."""
        low = question_text.lower()
        cues, category = max(
            (sum(1 for cue in cues for _ in cue.finditer(low)), -order, category)
            for order, (category, cues) in enumerate(self._cues.items())
        )[::2]
        return category if cues else self.bank.categories[0]

    def others(self, focus: QuestionFocus | None) -> OtherQuestions | None:
        """The bank's questions other than this one: what an answer that misses it may be answering instead."""
        if focus is None:
            return None
        others = self._others.get(focus.text)
        if others is None:
            every = tuple(self._bank_focus(q) for q in self.bank.questions.values())
            others = OtherQuestions([other for other in every if other.text != focus.text])
            if len(self._others) < MAX_CACHED_QUESTIONS:
                self._others[focus.text] = others
        return others

    def _follow_up(self, text: str) -> QuestionFocus:
        focus = self._follow_up_focus.get(text)
        if focus is None:
            focus = QuestionFocus.of(text, self._rarity)
            if len(self._follow_up_focus) < MAX_CACHED_FOLLOW_UPS:
                self._follow_up_focus[text] = focus
        return focus

    def _bank_focus(self, question: Question) -> QuestionFocus:
        focus = self._focus.get(question.id)
        if focus is None:
            covers = [(e.point, e.keywords) for e in question.covers]
            focus = QuestionFocus.of(question.text, self._rarity, covers)
            self._focus[question.id] = focus
        return focus


class _Scoring:
    """One scoring pass over one answer."""

    def __init__(
        self,
        engine: FeedbackEngine,
        answer: str,
        compiled: _CompiledRubric,
        question: Question | None,
        focus: QuestionFocus | None,
    ) -> None:
        self.engine = engine
        self.compiled = compiled
        self.rubric = compiled.rubric
        self.question = question
        self.focus = focus
        self.text = read_answer(answer)
        self.reading: Reading = engine.reader.read(self.text, focus, engine.others(focus), compiled.patterns)
        self.sentences = self.reading.sentences
        self.joined = self.reading.joined
        self.hits = self.reading.hits
        self.vocabulary = engine.vocabulary
        self.notes: list[str] = []
        self._criteria = [self._criterion(c, s) for c, s in compiled.criteria]

    # what the learned score sees --------------------------------------------------------------------

    def features(self) -> dict[str, float]:
        """The reading's features plus how the rubric's own signals see the answer."""
        values = self.reading.features()
        criteria = self._criteria
        weights = sum(c.weight for c, _, _ in criteria) or 1.0
        values["rubric"] = sum(c.weight * raw for c, raw, _ in criteria) / weights
        values["rubric_min"] = min((raw for _, raw, _ in criteria), default=1.0)
        values["criteria_evidenced"] = sum(bool(ev) for _, _, ev in criteria) / max(1, len(criteria))
        structure = self._structure
        values["structure"] = sum(p.present for p in structure) / len(structure) if structure else 0.0
        values["anti_patterns"] = min(3, len(self._anti_patterns))
        return self.engine.model.with_wording(values, self.terms())

    def terms(self) -> list[str]:
        """The answer's words and word pairs, as the wording model reads them."""
        return terms(self.joined.sentences)

    # the pass -----------------------------------------------------------------------------------------

    def run(self) -> Feedback:
        if not self.sentences:
            return self._empty()
        model = self.engine.model
        predicted, votes_hire = model.assess(self.features())
        structure = self._structure
        coverage = self._coverage()
        anti = self._anti_patterns
        language = self._language()
        off_question = self._off_question()
        overall, ceiling = self._caps(min(5.0, max(1.0, predicted)), off_question)
        capped = ceiling is not None
        overall = round(model.in_band(overall, votes_hire and not capped), 1)
        missing_by_criterion = self._missing_points_by_criterion(coverage)
        criteria = self._aligned_criteria(overall, missing_by_criterion)
        self._advice(language)
        return Feedback(
            overall=overall,
            verdict=verdict_for(overall, model.verdict_cuts),
            criteria=criteria,
            anti_patterns=anti,
            structure=structure,
            coverage=coverage,
            language=language,
            word_count=self.text.word_count,
            speaking_seconds=self.text.speaking_seconds,
            over_time=self.text.over_time,
            notes=tuple(self.notes),
            question_id=self.question.id if self.question else None,
            category=self.rubric.category,
            rubric_id=self.rubric.id,
            off_question=off_question,
            question_text=self.focus.text if self.focus and not self.question else None,
            ceiling=ceiling,
        )

    def _weight(self, sentence: SentenceReading) -> float:
        """How much a sentence counts as evidence: specific, mechanical and owned sentences count more."""
        specific = sentence.quantities > 0 or sentence.before_after
        return (
            1.0
            + 0.5 * specific
            + 0.35 * bool(sentence.mechanisms)
            + 0.25 * sentence.owned
            - 0.3 * bool(sentence.hedges)
        )

    @cached_property
    def _weights(self) -> list[float]:
        """Each sentence's weight as evidence (every criterion ranks the same sentences)."""
        return [self._weight(s) for s in self.sentences]

    def _criterion(self, criterion: Criterion, signals: _Signals) -> tuple[Criterion, float, tuple[str, ...]]:
        weights = self._weights
        hits = sorted(signals.sentences_matching(self.hits, self.joined.sentences, self.vocabulary.negated))
        ranked = sorted(hits, key=lambda i: -weights[i])
        strength = sum(d * weights[i] for d, i in zip(DECAY, ranked, strict=False))
        raw = 1.0 + 4.0 * (1.0 - math.exp(-strength / EVIDENCE_SCALE))
        return criterion, raw, tuple(_quote(self.sentences[i].text) for i in ranked[:EVIDENCE_PER_CRITERION])

    @cached_property
    def _structure(self) -> tuple[StructurePart, ...]:
        parts = []
        for part_id, name, signals in self.compiled.structure:
            indexes = signals.sentences_matching(self.hits, self.joined.sentences, self.vocabulary.negated)
            found = self.sentences[min(indexes)].text if indexes else None
            parts.append(StructurePart(part_id, name, found is not None, _quote(found) if found else None))
        return tuple(parts)

    def _coverage(self) -> tuple[Expectation, ...]:
        if self.question is None:
            return ()
        return tuple(
            Expectation(e.point, hit) for e, hit in zip(self.question.covers, self.reading.covered_points, strict=False)
        )

    @cached_property
    def _anti_patterns(self) -> tuple[AntiPatternHit, ...]:
        hits = []
        for index, signals in self.compiled.anti_patterns:
            indexes = signals.sentences_matching(self.hits, self.joined.sentences, self.vocabulary.distanced)
            if indexes:
                ap = self.rubric.anti_patterns[index]
                hits.append(
                    AntiPatternHit(ap.id, ap.name, _quote(self.sentences[min(indexes)].text), ap.why, ap.better)
                )
        if any(s.throughput_move for s in self.sentences) and not any(h.id == "throughput_for_quality" for h in hits):
            sentence = next(s for s in self.sentences if s.throughput_move)
            hits.append(
                AntiPatternHit(
                    "throughput_for_quality",
                    "Buying throughput with quality",
                    _quote(sentence.text),
                    "More hands, longer shifts or thinner QA raise output while the errors go out with it; the "
                    "customer's model learns from the mistakes you shipped.",
                    "Keep the quality gate fixed and find throughput elsewhere: cut scope, phase the delivery, or "
                    "fix what makes the work slow.",
                )
            )
        return tuple(hits)

    def _language(self) -> LanguageProfile:
        sentences = self.sentences
        return LanguageProfile(
            quantities=sum(s.quantities for s in sentences),
            before_after=sum(s.before_after for s in sentences),
            mechanisms=tuple(dict.fromkeys(m for s in sentences for m in s.mechanisms)),
            owned_sentences=sum(s.owned for s in sentences),
            shared_vague_sentences=sum(s.shared for s in sentences),
            hedges=tuple(dict.fromkeys(h.text for h in sorted(self.reading.hits.of("hedge")))),
            fillers=self.reading.fillers,
            negated_claims=self.reading.negated_claims,
        )

    def _off_question(self) -> OffQuestion | None:
        """An answer to a different question: it steers away in its opening and barely touches what was asked,
        or it answers a question about something the candidate did with what they would do."""
        reading = self.reading
        if self.text.word_count < ONE_LINER_WORDS:
            return None
        if self.focus is None:  # scored against a category: only an answer about something else entirely shows
            if reading.known_share < UNRELATED_KNOWN_SHARE_ALONE:
                return OffQuestion(missed="", reason="it is not about this kind of work at all", unrelated=True)
            return None
        missed = self.focus.least_covered_ask(reading.answer_stems)
        if reading.known_share < UNRELATED_KNOWN_SHARE and reading.relevance < UNRELATED_RELEVANCE:
            return OffQuestion(missed=missed, reason="it is not about this kind of work at all", unrelated=True)
        if reading.pivot_opening and (reading.relevance < PIVOT_RELEVANCE or reading.fit.rank > PIVOT_FIT_RANK):
            return OffQuestion(missed=missed, reason="it opens by steering to a topic of its own")
        if reading.fit.margin < -OTHER_QUESTION_MARGIN:
            other = clipped(reading.fit.best_other, OTHER_QUESTION_SHOWN_CHARS)
            return OffQuestion(missed=missed, reason=f"it fits another question far better: \u201c{other}\u201d")
        if (
            reading.asks_for_a_story
            and reading.hypothetical_share > STORY_HYPOTHETICAL
            and (reading.past_share < STORY_PAST)
        ):
            return OffQuestion(missed=missed, reason="the question asks what you did; this says what you would do")
        return None

    def _caps(self, score: float, off_question: OffQuestion | None) -> tuple[float, float | None]:
        """The score after the caps that apply, and the highest score they allow (None when none applies; a
        capped answer is never a hire, and neither is one whose numbers are all throughput or infrastructure)."""
        limits: list[float] = []
        words = self.text.word_count
        limit_words = SPEAKING_GUIDELINE_SECONDS * WORDS_PER_MINUTE // 60
        reading = self.reading
        if words >= 8 and reading.buzzwords / max(words, 1) > BUZZWORD_RATIO:
            self.notes.append("This is mostly buzzwords: say what you did, why, and what changed, in plain words.")
            limits.append(BUZZWORD_CAP)
        if off_question is not None and off_question.unrelated:
            asked = f"\u201c{off_question.missed}\u201d" if off_question.missed else "the question"
            self.notes.append(
                "This does not answer the interview question: it is about something else entirely. Answer "
                f"{asked} with something you did or would do at work."
            )
            limits.append(UNRELATED_CAP)
        elif off_question is not None:
            self.notes.append(
                f"This seems to answer a different question ({off_question.reason}); it never gets to: "
                f"\u201c{off_question.missed.rstrip('. ')}\u201d. Answer that first, then use the rest if it fits."
            )
            limits.append(OFF_QUESTION_CAP)
        serious = bool(reading.unguarded_throughput) or reading.infrastructure_only
        if reading.repetitive:
            self.notes.append("This repeats the same few words; write what you would say out loud.")
            limits.append(UNRELATED_CAP)
        if words < ONE_LINER_WORDS:
            self.notes.append(
                f"At {counted(words, 'word')} this is a headline, not an answer;"
                " say what you did, why, and what changed."
            )
            limits.append(ONE_LINER_CAP)
        if words > limit_words * ESSAY_FACTOR:
            minutes = self.text.speaking_seconds / 60
            scored = " (only the first 3,000 words were read)" if words > MAX_SCORED_WORDS else ""
            self.notes.append(
                f"About {minutes:.0f} minutes spoken: far past the 2.5-minute guideline{scored}. "
                "An interviewer would cut in; lead with the decision and keep the rest for follow-ups."
            )
            limits.append(ESSAY_CAP)
        elif self.text.over_time:
            self.notes.append(
                f"About {self.text.speaking_seconds // 60}:{self.text.speaking_seconds % 60:02d} spoken, "
                "over the 2.5-minute guideline; cut the set-up, keep the decision and the numbers."
            )
        if serious:
            limits.append(self.engine.model.verdict_cuts[1] - BELOW_CUT)
        ceiling = min(limits, default=None)
        return (score if ceiling is None else min(score, ceiling)), ceiling

    def _advice(self, language: LanguageProfile) -> None:
        """Notes on habits the score already weighs, said plainly."""
        reading = self.reading
        if sum(bool(s.hedges) for s in self.sentences) >= 3:
            self.notes.append(
                f"Hedging ({', '.join(language.hedges[:3])}) undercuts your own claims; "
                "say what you decided and what happened."
            )
        if reading.count("shared") > reading.count("owned") and reading.count("shared") >= 2:
            self.notes.append(
                "Your own part is hard to find: more sentences say what 'we' or 'the team' did than what you did."
            )
        if (
            reading.total("activity_quantities") > reading.total("outcome_quantities")
            and reading.total("activity_quantities") >= 2
        ):
            self.notes.append(
                "Most of your numbers count activity (meetings, tickets, people); give the result instead: a "
                "before and after on what the customer cares about."
            )
        if reading.infra_terms >= 5 and reading.grounding_terms <= 2:
            self.notes.append(
                "The design is infrastructure: say what a correct output is, where ground truth comes from, and "
                "how you will know the system is right."
            )

    def _aligned_criteria(self, overall: float, missing: dict[str, str]) -> tuple[CriterionResult, ...]:
        """Criterion scores from their own evidence, shifted so their weighted mean agrees with the overall
        score; a criterion with no quotable evidence never rises above 3 (above 2 in an answer that is weak
        overall): without a sentence to point at, it cannot be called done well, nor clearly missing in a strong
        answer."""
        criteria = self._criteria
        weights = sum(c.weight for c, _, _ in criteria) or 1.0
        mean = sum(c.weight * raw for c, raw, _ in criteria) / weights
        shift = overall - mean
        results = []
        for criterion, raw, evidence in criteria:
            adjusted = raw + shift
            if not evidence:
                adjusted = min(adjusted, NO_EVIDENCE_CEILING if overall >= STRONG_OVERALL else 2.0)
            score = max(1, min(5, round(adjusted)))
            suggestion = None if score >= 4 else self._suggestion(criterion, missing.get(criterion.id))
            results.append(CriterionResult(criterion.id, criterion.name, criterion.weight, score, evidence, suggestion))
        return tuple(results)

    def _missing_points_by_criterion(self, coverage: tuple[Expectation, ...]) -> dict[str, str]:
        """Give each criterion the uncovered question point that speaks to it, so suggestions do not repeat."""
        if self.question is None:
            return {}
        missing = [e for e, seen in zip(self.question.covers, coverage, strict=False) if not seen.covered]
        assigned: dict[str, str] = {}
        leftovers = []
        for expectation in missing:
            probe = " ".join((expectation.point, *expectation.keywords)).lower()
            target = next(
                (c.id for c, signals in self.compiled.criteria if c.id not in assigned and signals.mentions(probe)),
                None,
            )
            if target is None:
                leftovers.append(expectation.point)
            else:
                assigned[target] = expectation.point
        for criterion, _ in self.compiled.criteria:
            if not leftovers:
                break
            if criterion.id not in assigned:
                assigned[criterion.id] = leftovers.pop(0)
        return assigned

    def _suggestion(self, criterion: Criterion, missing_point: str | None) -> str:
        parts = [criterion.levels.five]
        if missing_point:
            parts.append(f"For this question, cover: {missing_point.rstrip('.')}.")
        if self.question is not None:
            probe = self.engine._open_follow_up(self.question, (criterion.id,), self.reading.answer_stems)
            if probe:
                parts.append(f"Answer the likely follow-up before it comes: \u201c{probe}\u201d")
        return " ".join(parts)

    def _empty(self) -> Feedback:
        criteria = tuple(CriterionResult(c.id, c.name, c.weight, 1, (), c.levels.five) for c in self.rubric.criteria)
        structure = tuple(StructurePart(pid, name, False, None) for pid, name, _ in self.compiled.structure)
        coverage = tuple(Expectation(e.point, False) for e in self.question.covers) if self.question else ()
        return Feedback(
            overall=1.0,
            verdict=Verdict.NO_HIRE,
            criteria=criteria,
            anti_patterns=(),
            structure=structure,
            coverage=coverage,
            language=LanguageProfile(0, 0, (), 0, 0, (), 0, ()),
            word_count=0,
            speaking_seconds=0,
            over_time=False,
            notes=("The answer is empty. Write what you would say out loud, in 200-350 words.",),
            question_id=self.question.id if self.question else None,
            category=self.rubric.category,
            rubric_id=self.rubric.id,
        )


def _quote(sentence: str) -> str:
    return clipped(sentence, MAX_QUOTE_CHARS)
