"""Admins' `key=value` setup words: every key parsed, every bad word named, nothing changed on error."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.channel_settings import ChannelSettings, SetupError, apply_setup_words
from tests.shipped import shipped_bank


def test_every_key_applies() -> None:
    updated = apply_setup_words(
        ChannelSettings(),
        [
            "time=07:30",
            "tz=Europe/Berlin",
            "days=mon,wed,fri",
            "tracks=behavioral,metrics",
            "difficulty=2-3",
            "feedback=public",
            "window=2d",
            "reminders=on",
            "digest=off",
            "review=yes",
        ],
    )
    assert updated.post_time == time(7, 30)
    assert updated.timezone == "Europe/Berlin"
    assert updated.weekdays == (0, 2, 4)
    assert updated.tracks == ("behavioral", "metrics")
    assert updated.difficulty == (2, 3)
    assert updated.feedback == "public" and updated.window_hours == 48
    assert (updated.reminders, updated.digest, updated.review_assignments) == (True, False, True)


@pytest.mark.parametrize(
    ("word", "named"),
    [("days=daily", tuple(range(7))), ("days=weekdays", (0, 1, 2, 3, 4)), ("days=Sat,SUN", (5, 6))],
)
def test_day_shortcuts(word: str, named: tuple[int, ...]) -> None:
    assert apply_setup_words(ChannelSettings(), [word]).weekdays == named


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("time=25:00", "HH:MM"),
        ("time=9am", "HH:MM"),
        ("tz=Mars/Olympus", "unknown timezone 'Mars/Olympus'"),
        ("days=funday", "unknown day 'funday'"),
        ("days=", "expected a setting and its value"),
        ("tracks=vibes", "unknown track 'vibes'"),
        ("difficulty=3-1", "range like 1-3"),
        ("difficulty=9", "range like 1-3"),
        ("feedback=loud", "private or public"),
        ("window=0h", "1h to 168h"),
        ("window=forever", "1h to 168h"),
        ("colour=blue", "unknown setting 'colour'"),
        ("justaword", "expected a setting and its value"),
        ("reminders=maybe", "on or off"),
    ],
)
def test_bad_words_are_named(word: str, message: str) -> None:
    with pytest.raises(SetupError) as caught:
        apply_setup_words(ChannelSettings(), ["time=08:00", word], shipped_bank().categories)
    assert caught.value.word == word
    assert message in str(caught.value)


def test_describe_uses_the_words_admins_type() -> None:
    described = dict(apply_setup_words(ChannelSettings(), ["days=daily", "difficulty=2"]).describe())
    assert described["days"] == "daily" and described["difficulty"] == "2" and described["window"] == "24h"
    assert dict(ChannelSettings().describe())["days"] == "weekdays"


def test_off_and_on_switch_posting_and_keep_every_other_setting() -> None:
    start = apply_setup_words(ChannelSettings(), ["time=07:30", "tz=Asia/Tokyo"])
    off = apply_setup_words(start, ["OFF"])
    assert not off.active and off.post_time == start.post_time and off.timezone == "Asia/Tokyo"
    assert apply_setup_words(off, ["on"]).active
    assert apply_setup_words(off, ["on", "time=08:00"]).post_time.hour == 8


def test_the_next_post_is_the_next_scheduled_weekday_in_the_channels_zone() -> None:
    settings = ChannelSettings(post_time=time(9, 0), timezone="Europe/Berlin", weekdays=(0, 2))  # mon, wed
    monday_early = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # 07:00 in Berlin, Monday
    due = settings.next_post(monday_early, today_done=False)
    assert due is not None and due.isoformat() == "2026-12-07T09:00:00+01:00"
    assert settings.next_post(monday_early, today_done=True).isoformat().startswith("2026-12-09T09:00")  # type: ignore[union-attr]
    monday_late = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert settings.next_post(monday_late, today_done=False).isoformat().startswith("2026-12-09T09:00")  # type: ignore[union-attr]
    thursday = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    assert settings.next_post(thursday, today_done=False).isoformat().startswith("2026-12-14T09:00")  # type: ignore[union-attr]
    assert settings.model_copy(update={"active": False}).next_post(monday_early, today_done=False) is None


def test_skip_dates_are_set_sorted_shown_and_cleared() -> None:
    updated = apply_setup_words(ChannelSettings(), ["skip=2026-12-25,2026-12-24, 2026-12-25"])
    assert updated.skip_dates == (date(2026, 12, 24), date(2026, 12, 25))
    assert dict(updated.describe())["skip"] == "2026-12-24,2026-12-25"
    cleared = apply_setup_words(updated, ["skip=NONE"])
    assert cleared.skip_dates == () and dict(cleared.describe())["skip"] == "none"


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("skip=2026-02-30", "'2026-02-30' is not a date"),
        ("skip=tomorrow", "'tomorrow' is not a date"),
        ("skip=2026-12-24,", "'' is not a date"),
        ("skip=20261224", "is not a date"),
        (
            "skip="
            + ",".join(f"2026-01-{d:02d}" for d in range(1, 32))
            + ","
            + ",".join(f"2026-02-{d:02d}" for d in range(1, 29))
            + ",2026-03-01,2026-03-02",
            "at most 60 dates",
        ),
    ],
)
def test_bad_skip_dates_are_named_and_change_nothing(word: str, message: str) -> None:
    with pytest.raises(SetupError) as caught:
        apply_setup_words(ChannelSettings(), [word])
    assert message in str(caught.value)


def test_the_next_post_passes_over_skip_dates() -> None:
    settings = ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7)), skip_dates=(date(2026, 12, 24),))
    due = settings.next_post(datetime(2026, 12, 23, 10, 0, tzinfo=UTC), today_done=True)
    assert due is not None and due.date() == date(2026, 12, 25)
