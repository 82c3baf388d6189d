"""A channel's schedule and preferences, and the `key=value` words admins use to change them."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SETUP_KEYS = (
    "time",
    "tz",
    "days",
    "tracks",
    "difficulty",
    "feedback",
    "window",
    "reminders",
    "digest",
    "review",
    "reviewers",
    "board",
    "skip",
    "posting",
)
MAX_SKIP_DATES = 60

SWITCH_WORDS = ("on", "off")  # `setup off` / `setup on`, short for posting=off / posting=on


def known_zone(name: str) -> bool:
    """Whether `name` is a timezone zoneinfo knows (names too long for the file system are not)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


class ChannelSettings(BaseModel):
    """When a channel gets its question, which questions, and how feedback is shown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    post_time: time = time(9, 0)
    timezone: str = "UTC"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    tracks: tuple[str, ...] = ()  # categories in rotation; empty means every category
    difficulty: tuple[int, int] = (1, 3)
    window_hours: int = Field(default=24, ge=1, le=168)
    feedback: Literal["private", "public"] = "private"
    reminders: bool = False
    digest: bool = True
    review_assignments: bool = False
    anonymous_reviews: bool = False
    active: bool = True  # `setup off` stops the schedule; history, streaks and settings stay
    board: Literal["all-time", "weekly"] = "all-time"  # weekly: the points board starts again every Monday
    skip_dates: tuple[date, ...] = ()  # local dates with no question and no streak effect (holidays)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not known_zone(value):
            raise ValueError(f"unknown timezone '{value[:60]}' (use Area/City, e.g. Europe/Berlin)")
        return value

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(d not in range(7) for d in value):
            raise ValueError("weekdays must be a non-empty subset of 0-6")
        return tuple(sorted(set(value)))

    @field_validator("tracks")
    @classmethod
    def _tracks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))

    @field_validator("skip_dates")
    @classmethod
    def _skip_dates(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        dates = tuple(sorted(set(value)))
        if len(dates) > MAX_SKIP_DATES:
            raise ValueError(f"at most {MAX_SKIP_DATES} skip dates")
        return dates

    @model_validator(mode="after")
    def _difficulty_range(self) -> ChannelSettings:
        low, high = self.difficulty
        if not 1 <= low <= high <= 3:
            raise ValueError("difficulty must be a range within 1-3")
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The channel's timezone."""
        return ZoneInfo(self.timezone)

    def next_post(self, now: datetime, *, today_done: bool) -> datetime | None:
        """The next local date and time a question is due here (None while posting is off); `today_done` when
        today's question was already posted or skipped."""
        if not self.active:
            return None
        local = now.astimezone(self.zone)
        for ahead in range(7 + MAX_SKIP_DATES):  # skip dates can push the next post past a week
            day = local.date() + timedelta(days=ahead)
            due = datetime.combine(day, self.post_time, tzinfo=self.zone)
            if day.weekday() not in self.weekdays or day in self.skip_dates:
                continue
            if ahead == 0 and (today_done or due <= local):
                continue
            return due
        return None

    def describe(self) -> list[tuple[str, str]]:
        """The settings as (setup word key, value) pairs, in the words admins type."""
        days = ",".join(WEEKDAY_NAMES[d] for d in self.weekdays)
        if self.weekdays == (0, 1, 2, 3, 4):
            days = "weekdays"
        elif len(self.weekdays) == 7:
            days = "daily"
        low, high = self.difficulty
        return [
            ("time", self.post_time.strftime("%H:%M")),
            ("tz", self.timezone),
            ("days", days),
            ("tracks", ",".join(self.tracks) or "all"),
            ("difficulty", f"{low}-{high}" if low != high else str(low)),
            ("feedback", self.feedback),
            ("window", f"{self.window_hours}h"),
            ("reminders", "on" if self.reminders else "off"),
            ("digest", "on" if self.digest else "off"),
            ("review", "on" if self.review_assignments else "off"),
            ("reviewers", "anonymous" if self.anonymous_reviews else "named"),
            ("board", self.board),
            ("posting", "on" if self.active else "off"),
            ("skip", ",".join(d.isoformat() for d in self.skip_dates) or "none"),
        ]


class SetupError(ValueError):
    """A setup word that cannot be applied: the setting it tried (when there was one) and why not."""

    def __init__(self, word: str, reason: str) -> None:
        key, sep, value = word.partition("=")
        self.setting = (key.strip().lower(), value.strip()) if sep and " " not in word.strip() else None
        self.word = word
        self.reason = reason
        super().__init__(f"`{word}`: {reason}")


def apply_setup_words(
    current: ChannelSettings, words: Sequence[str], categories: Collection[str] = (), today: date | None = None
) -> ChannelSettings:
    """Apply `key=value` words to settings; raise SetupError naming the first bad word and change nothing. With
    the channel's `today`, skip dates already past are refused."""
    changes: dict[str, object] = {}
    for word in words:
        if word.strip().lower() in SWITCH_WORDS:
            changes["active"] = word.strip().lower() == "on"
            continue
        key, sep, value = word.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not key or not value:
            raise SetupError(word, f"expected a setting and its value, one of {', '.join(SETUP_KEYS)}")
        if key not in SETUP_KEYS:
            raise SetupError(word, f"unknown setting '{key}' (one of {', '.join(SETUP_KEYS)})")
        field, parsed = _parse(key, value, word, categories)
        if field == "skip_dates" and today is not None:
            past = [d for d in parsed if d < today]  # type: ignore[attr-defined]
            if past:
                raise SetupError(word, f"{past[0].isoformat()} has passed; skip dates are today or later")
        changes[field] = parsed
    try:
        return ChannelSettings.model_validate({**current.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise SetupError(" ".join(words), str(first["msg"]).removeprefix("Value error, ")) from None


def _parse(key: str, value: str, word: str, categories: Collection[str]) -> tuple[str, object]:
    low = value.lower()
    if key == "time":
        match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
        if not match:
            raise SetupError(word, "time is HH:MM on a 24-hour clock, e.g. 09:30")
        return "post_time", time(int(match[1]), int(match[2]))
    if key == "tz":
        if not known_zone(value):
            raise SetupError(word, f"unknown timezone '{value[:60]}' (use Area/City, e.g. America/New_York)")
        return "timezone", value
    if key == "days":
        return "weekdays", _parse_days(low, word)
    if key == "tracks":
        return "tracks", _parse_tracks(low, word, categories)
    if key == "difficulty":
        match = re.fullmatch(r"([1-3])(?:-([1-3]))?", low)
        if not match or (match[2] and int(match[2]) < int(match[1])):
            raise SetupError(word, "difficulty is 1, 2, 3 or a range like 1-3")
        return "difficulty", (int(match[1]), int(match[2] or match[1]))
    if key == "feedback":
        if low not in ("private", "public"):
            raise SetupError(word, "feedback is private or public")
        return "feedback", low
    if key == "window":
        match = re.fullmatch(r"(\d{1,3})\s*(h|hours?|d|days?)?", low)
        hours = int(match[1]) * (24 if match and match[2] and match[2].startswith("d") else 1) if match else 0
        if not match or not 1 <= hours <= 168:
            raise SetupError(word, "window is 1h to 168h (or 1d to 7d), e.g. 24h")
        return "window_hours", hours
    if key == "board":
        season = {"weekly": "weekly", "all-time": "all-time", "alltime": "all-time", "all": "all-time"}.get(low)
        if season is None:
            raise SetupError(word, "board is weekly or all-time")
        return "board", season
    if key == "skip":
        return "skip_dates", _parse_skip_dates(low, word)
    if key == "reviewers":
        if low not in ("named", "anonymous"):
            raise SetupError(word, "reviewers is named or anonymous")
        return "anonymous_reviews", low == "anonymous"
    flag = {"on": True, "yes": True, "true": True, "off": False, "no": False, "false": False}.get(low)
    if flag is None:
        raise SetupError(word, f"{key} is on or off")
    fields = {"reminders": "reminders", "digest": "digest", "review": "review_assignments", "posting": "active"}
    return fields[key], flag


def _parse_days(value: str, word: str) -> tuple[int, ...]:
    if value == "daily":
        return tuple(range(7))
    if value == "weekdays":
        return (0, 1, 2, 3, 4)
    days = []
    for part in value.split(","):
        name = part.strip()[:3]
        if name not in WEEKDAY_NAMES or not part.strip():
            raise SetupError(word, f"unknown day '{part.strip()}' (use mon,tue,wed,thu,fri,sat,sun, daily or weekdays)")
        days.append(WEEKDAY_NAMES.index(name))
    return tuple(sorted(set(days)))


def _parse_tracks(value: str, word: str, categories: Collection[str]) -> tuple[str, ...]:
    if value == "all":
        return ()
    tracks = []
    for part in value.split(","):
        name = part.strip()
        if categories and name not in categories:
            allowed = ", ".join(categories)
            raise SetupError(word, f"unknown track '{name}' (one of {allowed}, or all)")
        tracks.append(name)
    return tuple(dict.fromkeys(tracks))


def _parse_skip_dates(value: str, word: str) -> tuple[date, ...]:
    if value == "none":
        return ()
    dates = set()
    for part in value.split(","):
        text = part.strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            dates.add(date.fromisoformat(text))
        except ValueError:
            raise SetupError(
                word, f"'{text[:20]}' is not a date; skip is YYYY-MM-DD dates, comma-separated, or none"
            ) from None
    if len(dates) > MAX_SKIP_DATES:
        raise SetupError(word, f"skip takes at most {MAX_SKIP_DATES} dates")
    return tuple(sorted(dates))
