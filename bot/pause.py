"""Pausing a streak: what `pause 7d` or `pause until=YYYY-MM-DD` means, and a pause as stored."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

MAX_PAUSE_DAYS = 30


class PauseError(ValueError):
    """Words that do not make a pause, and why."""


@dataclass(frozen=True)
class Pause:
    """A member's pause: local day numbers from and through which question days are excused."""

    from_day: int
    until_day: int

    def covers(self, day: int) -> bool:
        """Whether `day` is a paused day."""
        return self.from_day <= day <= self.until_day

    @property
    def last_date(self) -> date:
        """The last paused date."""
        return date.fromordinal(self.until_day)


def last_paused_day(words: Sequence[str], today: date) -> date:
    """The last paused date for `7d` / `until=YYYY-MM-DD` starting today; PauseError when it is not one."""
    if len(words) != 1:
        raise PauseError("pause takes one length or one date")
    word = words[0].strip().lower()
    days = re.fullmatch(r"(\d{1,3})\s*(?:d|days?)", word)
    if days:
        count = int(days[1])
        if not 1 <= count <= MAX_PAUSE_DAYS:
            raise PauseError(f"a pause is 1 to {MAX_PAUSE_DAYS} days")
        return today + timedelta(days=count - 1)
    key, sep, value = word.partition("=")
    if not sep or key != "until":
        raise PauseError("that is not a number of days or an until= date")
    try:
        until = date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        until = None
    if until is None:
        raise PauseError("the date is not a real YYYY-MM-DD date")
    if until < today:
        raise PauseError("that date has passed")
    if (until - today).days >= MAX_PAUSE_DAYS:
        raise PauseError(f"that is more than {MAX_PAUSE_DAYS} days away")
    return until
