"""A weekly points board: it starts again every Monday, the digest keeps last week's final top 5, all-time
points are kept, and a withdrawn answer gives its points back on both boards."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.identities import Channel, Member, ThreadRef
from bot.replies import plain_text
from tests.bot.scenario import Scenario
from tests.conftest import FakeClock

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ALICE, BOB = Member(WS, "U1", "alice"), Member(WS, "U2", "bob")
TUESDAY, NEXT_MONDAY = date(2026, 3, 3), date(2026, 3, 9)


async def test_the_weekly_board_starts_again_on_monday_and_all_time_points_stay(core: Core, clock: FakeClock) -> None:
    await core.stores.channels.save(CHANNEL, ChannelSettings(board="weekly", weekdays=tuple(range(7))))
    scenario = Scenario(core, CHANNEL)
    tuesday = await scenario.post(TUESDAY)
    await scenario.answer(tuesday, ALICE)
    await scenario.answer(
        tuesday,
        BOB,
        text="We shipped it and it went well. The team worked hard on it for a few weeks and everyone seemed "
        "happy with how the launch turned out in the end, so I think it was a success.",
    )
    clock.set(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    this_week = plain_text(await core.standings.leaderboard_reply(ALICE, CHANNEL, ("points",)))
    assert "This week's points leaderboard" in this_week and "Since Mon 2 Mar" in this_week
    assert "alice" in this_week and "bob" in this_week
    alice_points = await core.stores.standings.points(ALICE)
    assert alice_points > 0

    clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))
    fresh = plain_text(await core.standings.leaderboard_reply(ALICE, CHANNEL, ("points",)))
    assert "Nobody is on this leaderboard yet" in fresh and "started again on Monday" in fresh
    assert await core.stores.standings.points(ALICE) == alice_points, "all-time points are kept"
    digest = plain_text((await core.scheduled.digests.weekly(CHANNEL, NEXT_MONDAY, weekly_board=True)).reply)
    assert "Final points of the week of 2 Mar" in digest and digest.index("alice") < digest.index("bob")

    await core.stores.channels.save(CHANNEL, ChannelSettings(weekdays=tuple(range(7))))  # back to all-time
    all_time = plain_text(await core.standings.leaderboard_reply(ALICE, CHANNEL, ("points",)))
    assert "alice" in all_time and "this week" not in all_time


async def test_a_withdrawn_answer_gives_back_its_weekly_points(core: Core, clock: FakeClock) -> None:
    await core.stores.channels.save(CHANNEL, ChannelSettings(board="weekly", weekdays=tuple(range(7))))
    scenario = Scenario(core, CHANNEL)
    tuesday = await scenario.post(TUESDAY)
    await scenario.answer(tuesday, ALICE, message_id="m-alice")
    clock.set(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    assert (await core.standings.leaderboard(WS, "points", ChannelSettings(board="weekly"))).rows
    assert await core.answers.withdraw(ThreadRef(CHANNEL, tuesday.thread_id or ""), "m-alice", ALICE)
    assert not (await core.standings.leaderboard(WS, "points", ChannelSettings(board="weekly"))).rows
