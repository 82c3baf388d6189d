"""The question of the day: its date, posting it once, skipping, and showing it again."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.commands import CommandRequest
from bot.daily_post import PostStatus
from bot.identities import Channel, Member
from bot.replies import plain_text
from tests.bot.scenario import Scenario
from tests.conftest import FakeClock
from tests.scheduler.replicas import RecordingPlatform

CHANNEL = Channel("slack:T1", "C1")


def test_a_post_running_late_past_midnight_is_still_the_previous_days(core: Core) -> None:
    late_evening = ChannelSettings(post_time=time(23, 45), timezone="Europe/Berlin")
    sunday_night = datetime(2026, 3, 1, 22, 50, tzinfo=UTC)  # 23:50 in Berlin
    monday_after_midnight = datetime(2026, 3, 1, 23, 5, tzinfo=UTC)  # 00:05 in Berlin, twenty minutes late
    assert core.posts.due_date(late_evening, sunday_night) == date(2026, 3, 1)
    assert core.posts.due_date(late_evening, monday_after_midnight) == date(2026, 3, 1)
    assert core.posts.due_date(ChannelSettings(post_time=time(9, 0)), datetime(2026, 3, 2, 9, 0, tzinfo=UTC)) == (
        date(2026, 3, 2)
    )


async def test_today_shows_the_question_or_when_it_is_due(core: Core, clock: FakeClock) -> None:
    await core.channels.ensure(CHANNEL)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert (await core.posts.today_reply(CHANNEL)).summary == "No question here yet today. It is due at 09:00 (UTC)."
    await core.posts.post_now(CHANNEL, RecordingPlatform())
    shown = await core.posts.today_reply(CHANNEL)
    assert shown.summary.startswith("Today's question: ") and shown.private


async def test_skipping_an_unposted_day_posts_nothing_that_day(core: Core, clock: FakeClock) -> None:
    port = RecordingPlatform()
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    skipped = await core.posts.skip_today(CHANNEL)
    assert skipped.summary == "Skipped. No question will be posted here today."
    assert "skipped" in (await core.posts.post_now(CHANNEL, port)).summary
    assert port.posts == []


async def test_a_skip_date_posts_nothing_and_never_breaks_a_streak(core: Core, clock: FakeClock) -> None:
    port = RecordingPlatform()
    alice = Member(CHANNEL.workspace, "U1", "alice")
    scenario = Scenario(core, CHANNEL)
    await core.channels.configure(CHANNEL, ["skip=2026-03-03"])
    await scenario.answer(await scenario.post(date(2026, 3, 2)), alice)
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    settings = await core.channels.settings_or_defaults(CHANNEL)
    outcome = await core.posts.post(CHANNEL, settings, port)
    assert outcome.status is PostStatus.SKIPPED and port.posts == []
    assert "skipped" in (await core.posts.post_now(CHANNEL, port)).summary and port.posts == []
    assert "skip dates" in (await core.posts.today_reply(CHANNEL)).summary
    assert await core.stores.prompts.last_question_day(CHANNEL.workspace) == date(2026, 3, 2).toordinal()
    clock.set(datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    assert (await core.standings.streak(alice, settings)).current == 1, "the skip date was no question day"
    outcome_wed = await scenario.answer(await scenario.post(date(2026, 3, 4)), alice)
    assert outcome_wed.streak is not None and outcome_wed.streak.current == 2


async def test_making_today_a_skip_date_after_the_post_stops_it_counting(core: Core, clock: FakeClock) -> None:
    port = RecordingPlatform()
    await core.posts.post_now(CHANNEL, port)
    assert await core.stores.prompts.last_question_day(CHANNEL.workspace) == date(2026, 3, 2).toordinal()
    request = CommandRequest(Member(CHANNEL.workspace, "UADMIN"), CHANNEL, "setup", ("skip=2026-03-02",), _admin, port)
    saved = await core.commands.run(request)
    assert saved.summary.startswith("Saved.") and "2026-03-02" in plain_text(saved)
    assert await core.stores.prompts.last_question_day(CHANNEL.workspace) is None
    assert len(port.posts) == 1


async def _admin() -> bool:
    return True
