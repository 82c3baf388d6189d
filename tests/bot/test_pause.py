"""What `pause 7d` and `pause until=YYYY-MM-DD` mean, and every way they can be wrong."""

from __future__ import annotations

from datetime import date

import pytest

from bot.pause import Pause, PauseError, last_paused_day

TODAY = date(2026, 3, 4)


@pytest.mark.parametrize(
    ("words", "last"),
    [
        (("7d",), date(2026, 3, 10)),
        (("1d",), TODAY),
        (("30d",), date(2026, 4, 2)),
        (("2 days",), date(2026, 3, 5)),
        (("until=2026-03-04",), TODAY),
        (("UNTIL=2026-04-02",), date(2026, 4, 2)),
    ],
)
def test_a_pause_runs_from_today_through_its_last_day(words: tuple[str, ...], last: date) -> None:
    assert last_paused_day(words, TODAY) == last


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ((), "one length or one date"),
        (("7d", "8d"), "one length or one date"),
        (("0d",), "1 to 30 days"),
        (("31d",), "1 to 30 days"),
        (("forever",), "not a number of days"),
        (("until=",), "not a real"),
        (("until=2026-02-30",), "not a real"),
        (("until=tomorrow",), "not a real"),
        (("until=2026-03-03",), "has passed"),
        (("until=2026-04-03",), "more than 30 days"),
        (("since=2026-03-05",), "not a number of days"),
        (("<!channel>",), "not a number of days"),
    ],
)
def test_garbage_and_too_long_pauses_are_refused(words: tuple[str, ...], reason: str) -> None:
    with pytest.raises(PauseError, match=reason):
        last_paused_day(words, TODAY)


def test_a_pause_covers_its_days_inclusive() -> None:
    pause = Pause(TODAY.toordinal(), TODAY.toordinal() + 2)
    assert [pause.covers(TODAY.toordinal() + d) for d in (-1, 0, 2, 3)] == [False, True, True, False]
    assert pause.last_date == date(2026, 3, 6)
