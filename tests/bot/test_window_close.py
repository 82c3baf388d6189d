"""Streak-at-risk reminders: who is named in the thread, who is reminded privately, and when."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app.bootstrap import Core
from bot.identities import Channel, Member
from bot.replies import plain_text
from bot.store.schedule import DueEvent
from bot.window_close import private_reminder_at
from tests.bot.scenario import Scenario
from tests.conftest import FakeClock

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ALICE, BOB, CAROL = Member(WS, "U1", "alice"), Member(WS, "U2", "bob"), Member(WS, "U3", "carol")
POSTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "window_hours", "due"),
    [
        ("Europe/Berlin", 24, datetime(2026, 3, 2, 17, 0, tzinfo=UTC)),  # 18:00 CET
        ("Asia/Kolkata", 24, datetime(2026, 3, 2, 12, 30, tzinfo=UTC)),  # 18:00 IST
        ("America/New_York", 24, datetime(2026, 3, 2, 23, 0, tzinfo=UTC)),  # 18:00 EST
        ("America/New_York", 12, datetime(2026, 3, 2, 18, 0, tzinfo=UTC)),  # too late: with the thread reminder
        ("Asia/Tokyo", 24, datetime(2026, 3, 3, 6, 0, tzinfo=UTC)),  # posted at 18:00 JST: too soon, so 3h before
        ("UTC", 2, None),  # a two-hour window leaves no time for a reminder
    ],
)
def test_a_private_reminder_is_due_at_six_in_the_members_evening(
    zone: str, window_hours: int, due: datetime | None
) -> None:
    assert private_reminder_at(POSTED, POSTED + timedelta(hours=window_hours), ZoneInfo(zone)) == due


async def test_the_thread_reminder_leaves_out_paused_and_privately_reminded_members(
    core: Core, clock: FakeClock
) -> None:
    scenario = Scenario(core, CHANNEL)
    for member in (ALICE, BOB, CAROL):
        await scenario.answer(await scenario.post(date(2026, 3, 1)), member)
    today = await scenario.post(date(2026, 3, 2))
    await core.stores.members.pause(BOB, today.day, date(2026, 3, 4))
    remind_at = today.closes_at - timedelta(hours=3)
    await core.stores.schedule.schedule_private_reminders(
        WS, today.id, [DueEvent("remind_member", WS, today.id, remind_at, CAROL.user_id)]
    )
    reminder = await core.scheduled.closes.reminder(today, remind_at)
    assert reminder is not None and "alice (1 day)" in plain_text(reminder)
    assert "bob" not in plain_text(reminder) and "carol" not in plain_text(reminder)
    assert await core.scheduled.closes.private_reminder(today, BOB, remind_at) is None, "paused"
    private = await core.scheduled.closes.private_reminder(today, CAROL, remind_at)
    assert private is not None and private.summary.startswith("Your 1-day streak is at risk: about 3 hours left.")
    await scenario.answer(today, CAROL)
    assert await core.scheduled.closes.private_reminder(today, CAROL, remind_at) is None, "answered"
    assert await core.scheduled.closes.private_reminder(today, Member(WS, "U9"), remind_at) is None, "no streak"
    elsewhere = await Scenario(core, Channel(WS, "C2")).post(date(2026, 3, 2))
    assert await core.scheduled.closes.private_reminder(elsewhere, CAROL, remind_at) is None, "today is answered"
