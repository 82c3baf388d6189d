"""The state of one mock interview: which rounds, which questions, where the member is, what they said."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class MockAnswer(BaseModel):
    """One question of a mock: the answer, the probe and its answer, timing and scores."""

    model_config = ConfigDict(frozen=True)

    round: str
    question_id: str
    text: str = ""
    probe: str | None = None
    follow_up: str | None = None
    seconds: int = 0
    speaking_seconds: int = 0
    overall: float | None = None
    criteria: dict[str, int] = Field(default_factory=dict)
    to_reach_five: dict[str, str] = Field(default_factory=dict)
    anti_patterns: list[str] = Field(default_factory=list)
    skipped: bool = False
    off_question: bool = False  # answered another question, or repeated an earlier answer
    # With model feedback: per criterion name, a verified quote of the member and the model's reason.
    quotes: dict[str, str] = Field(default_factory=dict)
    reasons: dict[str, str] = Field(default_factory=dict)


class MockSession(BaseModel):
    """A member's open mock: a single round, or the five-round loop."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: str  # a round id, or "loop"
    rounds: list[str]
    round_index: int = 0
    questions: list[str]
    question_index: int = 0
    probe: str | None = None
    pending: MockAnswer | None = None  # the main answer while its follow-up is open
    asked_at: datetime
    started_at: datetime
    answers: list[MockAnswer] = Field(default_factory=list)
    round_scores: dict[str, float] = Field(default_factory=dict)
    venue: str | None = None  # where it runs when not in a DM (a private thread); only answers there count
    workspace: str | None = None  # the workspace (server) it was started in, whose coach setting applies
    version: int = 0

    @property
    def round(self) -> str:
        """The round in progress."""
        return self.rounds[self.round_index]

    @property
    def question_id(self) -> str:
        """The question in progress."""
        return self.questions[self.question_index]
