"""Members' own settings through the core on Redis: pausing and resuming a streak, and their own timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.commands import CommandRequest, parse_command_text
from bot.identities import Channel, Member
from bot.replies import Reply, plain_text
from tests.bot.scenario import Scenario
from tests.conftest import FakeClock
from tests.scheduler.replicas import RecordingPlatform

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ALICE, BOB = Member(WS, "U1", "alice"), Member(WS, "U2", "bob")
MONDAY = date(2026, 3, 2)


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def at(offset: int, hour: int) -> datetime:
    return datetime.combine(day(offset), datetime.min.time(), UTC) + timedelta(hours=hour)


async def run(core: Core, member: Member, text: str) -> Reply:
    name, args = parse_command_text(text)

    async def is_admin() -> bool:
        return False

    return await core.commands.run(CommandRequest(member, CHANNEL, name, args, is_admin, RecordingPlatform()))


async def current(core: Core, member: Member) -> int:
    return (await core.standings.streak(member, ChannelSettings())).current


async def test_paused_days_neither_break_nor_extend_the_streak_and_resume_brings_it_back(
    core: Core, clock: FakeClock
) -> None:
    scenario = Scenario(core, CHANNEL)
    for offset in (0, 1):  # Monday and Tuesday answered by both
        prompt = await scenario.post(day(offset))
        for member in (ALICE, BOB):
            await scenario.answer(prompt, member)
    clock.set(at(2, 8))
    paused = await run(core, ALICE, "pause 7d")
    assert plain_text(paused).startswith("Paused through 2026-03-10.")
    for offset in (2, 3, 4, 7):  # Wednesday to Friday and next Monday pass unanswered
        prompt = await scenario.post(day(offset))
        clock.set(prompt.closes_at)
        closed = await core.scheduled.closes.close(prompt)
        assert closed.streaks_ended == (1 if offset == 2 else 0), "only bob's streak ends, on the first miss"
    assert await current(core, ALICE) == 2, "the paused days did not break it"
    clock.set(at(7, 20))
    shown = plain_text(await run(core, ALICE, "streak"))
    assert shown == "Your streak: 2-day streak (best 2). Paused through 2026-03-10."
    assert await current(core, BOB) == 0, "without a pause the same days break it"
    clock.set(at(8, 8))
    resumed = await run(core, ALICE, "resume")
    assert "Your pause has ended" in plain_text(resumed)
    assert await current(core, ALICE) == 2
    outcome = await scenario.answer(await scenario.post(day(8)), ALICE)
    assert outcome.streak is not None
    assert (outcome.streak.current, outcome.streak.longest, outcome.streak.freezes) == (3, 3, 0), "no day added"
    assert "not paused" in plain_text(await run(core, ALICE, "me"))


async def test_an_answer_while_paused_counts_and_ends_the_pause(core: Core, clock: FakeClock) -> None:
    scenario = Scenario(core, CHANNEL)
    await scenario.answer(await scenario.post(day(0)), ALICE)
    clock.set(at(1, 8))
    await run(core, ALICE, "pause 7d")
    tuesday = await scenario.post(day(1))
    clock.set(tuesday.closes_at)
    await core.scheduled.closes.close(tuesday)
    outcome = await scenario.answer(await scenario.post(day(2)), ALICE)
    assert outcome.streak is not None and outcome.streak.current == 2
    pause = await core.stores.members.pause_of(ALICE)
    assert pause is not None and pause.last_date == day(1), "the pause ended the day before the answer"
    thursday = await scenario.post(day(3))
    clock.set(thursday.closes_at)
    assert (await core.scheduled.closes.close(thursday)).streaks_ended == 1, "after the pause a miss counts again"
    assert await current(core, ALICE) == 0


async def test_a_second_pause_keeps_the_first_pauses_days_excused(core: Core, clock: FakeClock) -> None:
    scenario = Scenario(core, CHANNEL)
    for offset in (0, 1):
        await scenario.answer(await scenario.post(day(offset)), ALICE)
    clock.set(at(2, 8))
    await run(core, ALICE, "pause 2d")  # Wednesday and Thursday
    for offset in (2, 3):
        await scenario.post(day(offset))
    clock.set(at(7, 8))
    await run(core, ALICE, "pause until=2026-03-11")  # next Monday to Wednesday
    for offset in (7, 8, 9):
        await scenario.post(day(offset))
    outcome = await scenario.answer(await scenario.post(day(10)), ALICE)
    assert outcome.streak is not None and outcome.streak.current == 3


async def test_pausing_again_while_paused_extends_the_same_pause(core: Core, clock: FakeClock) -> None:
    clock.set(at(2, 8))
    assert "not paused" in plain_text(await run(core, ALICE, "resume"))
    await run(core, ALICE, "pause 2d")
    clock.set(at(3, 8))
    await run(core, ALICE, "pause 5d")
    pause = await core.stores.members.pause_of(ALICE)
    assert pause is not None and (pause.from_day, pause.until_day) == (day(2).toordinal(), day(7).toordinal())
    assert "paused through 2026-03-09" in plain_text(await run(core, ALICE, "me"))
    await run(core, ALICE, "resume")
    pause = await core.stores.members.pause_of(ALICE)
    assert pause is not None and pause.until_day == day(2).toordinal(), "today counts again"


@pytest.mark.parametrize(
    "text", ["pause", "pause 45d", "pause 0d", "pause until=2026-02-30", "pause until=2026-05-01", "pause 1d 2d"]
)
async def test_a_bad_pause_gets_a_clear_reply_and_changes_nothing(core: Core, clock: FakeClock, text: str) -> None:
    reply = await run(core, ALICE, text)
    assert reply.summary.startswith("Nothing was changed:") and reply.private
    assert await core.stores.members.pause_of(ALICE) is None


async def test_a_members_own_timezone_is_shown_saved_and_validated(core: Core, clock: FakeClock) -> None:
    shown = plain_text(await run(core, ALICE, "me"))
    assert "tz=channel (UTC)" in shown and "Your today: 2026-03-02" in shown
    saved = plain_text(await run(core, ALICE, "me tz=Pacific/Kiritimati"))
    assert saved.startswith("Saved.") and "tz=Pacific/Kiritimati" in saved and "Your today: 2026-03-02" in saved
    for bad in ("me tz=Mars/Olympus", "me tz=" + "A/" * 200, "me tz=../../etc/passwd"):
        refused = await run(core, ALICE, bad)
        assert refused.summary.startswith("Nothing was changed.") and "unknown timezone" in refused.summary
    assert "Use" in (await run(core, ALICE, "me colour=blue")).summary
    assert await core.stores.members.zone(ALICE) == "Pacific/Kiritimati", "bad input changed nothing"
    assert "tz=channel (UTC)" in plain_text(await run(core, ALICE, "me tz=channel"))
    assert await core.stores.members.zone(ALICE) is None


async def test_a_members_own_day_decides_their_streak_view(core: Core, clock: FakeClock) -> None:
    scenario = Scenario(core, CHANNEL)
    await scenario.answer(await scenario.post(day(0)), ALICE)
    await scenario.post(day(1))
    clock.set(at(2, 2))  # Wednesday 02:00 UTC: Tuesday is over in the channel, still Tuesday evening in Los Angeles
    assert await current(core, ALICE) == 0
    await run(core, ALICE, "me tz=America/Los_Angeles")
    assert await current(core, ALICE) == 1, "in her own day Tuesday's question is still today's"
