"""Pydantic schema of the question bank: rounds, rubrics and questions."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

MAX_QUESTION_CHARS = 500
MAX_TEXT_CHARS = 1200
MAX_EXEMPLAR_CHARS = 3000
SPEAKING_GUIDELINE_SECONDS = 150


class Category(StrEnum):
    """The question categories; each has exactly one rubric."""

    RECRUITER_SCREEN = "recruiter_screen"
    BEHAVIORAL = "behavioral"
    TECHNICAL = "technical"
    CROSS_FUNCTIONAL = "cross_functional"
    LEADERSHIP = "leadership"
    METRICS = "metrics"
    SYSTEM_DESIGN = "system_design"
    CULTURE = "culture"


class RoundId(StrEnum):
    """Interview rounds a question can be asked in."""

    RECRUITER_SCREEN = "recruiter_screen"
    HIRING_MANAGER = "hiring_manager"
    TECHNICAL_DEEP_DIVE = "technical_deep_dive"
    CROSS_FUNCTIONAL = "cross_functional"
    LEADERSHIP_PANEL = "leadership_panel"
    METRICS = "metrics"
    SYSTEM_DESIGN = "system_design"


Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
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
