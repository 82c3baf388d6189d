"""What the model is asked to return for one answer, as pydantic models and the JSON schema sent with the prompt."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.coach.port import ModelFailure
from content.schema import Rubric

MAX_REASON_CHARS = 400
MAX_QUOTES = 3
MAX_FOLLOW_UP_CHARS = 300
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


class CriterionJudgement(BaseModel):
    """The model's view of one rubric criterion."""

    model_config = ConfigDict(extra="ignore")

    id: str
    score: int = Field(ge=1, le=5)
    reason: str = Field(max_length=2000)
    quotes: list[str] = Field(default_factory=list, max_length=10)


class Judgement(BaseModel):
    """The model's view of one answer: every criterion, and the follow-up an interviewer would ask."""

    model_config = ConfigDict(extra="ignore")

    criteria: list[CriterionJudgement] = Field(max_length=20)
    follow_up: str = Field(default="", max_length=2000)


def judgement_schema(rubric: Rubric) -> dict[str, Any]:
    """The JSON schema of a judgement for this rubric (strict: every field required, criterion ids enumerated)."""
    criterion = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "enum": [c.id for c in rubric.criteria]},
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
            "reason": {"type": "string"},
            "quotes": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["id", "score", "reason", "quotes"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "criteria": {"type": "array", "items": criterion},
            "follow_up": {"type": "string"},
        },
        "required": ["criteria", "follow_up"],
        "additionalProperties": False,
    }


def parse_judgement(raw: str) -> Judgement:
    """The judgement in the model's reply: strict JSON (a code fence around it is tolerated); ModelFailure
    ("malformed") for anything else."""
    fenced = _FENCE.match(raw)
    body = fenced.group(1) if fenced else raw.strip()
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ModelFailure("malformed", f"not JSON ({exc.__class__.__name__})") from None
    try:
        return Judgement.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise ModelFailure("malformed", f"{where}: {first.get('msg', 'invalid')}") from None
