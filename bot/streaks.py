"""Streaks and points: what a member sees, and the numbers the store applies."""

from __future__ import annotations

from dataclasses import dataclass

MAX_FREEZES = 2
DAYS_PER_FREEZE = 7
BASE_POINTS = 10
MAX_BONUS_POINTS = 20
# Answers shorter than this (the engine's one-liner bound) earn no points, so a board cannot be farmed with "yes".
MIN_WORDS_FOR_POINTS = 25


def answer_points(overall: float, words: int) -> int:
    """Points an answer earns: a base for answering plus a bonus that grows with the rubric score; none for a
    one-liner."""
    if words < MIN_WORDS_FOR_POINTS:
        return 0
    bonus = round((min(5.0, max(1.0, overall)) - 1.0) / 4.0 * MAX_BONUS_POINTS)
    return BASE_POINTS + bonus


@dataclass(frozen=True)
class Streak:
    """A member's streak as stored: consecutive question days answered, with freezes in hand."""

    current: int = 0
    longest: int = 0
    freezes: int = 0
    last_day: int | None = None
    settled_through: int | None = None

    @property
    def counted_through(self) -> int | None:
        """The last day already accounted for: answered, or settled at its window close."""
        days = [d for d in (self.last_day, self.settled_through) if d is not None]
        return max(days) if days else None

    def as_of(self, missed_since: int) -> Streak:
        """The streak once `missed_since` unanswered question days have passed: freezes cover what they can."""
        if missed_since <= 0 or self.current == 0:
            return self
        if missed_since <= self.freezes:
            return Streak(self.current, self.longest, self.freezes - missed_since, self.last_day, self.settled_through)
        return Streak(0, self.longest, self.freezes, self.last_day, self.settled_through)

    def describe(self) -> str:
        """One line for a reply."""
        if self.current == 0:
            best = f" (best: {self.longest})" if self.longest else ""
            return f"No active streak{best}. Answer today's question to start one."
        freezes = f", {self.freezes} freeze{'s' if self.freezes != 1 else ''} in hand" if self.freezes else ""
        return f"{self.current}-day streak (best {self.longest}{freezes})"
