"""The one interface the core needs from a language model: a chat completion that returns JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat prompt."""

    role: Literal["system", "user"]
    content: str


@dataclass(frozen=True)
class Completion:
    """What the model said (expected to be JSON) and the tokens it cost."""

    text: str
    tokens: int = 0


class ModelFailure(Exception):
    """The model gave no usable reply; `reason` is a short label for the failure counter."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


class ModelPort(Protocol):
    """A chat model that answers a prompt with JSON matching a schema."""

    @property
    def name(self) -> str:
        """The model's name, as members see it in feedback."""
        ...

    async def complete(
        self, messages: Sequence[ChatMessage], schema: Mapping[str, Any], schema_name: str
    ) -> Completion:
        """The model's reply to `messages`, asked to match `schema`; ModelFailure when there is none."""
        ...
