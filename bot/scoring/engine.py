"""Score an answer against its question's rubric: deterministic, offline, a few milliseconds."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.scoring.feedback import (
    AntiPatternHit,
    CriterionResult,
    Expectation,
    Feedback,
    LanguageProfile,
    StructurePart,
    Verdict,
)
from bot.scoring.pattern_guard import GuardedPattern, guarded
from bot.scoring.sentence_scan import JoinedSentences
from bot.scoring.signals import DIGITS, Vocabulary, lowered
from bot.scoring.text import (
    MAX_SCORED_WORDS,
    SPEAKING_GUIDELINE_SECONDS,
    WORDS_PER_MINUTE,
    AnswerText,
    read_answer,
)
from content.loader import Bank
from content.schema import Criterion, Question, Rubric

MAX_QUOTE_CHARS = 300
EVIDENCE_PER_CRITERION = 3


@dataclass(frozen=True)
class EngineWeights:
    """The tunable numbers of the scoring model, in one place so calibration changes only these."""

    rubric_blend: float = 0.4
    general_specific: float = 0.5
    general_owned: float = 0.25
    general_mechanism: float = 0.05
    general_coverage: float = 0.25
    share_saturation: float = 0.25
    mechanism_saturation: int = 8
    evidence_scale: float = 1.6
    decay: tuple[float, ...] = (1.0, 0.7, 0.5, 0.35)
    specific_bonus: float = 0.5
    mechanism_bonus: float = 0.35
    owned_bonus: float = 0.25
    hedge_malus: float = 0.3
    coverage_weight: float = 1.6
    structure_weight: float = 0.0
    anti_pattern_penalty: float = 0.6
    anti_pattern_cap: float = 1.5
    hedge_density_free: float = 2.0
    hedge_density_step: float = 0.1
    hedge_density_cap: float = 0.5
    hedged_sentences_cap_at: int = 3
    vague_ownership_penalty: float = 0.15
    over_time_penalty: float = 0.3  # per minute past the guideline
    short_words: int = 40
    short_cap: float = 2.0
    thin_words: int = 80
    thin_cap: float = 3.0
    essay_factor: float = 2.0
    essay_cap: float = 2.5
    list_function_ratio: float = 0.22
    buzzword_ratio: float = 0.1
    buzzword_cap: float = 1.5
    off_topic_cap: float = 1.3
    strong_hire_at: float = 4.2
    hire_at: float = 3.4
    lean_no_hire_at: float = 2.5


def verdict_for(overall: float, weights: EngineWeights | None = None) -> Verdict:
    """The debrief vote an overall score stands for."""
    w = weights or EngineWeights()
    if overall >= w.strong_hire_at:
        return Verdict.STRONG_HIRE
    if overall >= w.hire_at:
        return Verdict.HIRE
    if overall >= w.lean_no_hire_at:
        return Verdict.LEAN_NO_HIRE
    return Verdict.NO_HIRE


class UnknownQuestion(LookupError):
    """No question has this id."""


class UnknownCategory(LookupError):
    """No category has this id."""


@dataclass(frozen=True)
class _Signals:
    """The patterns of one criterion, structure part or anti-pattern, each guarded by a literal."""

    patterns: tuple[GuardedPattern, ...]

    def sentences_evidencing(self, joined: JoinedSentences, vocabulary: Vocabulary) -> set[int]:
        """Indexes of the sentences where a pattern matches outside a negation."""
        return self._sentences(joined, vocabulary.negated)

    def sentences_proposing(self, joined: JoinedSentences, vocabulary: Vocabulary) -> set[int]:
        """Indexes of the sentences where a pattern matches as something the speaker actually proposes."""
        return self._sentences(joined, vocabulary.distanced)

    def _sentences(self, joined: JoinedSentences, excluded: Callable[[str, int], bool]) -> set[int]:
        found: set[int] = set()
        sentences = joined.sentences
        everywhere = range(len(sentences))
        for pattern in self.patterns:
            candidates = everywhere if pattern.guard is None else joined.sentences_containing(pattern.guard)
            search = pattern.regex.finditer
            for index in candidates:
                if index in found:
                    continue
                sentence = sentences[index]
                for match in search(sentence):
                    if not excluded(sentence, match.start()):
                        found.add(index)
                        break
        return found

    def mentions(self, text: str) -> bool:
        """Whether any pattern matches `text` at all."""
        return any(p.may_match(text) and p.regex.search(text) for p in self.patterns)


@dataclass(frozen=True)
class _CompiledCriterion:
    criterion: Criterion
    signals: _Signals


@dataclass(frozen=True)
class _CompiledRubric:
    rubric: Rubric
    criteria: tuple[_CompiledCriterion, ...]
    structure: tuple[tuple[str, str, _Signals], ...]
    anti_patterns: tuple[tuple[int, _Signals], ...]


@dataclass(frozen=True)
class _Sentence:
    """One sentence with the generic signals computed once and shared by every criterion."""

    text: str
    low: str
    quantities: int
    before_after: int
    mechanisms: tuple[str, ...]
    negated_claim: bool
    owned: bool
    shared_vague: bool
    hedges: tuple[str, ...]
    fillers: int
    weight: float

    @property
    def specific(self) -> bool:
        """Carries a number or a before -> after."""
        return bool(self.quantities or self.before_after)

    @property
    def hedged(self) -> bool:
        """Contains at least one hedge."""
        return bool(self.hedges)


def _read_sentences(
    texts: Sequence[str], joined: JoinedSentences, w: EngineWeights, vocabulary: Vocabulary
) -> list[_Sentence]:
    """Every sentence with its generic signals, each pattern scanned once over the whole answer."""
    n = len(texts)
    mechanism_spans: list[list[tuple[int, int, str]]] = [[] for _ in range(n)]
    negated_mechanism = [False] * n
    for chunk in vocabulary.mechanisms:
        for index, start, match in joined.matches_in(chunk.regex, chunk.guard):
            if vocabulary.negated(joined.sentences[index], start):
                negated_mechanism[index] = True
            else:
                mechanism_spans[index].append((start, match.end() - match.start(), match.group(0)))
    mechanisms = [_without_overlaps(spans) for spans in mechanism_spans]
    quantities, negated_quantities = [0] * n, [0] * n
    for index, start, _ in joined.matches_in(vocabulary.quantity, DIGITS):
        quantities[index] += 1
        negated_quantities[index] += vocabulary.negated(joined.sentences[index], start)
    before_after = [0] * n
    for part in vocabulary.before_after:
        for index, _, _ in joined.matches_in(part.regex, part.guard):
            before_after[index] += 1
    fillers = _per_sentence_counts(joined, vocabulary.filler, n)
    shared_vague = _per_sentence_counts(joined, vocabulary.shared_vague, n)
    owned = [False] * n
    for index, start, _ in joined.matches(vocabulary.owned_action):
        owned[index] = owned[index] or not vocabulary.negated(joined.sentences[index], start)
    hedges: list[list[str]] = [[] for _ in range(n)]
    for index, _, match in joined.matches_in(vocabulary.hedge.regex, vocabulary.hedge.guard):
        hedges[index].append(match.group(0))
    sentences = []
    for i, text in enumerate(texts):
        specific = bool(quantities[i] or before_after[i])
        weight = (
            1.0
            + w.specific_bonus * specific
            + w.mechanism_bonus * bool(mechanisms[i])
            + w.owned_bonus * owned[i]
            - w.hedge_malus * bool(hedges[i])
        )
        sentences.append(
            _Sentence(
                text=text,
                low=joined.sentences[i],
                quantities=quantities[i],
                before_after=before_after[i],
                mechanisms=tuple(mechanisms[i]),
                negated_claim=(negated_mechanism[i] and not mechanisms[i])
                or (quantities[i] > 0 and negated_quantities[i] == quantities[i]),
                owned=owned[i],
                shared_vague=bool(shared_vague[i]),
                hedges=tuple(hedges[i]),
                fillers=fillers[i],
                weight=weight,
            )
        )
    return sentences


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[str]:
    """Terms in text order, dropping any that overlap an earlier (or at the same start, longer) one."""
    terms, reached = [], -1
    for start, length, term in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start >= reached:
            terms.append(term)
            reached = start + length
    return terms


def _per_sentence_counts(joined: JoinedSentences, pattern: GuardedPattern, n: int) -> list[int]:
    counts = [0] * n
    for index, _, _ in joined.matches_in(pattern.regex, pattern.guard):
        counts[index] += 1
    return counts


def _alternation(patterns: tuple[str, ...]) -> _Signals:
    return _Signals(guarded(patterns, lowered))


def _compile(rubric: Rubric) -> _CompiledRubric:
    return _CompiledRubric(
        rubric=rubric,
        criteria=tuple(_CompiledCriterion(c, _alternation(c.signals)) for c in rubric.criteria),
        structure=tuple((p.id, p.name, _alternation(p.signals)) for p in rubric.structure),
        anti_patterns=tuple((i, _alternation(a.patterns)) for i, a in enumerate(rubric.anti_patterns)),
    )


class FeedbackEngine:
    """Scores answers against the bank's rubrics; build one per process and reuse it."""

    def __init__(self, bank: Bank, weights: EngineWeights | None = None) -> None:
        self.bank = bank
        self.weights = weights or EngineWeights()
        self._rubrics = {rubric_id: _compile(r) for rubric_id, r in bank.rubrics.items()}
        self.vocabulary = Vocabulary(bank.language)

    def question(self, question_id: str) -> Question:
        """The question with this id, or UnknownQuestion."""
        try:
            return self.bank.question(question_id)
        except KeyError:
            raise UnknownQuestion(f"unknown question id '{question_id}'") from None

    def score(self, answer: str, *, question_id: str | None = None, category: str | None = None) -> Feedback:
        """Score an answer to a question (or, without one, against a category's rubric)."""
        question = self.question(question_id) if question_id else None
        if question is not None:
            rubric = self._rubrics[question.rubric]
        else:
            if category is None:
                raise UnknownCategory("give a question id or a category")
            try:
                rubric = self._rubrics[self.bank.rubric_for_category(category).id]
            except KeyError:
                allowed = ", ".join(self.bank.categories)
                raise UnknownCategory(f"unknown category '{category}' (one of: {allowed})") from None
        return _Scoring(read_answer(answer), rubric, question, self.weights, self.vocabulary).run()


class _Scoring:
    """One scoring pass over one answer."""

    def __init__(
        self,
        text: AnswerText,
        compiled: _CompiledRubric,
        question: Question | None,
        w: EngineWeights,
        vocabulary: Vocabulary,
    ) -> None:
        self.text = text
        self.compiled = compiled
        self.rubric = compiled.rubric
        self.question = question
        self.w = w
        self.vocabulary = vocabulary
        self.joined = JoinedSentences(text.sentences)
        self.sentences = _read_sentences(text.sentences, self.joined, w, vocabulary)
        self.lower = text.text.lower()
        self.notes: list[str] = []

    def run(self) -> Feedback:
        if not self.sentences:
            return self._empty()
        criteria_raw = [self._criterion(c) for c in self.compiled.criteria]
        structure = self._structure()
        coverage = self._coverage()
        anti = self._anti_patterns()
        language = self._language()
        overall = self._overall(criteria_raw, structure, coverage, anti, language)
        missing_by_criterion = self._missing_points_by_criterion(coverage)
        criteria = tuple(
            self._finish_criterion(c, raw, evidence, missing_by_criterion.get(c.id))
            for c, raw, evidence in criteria_raw
        )
        return Feedback(
            overall=overall,
            verdict=self._verdict(overall),
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
        )

    def _criterion(self, compiled: _CompiledCriterion) -> tuple[Criterion, float, tuple[str, ...]]:
        hit_indexes = compiled.signals.sentences_evidencing(self.joined, self.vocabulary)
        hits = [self.sentences[i] for i in sorted(hit_indexes)]
        ranked = sorted(hits, key=lambda s: -s.weight)
        strength = sum(d * s.weight for d, s in zip(self.w.decay, ranked, strict=False))
        raw = 1.0 + 4.0 * (1.0 - math.exp(-strength / self.w.evidence_scale))
        evidence = tuple(_quote(s.text) for s in ranked[:EVIDENCE_PER_CRITERION])
        return compiled.criterion, raw, evidence

    def _structure(self) -> tuple[StructurePart, ...]:
        parts = []
        for part_id, name, signals in self.compiled.structure:
            indexes = signals.sentences_evidencing(self.joined, self.vocabulary)
            found = self.sentences[min(indexes)].text if indexes else None
            parts.append(StructurePart(part_id, name, found is not None, _quote(found) if found else None))
        return tuple(parts)

    def _coverage(self) -> tuple[Expectation, ...]:
        if self.question is None:
            return ()
        return tuple(
            Expectation(e.point, any(k.lower() in self.lower for k in e.keywords)) for e in self.question.covers
        )

    def _anti_patterns(self) -> tuple[AntiPatternHit, ...]:
        hits = []
        for index, signals in self.compiled.anti_patterns:
            indexes = signals.sentences_proposing(self.joined, self.vocabulary)
            if indexes:
                sentence = self.sentences[min(indexes)].text
                ap = self.rubric.anti_patterns[index]
                hits.append(AntiPatternHit(ap.id, ap.name, _quote(sentence), ap.why, ap.better))
        return tuple(hits)

    def _language(self) -> LanguageProfile:
        sentences = self.sentences
        return LanguageProfile(
            quantities=sum(s.quantities for s in sentences),
            before_after=sum(s.before_after for s in sentences),
            mechanisms=tuple(dict.fromkeys(m for s in sentences for m in s.mechanisms)),
            owned_sentences=sum(s.owned for s in sentences),
            shared_vague_sentences=sum(s.shared_vague for s in sentences),
            hedges=tuple(dict.fromkeys(h for s in sentences for h in s.hedges)),
            fillers=sum(s.fillers for s in sentences),
            negated_claims=tuple(_quote(s.text) for s in sentences if s.negated_claim)[:3],
        )

    def _overall(
        self,
        criteria: list[tuple[Criterion, float, tuple[str, ...]]],
        structure: tuple[StructurePart, ...],
        coverage: tuple[Expectation, ...],
        anti: tuple[AntiPatternHit, ...],
        language: LanguageProfile,
    ) -> float:
        w = self.w
        rubric_score = sum(c.weight * raw for c, raw, _ in criteria)
        coverage_share = (
            sum(e.covered for e in coverage) / len(coverage)
            if coverage
            else sum(bool(evidence) for _, _, evidence in criteria) / len(criteria)
        )
        score = w.rubric_blend * rubric_score + (1 - w.rubric_blend) * self._general_quality(language, coverage_share)
        if coverage:
            score += w.coverage_weight * (coverage_share - 0.5)
        if structure:
            share = sum(p.present for p in structure) / len(structure)
            score += w.structure_weight * (share - 0.5)
        score -= min(w.anti_pattern_cap, w.anti_pattern_penalty * len(anti))
        words = max(self.text.word_count, 1)
        hedge_count = sum(len(s.hedges) for s in self.sentences)
        hedge_density = 100 * hedge_count / words
        if hedge_density > w.hedge_density_free:
            score -= min(w.hedge_density_cap, w.hedge_density_step * (hedge_density - w.hedge_density_free))
        if sum(s.hedged for s in self.sentences) >= w.hedged_sentences_cap_at:
            score = min(score, w.strong_hire_at - 0.1)
            self.notes.append(
                f"Hedging ({', '.join(language.hedges[:3])}) undercuts your own claims; "
                "say what you decided and what happened."
            )
        if language.shared_vague_sentences > language.owned_sentences:
            score -= w.vague_ownership_penalty
            self.notes.append(
                "Ownership is blurred: more sentences say what 'we' discussed or agreed than what you decided."
            )
        if language.negated_claims:
            self.notes.append(
                "Some sentences name a measure or mechanism only to say it did not happen; those earn nothing."
            )
        score = self._caps(score, criteria, coverage, language)
        return round(min(5.0, max(1.0, score)), 1)

    def _general_quality(self, language: LanguageProfile, coverage_share: float) -> float:
        """How good the answer is as an answer, whatever words the rubric listens for: 1-5."""
        w = self.w
        n = len(self.sentences)
        specific = min(1.0, sum(s.specific for s in self.sentences) / n / w.share_saturation)
        owned = min(1.0, sum(s.owned for s in self.sentences) / n / w.share_saturation)
        mechanisms = min(1.0, len(language.mechanisms) / w.mechanism_saturation)
        quality = (
            w.general_specific * specific
            + w.general_owned * owned
            + w.general_mechanism * mechanisms
            + w.general_coverage * coverage_share
        ) / (w.general_specific + w.general_owned + w.general_mechanism + w.general_coverage)
        return 1.0 + 4.0 * quality

    def _caps(
        self,
        score: float,
        criteria: list[tuple[Criterion, float, tuple[str, ...]]],
        coverage: tuple[Expectation, ...],
        language: LanguageProfile,
    ) -> float:
        w = self.w
        words = self.text.word_count
        limit_words = SPEAKING_GUIDELINE_SECONDS * WORDS_PER_MINUTE // 60
        function_ratio = self.vocabulary.function_word_count(self.lower) / max(words, 1)
        buzz_ratio = self.vocabulary.buzzword_count(self.lower) / max(words, 1)
        any_evidence = any(evidence for _, _, evidence in criteria)
        if words >= 8 and (function_ratio < w.list_function_ratio or buzz_ratio > w.buzzword_ratio):
            self.notes.append("This reads as a list of terms, not an answer: say what you did, why, and what changed.")
            score = min(score, w.buzzword_cap)
        if not any_evidence and not any(e.covered for e in coverage) and not language.mechanisms:
            self.notes.append("This does not answer the question: nothing in it touches what the rubric looks for.")
            score = min(score, w.off_topic_cap)
        if words < w.short_words:
            self.notes.append(
                f"At {words} words this is a headline, not an answer; aim for 200-350 words (about 1.5-2.5 minutes)."
            )
            score = min(score, w.short_cap)
        elif words < w.thin_words:
            self.notes.append(f"At {words} words there is room to show the reasoning; aim for 200-350 words.")
            score = min(score, w.thin_cap)
        if words > limit_words * w.essay_factor:
            minutes = self.text.speaking_seconds / 60
            scored = " (only the first 3,000 words were read)" if words > MAX_SCORED_WORDS else ""
            self.notes.append(
                f"About {minutes:.0f} minutes spoken: far past the 2.5-minute guideline{scored}. "
                "An interviewer would cut in; lead with the decision and keep the rest for follow-ups."
            )
            score = min(score, w.essay_cap)
        elif self.text.over_time:
            self.notes.append(
                f"About {self.text.speaking_seconds // 60}:{self.text.speaking_seconds % 60:02d} spoken, "
                "over the 2.5-minute guideline; cut the set-up, keep the decision and the numbers."
            )
            score -= w.over_time_penalty * (self.text.speaking_seconds - SPEAKING_GUIDELINE_SECONDS) / 60
        return score

    def _missing_points_by_criterion(self, coverage: tuple[Expectation, ...]) -> dict[str, str]:
        """Give each criterion the uncovered question point that speaks to it, so suggestions do not repeat."""
        if self.question is None:
            return {}
        missing = [e for e, seen in zip(self.question.covers, coverage, strict=False) if not seen.covered]
        assigned: dict[str, str] = {}
        leftovers = []
        for expectation in missing:
            probe = " ".join((expectation.point, *expectation.keywords))
            target = next(
                (
                    c.criterion.id
                    for c in self.compiled.criteria
                    if c.criterion.id not in assigned and c.signals.mentions(probe.lower())
                ),
                None,
            )
            if target is None:
                leftovers.append(expectation.point)
            else:
                assigned[target] = expectation.point
        for compiled in self.compiled.criteria:
            if not leftovers:
                break
            if compiled.criterion.id not in assigned:
                assigned[compiled.criterion.id] = leftovers.pop(0)
        return assigned

    def _finish_criterion(
        self, criterion: Criterion, raw: float, evidence: tuple[str, ...], missing_point: str | None
    ) -> CriterionResult:
        score = max(1, min(5, round(raw)))
        suggestion = None if score >= 4 else self._suggestion(criterion, missing_point)
        return CriterionResult(criterion.id, criterion.name, criterion.weight, score, evidence, suggestion)

    def _suggestion(self, criterion: Criterion, missing_point: str | None) -> str:
        parts = [criterion.levels.five]
        if missing_point:
            parts.append(f"For this question, cover: {missing_point.rstrip('.')}.")
        if self.question is not None:
            probe = next((p.text for p in self.question.follow_ups if p.criterion == criterion.id), None)
            if probe:
                parts.append(f"Answer the likely follow-up before it comes: \u201c{probe}\u201d")
        return " ".join(parts)

    def _verdict(self, overall: float) -> Verdict:
        return verdict_for(overall, self.w)

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
    return sentence if len(sentence) <= MAX_QUOTE_CHARS else sentence[: MAX_QUOTE_CHARS - 1].rstrip() + "…"
