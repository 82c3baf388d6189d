"""The neutral feedback structure the rubric engine produces and every renderer reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    """A debrief vote."""

    STRONG_HIRE = "strong_hire"
    HIRE = "hire"
    LEAN_NO_HIRE = "lean_no_hire"
    NO_HIRE = "no_hire"

    @property
    def label(self) -> str:
        """How the vote reads in a sentence."""
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class CriterionResult:
    """One rubric criterion: its score, the sentences that earned it and how to raise it."""

    id: str
    name: str
    weight: float
    score: int
    evidence: tuple[str, ...]
    suggestion: str | None
    reason: str | None = None  # why, in a model's words, when a model judged the answer


@dataclass(frozen=True)
class AntiPatternHit:
    """An anti-pattern found in the answer, with the sentence that shows it."""

    id: str
    name: str
    quote: str
    why: str
    better: str


@dataclass(frozen=True)
class StructurePart:
    """Whether one expected part of the answer's structure is there."""

    id: str
    name: str
    present: bool
    quote: str | None


@dataclass(frozen=True)
class Expectation:
    """Whether the answer covered one thing a strong answer to this question covers."""

    point: str
    covered: bool


@dataclass(frozen=True)
class LanguageProfile:
    """How the answer is said: specificity, ownership, hedging and claims it negates."""

    quantities: int
    before_after: int
    mechanisms: tuple[str, ...]
    owned_sentences: int
    shared_vague_sentences: int
    hedges: tuple[str, ...]
    fillers: int
    negated_claims: tuple[str, ...]


@dataclass(frozen=True)
class OffQuestion:
    """The answer seems to answer another question: what of the asked one it never gets to."""

    missed: str  # the part of the question the answer never gets to
    reason: str  # what gave it away, in a phrase
    unrelated: bool = False  # about something else entirely, not a neighbouring question


@dataclass(frozen=True)
class Feedback:
    """Everything the engine concluded about one answer."""

    overall: float
    verdict: Verdict
    criteria: tuple[CriterionResult, ...]
    anti_patterns: tuple[AntiPatternHit, ...]
    structure: tuple[StructurePart, ...]
    coverage: tuple[Expectation, ...]
    language: LanguageProfile
    word_count: int
    speaking_seconds: int
    over_time: bool
    notes: tuple[str, ...]
    question_id: str | None
    category: str
    rubric_id: str
    off_question: OffQuestion | None = None
    question_text: str | None = None  # when the question is not in the bank
    ceiling: float | None = None  # the highest overall score the engine's caps allow, when one applies
    coach: str | None = None  # the model that judged the answer, when one did (the engine guarded it)
    engine_overall: float | None = None  # the engine's own overall score, beside a model's
    follow_up: str | None = None  # the question an interviewer would ask next, when a model wrote one

    @property
    def missing_structure(self) -> tuple[str, ...]:
        """Names of the expected structure parts the answer lacks."""
        return tuple(part.name for part in self.structure if not part.present)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the documented top-level fields first."""
        data = asdict(self)
        data["verdict"] = self.verdict.value
        data["missing_structure"] = list(self.missing_structure)
        ordered = {
            key: data.pop(key)
            for key in (
                "overall",
                "verdict",
                "criteria",
                "anti_patterns",
                "word_count",
                "speaking_seconds",
                "question_id",
                "category",
            )
        }
        off = data.pop("off_question")
        ordered["off_question"] = off is not None
        ordered["missed"] = (off["missed"] or None) if off else None
        ordered["off_question_reason"] = off["reason"] if off else None
        for criterion in ordered["criteria"]:
            criterion["evidence"] = list(criterion["evidence"])
        ordered.update(data)
        return ordered
