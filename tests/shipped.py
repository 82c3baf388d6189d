"""The shipped bank and an engine over it, built once per test process (both are immutable)."""

from __future__ import annotations

from functools import cache

from bot.scoring.engine import FeedbackEngine
from content.loader import Bank, load_bank


@cache
def shipped_bank() -> Bank:
    """The bank that ships with debrief."""
    return load_bank()


@cache
def shipped_engine() -> FeedbackEngine:
    """The rubric engine over the shipped bank."""
    return FeedbackEngine(shipped_bank())
