"""Pydantic schema of the question bank: rounds, rubrics and questions."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

MAX_QUESTION_CHARS = 500
MAX_TEXT_CHARS = 1200
MAX_EXEMPLAR_CHARS = 3000
SPEAKING_GUIDELINE_SECONDS = 150


Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
# A category is defined by the rubric that judges it, a round by rounds.yaml; both are checked when a bank loads.
Category = Id
RoundId = Id
QuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*-[0-9]{3}$", max_length=40)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=MAX_TEXT_CHARS)]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80)]


class Strict(BaseModel):
    """Base for every content model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in patterns:
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
    return patterns


class Round(Strict):
    """One interview round: its length and place in the full loop."""

    id: RoundId
    name: Line
    minutes: int = Field(ge=5, le=240)
    loop_position: int | None = Field(default=None, ge=1, le=10)
    description: Line
    categories: tuple[Category, ...] = Field(min_length=1)


class Levels(Strict):
    """What a 1, a 3 and a 5 look like for one criterion."""

    one: Line = Field(alias="1")
    three: Line = Field(alias="3")
    five: Line = Field(alias="5")


class Criterion(Strict):
    """A weighted rubric criterion with the phrases that evidence it."""

    id: Id
    name: Line
    weight: float = Field(gt=0, le=1)
    description: Line
    levels: Levels
    signals: tuple[str, ...] = Field(min_length=3)

    _signals_compile = field_validator("signals")(_check_patterns)


class StructurePart(Strict):
    """One part of the answer structure a category expects (e.g. Decision, Trade-off)."""

    id: Id
    name: Line
    signals: tuple[str, ...] = Field(min_length=2)

    _signals_compile = field_validator("signals")(_check_patterns)


class AntiPattern(Strict):
    """A habit that sinks answers, how to spot it, why it hurts and the better move."""

    id: Id
    name: Line
    patterns: tuple[str, ...] = Field(min_length=1)
    why: Line
    better: Line

    _patterns_compile = field_validator("patterns")(_check_patterns)


class Exemplar(Strict):
    """A written answer that shows the bar (strong) or misses it (weak)."""

    kind: Literal["strong", "weak"]
    question: QuestionId
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=MAX_EXEMPLAR_CHARS)]
    why: Line


class Rubric(Strict):
    """How answers in one category are judged."""

    id: Id
    category: Category
    name: Line
    summary: Line
    criteria: tuple[Criterion, ...] = Field(min_length=3, max_length=6)
    structure: tuple[StructurePart, ...] = Field(min_length=2, max_length=7)
    anti_patterns: tuple[AntiPattern, ...] = Field(min_length=3)
    exemplars: tuple[Exemplar, ...] = Field(min_length=2)
    # Words in a question that say it belongs to this category (to pick a rubric for a question not in the bank).
    question_cues: tuple[str, ...] = ()

    _cues_compile = field_validator("question_cues")(_check_patterns)

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        total = sum(c.weight for c in self.criteria)
        if abs(total - 1.0) > 0.01:
            raise ValueError(f"criterion weights add up to {total:.2f}, not 1.0")
        _unique("criterion", [c.id for c in self.criteria])
        _unique("structure part", [s.id for s in self.structure])
        _unique("anti-pattern", [a.id for a in self.anti_patterns])
        kinds = {e.kind for e in self.exemplars}
        if kinds != {"strong", "weak"}:
            raise ValueError("needs at least one strong and one weak exemplar")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)


class Expectation(Strict):
    """One thing a strong answer to a specific question covers, and words that show it."""

    point: Line
    keywords: tuple[Keyword, ...] = Field(min_length=1, max_length=12)


class Probe(Strict):
    """A follow-up an interviewer asks when the answer left a gap on one criterion."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=300)]
    criterion: Id


class Question(Strict):
    """One interview question, what a strong answer covers and how to probe it."""

    id: QuestionId
    category: Category
    round: RoundId
    difficulty: int = Field(ge=1, le=3)
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=MAX_QUESTION_CHARS)]
    covers: tuple[Expectation, ...] = Field(min_length=2, max_length=6)
    follow_ups: tuple[Probe, ...] = Field(min_length=1, max_length=3)
    tags: tuple[Id, ...] = Field(min_length=1, max_length=8)
    rubric: Id


class Language(Strict):
    """The vocabulary answers are read with: regular-expression fragments matched on lower-cased text."""

    units: tuple[str, ...] = Field(min_length=1)
    mechanisms: tuple[str, ...] = Field(min_length=1)
    buzzwords: tuple[str, ...] = Field(min_length=1)
    hedges: tuple[str, ...] = Field(min_length=1)
    fillers: tuple[str, ...] = Field(min_length=1)
    negators: tuple[str, ...] = Field(min_length=1)
    distancing: tuple[str, ...] = Field(min_length=1)
    function_words: tuple[str, ...] = Field(min_length=1)
    number_words: tuple[str, ...] = Field(min_length=1)
    activity_nouns: tuple[str, ...] = Field(min_length=1)
    outcome_terms: tuple[str, ...] = Field(min_length=1)
    causal_markers: tuple[str, ...] = Field(min_length=1)
    contrast_markers: tuple[str, ...] = Field(min_length=1)
    alternative_markers: tuple[str, ...] = Field(min_length=1)
    cost_markers: tuple[str, ...] = Field(min_length=1)
    throughput_moves: tuple[str, ...] = Field(min_length=1)
    infra_terms: tuple[str, ...] = Field(min_length=1)
    grounding_terms: tuple[str, ...] = Field(min_length=1)
    generic_framing: tuple[str, ...] = Field(min_length=1)
    pivot_openings: tuple[str, ...] = Field(min_length=1)
    quality_checks: tuple[str, ...] = Field(min_length=1)
    process_talk: tuple[str, ...] = Field(min_length=1)
    conditional_markers: tuple[str, ...] = Field(min_length=1)
    stance_verbs: tuple[str, ...] = Field(min_length=1)
    abbreviations: dict[str, str] = Field(default_factory=dict)

    @field_validator("*")
    @classmethod
    def _fragments_compile(cls, value: object) -> object:
        return _check_patterns(value) if isinstance(value, tuple) else value


class LanguageOverride(Strict):
    """A team's language.yaml: each list it gives replaces the shipped one."""

    units: tuple[str, ...] | None = None
    mechanisms: tuple[str, ...] | None = None
    buzzwords: tuple[str, ...] | None = None
    hedges: tuple[str, ...] | None = None
    fillers: tuple[str, ...] | None = None
    negators: tuple[str, ...] | None = None
    distancing: tuple[str, ...] | None = None
    function_words: tuple[str, ...] | None = None
    number_words: tuple[str, ...] | None = None
    activity_nouns: tuple[str, ...] | None = None
    outcome_terms: tuple[str, ...] | None = None
    causal_markers: tuple[str, ...] | None = None
    contrast_markers: tuple[str, ...] | None = None
    alternative_markers: tuple[str, ...] | None = None
    cost_markers: tuple[str, ...] | None = None
    throughput_moves: tuple[str, ...] | None = None
    infra_terms: tuple[str, ...] | None = None
    grounding_terms: tuple[str, ...] | None = None
    generic_framing: tuple[str, ...] | None = None
    pivot_openings: tuple[str, ...] | None = None
    quality_checks: tuple[str, ...] | None = None
    process_talk: tuple[str, ...] | None = None
    conditional_markers: tuple[str, ...] | None = None
    stance_verbs: tuple[str, ...] | None = None
    abbreviations: dict[str, str] | None = None

    @field_validator("*")
    @classmethod
    def _fragments_compile(cls, value: object) -> object:
        return _check_patterns(value) if isinstance(value, tuple) else value

    def over(self, base: Language) -> Language:
        """The shipped language with these lists in place of its own."""
        given = {k: v for k, v in self.model_dump().items() if v is not None}
        return Language.model_validate({**base.model_dump(), **given})


class LanguageFile(Strict):
    """The top level of a language YAML file."""

    language: LanguageOverride


class RubricFile(Strict):
    """The top level of a rubric YAML file."""

    rubric: Rubric


class QuestionFile(Strict):
    """The top level of a questions YAML file."""

    questions: tuple[Question, ...] = Field(min_length=1)


class RoundsFile(Strict):
    """The top level of the rounds YAML file."""

    rounds: tuple[Round, ...] = Field(min_length=1)


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} id {item!r}")
        seen.add(item)
