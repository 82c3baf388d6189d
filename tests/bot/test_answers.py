"""Answers, revisions, streaks, freezes and points through the core against a real Redis."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from redis.asyncio import Redis

from bot.answers import MAX_ANSWER_CHARS, AnswerStatus, SubmitAnswer, points_words
from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.identities import Channel, Member, ThreadRef
from bot.store import keys
from tests.bot.scenario import GOOD_ANSWER, Scenario
from tests.conftest import FakeClock

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ALICE = Member(WS, "U1", "alice")
BOB = Member(WS, "U2", "bob")


def days(start: date, count: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(count)]


MONDAY = date(2026, 3, 2)


async def test_consecutive_question_days_grow_the_streak(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    for day in days(MONDAY, 5):
        outcome = await scenario.answer(await scenario.post(day), ALICE)
        assert outcome.status is AnswerStatus.RECORDED
    assert outcome.streak is not None
    assert (outcome.streak.current, outcome.streak.longest) == (5, 5)


async def test_days_without_a_question_never_break_a_streak(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    friday, monday = date(2026, 3, 6), date(2026, 3, 9)
    await scenario.answer(await scenario.post(friday), ALICE)
    outcome = await scenario.answer(await scenario.post(monday), ALICE)
    assert outcome.streak is not None and outcome.streak.current == 2


async def test_a_missed_question_day_breaks_the_streak(core: Core, clock: FakeClock) -> None:
    scenario = Scenario(core, CHANNEL)
    mon, tue, wed = days(MONDAY, 3)
    await scenario.answer(await scenario.post(mon), ALICE)
    await scenario.post(tue)
    outcome = await scenario.answer(await scenario.post(wed), ALICE)
    assert outcome.streak is not None
    assert (outcome.streak.current, outcome.streak.longest) == (1, 1)


async def test_streak_shown_as_broken_once_a_question_day_passes_unanswered(core: Core, clock: FakeClock) -> None:
    scenario = Scenario(core, CHANNEL)
    mon, tue, _wed = days(MONDAY, 3)
    await scenario.answer(await scenario.post(mon), ALICE)
    await scenario.post(tue)
    settings = ChannelSettings()
    clock.set(datetime(2026, 3, 3, 20, 0, tzinfo=UTC))
    assert (await core.standings.streak(ALICE, settings)).current == 1, "today's question is still open"
    clock.set(datetime(2026, 3, 4, 8, 0, tzinfo=UTC))
    assert (await core.standings.streak(ALICE, settings)).current == 0
    assert (await core.standings.streak(ALICE, settings)).longest == 1


async def test_freeze_earned_every_seven_days_spent_on_a_miss_and_capped_at_two(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    dates = days(MONDAY, 30)
    outcome = None
    for day in dates[:7]:
        outcome = await scenario.answer(await scenario.post(day), ALICE)
    assert outcome is not None and outcome.streak is not None
    assert (outcome.streak.current, outcome.streak.freezes) == (7, 1)
    await scenario.post(dates[7])  # missed
    outcome = await scenario.answer(await scenario.post(dates[8]), ALICE)
    assert outcome.streak is not None
    assert (outcome.streak.current, outcome.streak.freezes, outcome.freezes_spent) == (8, 0, 1)
    for day in dates[9:29]:
        outcome = await scenario.answer(await scenario.post(day), ALICE)
    assert outcome.streak is not None
    assert outcome.streak.current == 28
    assert outcome.streak.freezes == 2, "earned at 14, 21 and 28 but held at most 2"
    for day in dates[29:30]:
        await scenario.post(day)
    await scenario.post(dates[29] + timedelta(days=1))
    await scenario.post(dates[29] + timedelta(days=2))
    outcome = await scenario.answer(await scenario.post(dates[29] + timedelta(days=3)), ALICE)
    assert outcome.streak is not None
    assert outcome.streak.current == 1, "three misses with two freezes break the streak"
    assert outcome.streak.longest == 28


async def test_local_dates_across_timezones(core: Core) -> None:
    tokyo = Scenario(core, Channel(WS, "C-tokyo"), timezone="Asia/Tokyo", post_hour=8)
    first = await tokyo.post(date(2026, 3, 2))  # 08:00 JST = 23:00 UTC the day before
    assert first.posted_at == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    await tokyo.answer(first, ALICE, after=timedelta(hours=15, minutes=30))  # 23:30 JST, same local day
    second = await tokyo.post(date(2026, 3, 3))
    outcome = await tokyo.answer(second, ALICE, after=timedelta(minutes=5))
    assert outcome.streak is not None and outcome.streak.current == 2


@pytest.mark.parametrize(
    ("zone", "dst_day"),
    [
        ("America/New_York", date(2026, 3, 8)),
        ("America/New_York", date(2026, 11, 1)),
        ("Europe/Berlin", date(2026, 3, 29)),
        ("Europe/Berlin", date(2026, 10, 25)),
    ],
)
async def test_dst_changes_keep_streaks(core: Core, zone: str, dst_day: date) -> None:
    scenario = Scenario(core, Channel(WS, f"C-{zone}"), timezone=zone)
    dates = [dst_day - timedelta(days=1), dst_day, dst_day + timedelta(days=1)]
    prompts = [await scenario.post(d) for d in dates]
    hours = [(b.posted_at - a.posted_at).total_seconds() / 3600 for a, b in itertools.pairwise(prompts)]
    assert sorted(hours) != [24, 24], "one of the gaps is 23 or 25 hours: the clocks changed"
    for prompt in prompts:
        outcome = await scenario.answer(prompt, ALICE, after=timedelta(hours=23))
        assert outcome.late is False
    assert outcome.streak is not None and outcome.streak.current == 3


async def test_late_answer_is_kept_but_earns_nothing(core: Core) -> None:
    scenario = Scenario(core, CHANNEL, window_hours=12)
    prompt = await scenario.post(MONDAY)
    outcome = await scenario.answer(prompt, ALICE, after=timedelta(hours=13))
    assert outcome.status is AnswerStatus.RECORDED and outcome.late
    assert outcome.points == 0 and outcome.points_total == 0
    assert outcome.streak is not None and outcome.streak.current == 0
    assert "window closed" in outcome.message
    stored = await core.stores.answers.revisions(WS, prompt.id, ALICE.user_id)
    assert stored[0]["text"] == GOOD_ANSWER


async def test_replies_extend_and_edits_replace_while_every_revision_is_kept(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    first = await scenario.answer(prompt, ALICE, text="I decided to cut scope.", message_id="m1")
    second = await scenario.answer(prompt, ALICE, text=GOOD_ANSWER, message_id="m2")
    edited = await scenario.answer(prompt, ALICE, text="I decided to cut the polygon workflow.", message_id="m1")
    assert (first.revision, second.revision, edited.revision) == (1, 2, 3)
    assert first.feedback and second.feedback and second.feedback.overall > first.feedback.overall
    draft = await core.stores.answers.draft(WS, prompt.id, ALICE.user_id)
    assert draft.messages == (("m1", "I decided to cut the polygon workflow."), ("m2", GOOD_ANSWER))
    revisions = await core.stores.answers.revisions(WS, prompt.id, ALICE.user_id)
    assert [r["text"] for r in revisions] == [
        "I decided to cut scope.",
        GOOD_ANSWER,
        "I decided to cut the polygon workflow.",
    ]
    assert [r["edit"] for r in revisions] == [False, False, True]
    assert all("overall" in r["feedback"] for r in revisions)  # type: ignore[operator]
    assert edited.streak is not None and edited.streak.current == 1, "one day, counted once"
    assert edited.points_total == edited.points


async def test_fifty_concurrent_deliveries_of_one_event_make_one_answer(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    outcomes = await asyncio.gather(*(scenario.answer(prompt, ALICE, event_id="Ev1") for _ in range(50)))
    statuses = [o.status for o in outcomes]
    assert statuses.count(AnswerStatus.RECORDED) == 1
    assert statuses.count(AnswerStatus.DUPLICATE) == 49
    assert len(await core.stores.answers.revisions(WS, prompt.id, ALICE.user_id)) == 1
    board = await core.stores.standings.leaderboard(WS, "points")
    recorded = next(o for o in outcomes if o.status is AnswerStatus.RECORDED)
    assert [(r.user_id, r.value) for r in board] == [("U1", recorded.points)]


async def test_concurrent_answers_from_many_members_keep_every_streak(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    members = [Member(WS, f"U{i}", f"member{i}") for i in range(40)]
    for day in days(MONDAY, 3):
        prompt = await scenario.post(day)
        outcomes = await asyncio.gather(*(scenario.answer(prompt, m, event_id=f"{m.user_id}-{day}") for m in members))
        assert all(o.status is AnswerStatus.RECORDED for o in outcomes)
    for member in members:
        streak = await core.stores.standings.streak(member, days(MONDAY, 3)[-1].toordinal())
        assert (streak.current, streak.longest) == (3, 3), member
    assert len(await core.stores.standings.leaderboard(WS, "streak", 100)) == 40


async def test_concurrent_messages_from_one_member_are_all_kept(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    texts = [f"Part {i}: I decided to cut item {i}." for i in range(12)]
    outcomes = await asyncio.gather(
        *(scenario.answer(prompt, ALICE, text=t, message_id=f"m{i}", event_id=f"e{i}") for i, t in enumerate(texts))
    )
    assert sorted(o.revision for o in outcomes) == list(range(1, 13))
    draft = await core.stores.answers.draft(WS, prompt.id, ALICE.user_id)
    assert sorted(text for _, text in draft.messages) == sorted(texts)


async def test_empty_huge_and_stray_messages_change_nothing(core: Core, redis: Redis) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    before = sorted(await redis.keys("*"))
    empty = await scenario.answer(prompt, ALICE, text="  \n ")
    huge = await scenario.answer(prompt, ALICE, text="x" * (MAX_ANSWER_CHARS + 1))
    stray = await core.answers.submit(
        SubmitAnswer(ALICE, "m9", GOOD_ANSWER, prompt.posted_at, thread=ThreadRef(CHANNEL, "not-a-prompt-thread"))
    )
    assert empty.status is AnswerStatus.EMPTY and "nothing was saved" in empty.message
    assert huge.status is AnswerStatus.TOO_LONG and "Nothing was saved" in huge.message
    assert stray.status is AnswerStatus.NOT_AN_ANSWER
    assert sorted(await redis.keys("*")) == before


async def test_every_key_is_prefixed_and_tagged_with_its_workspace(core: Core, redis: Redis) -> None:
    scenario = Scenario(core, CHANNEL)
    await scenario.answer(await scenario.post(MONDAY), ALICE, event_id="Ev1")
    await core.channels.configure(CHANNEL, ["time=08:00"])
    found = await redis.keys("*")
    assert found
    for key in found:
        assert key.startswith("debrief:")
        assert key == keys.workspaces(keys.shard_of("slack:T1")) or key.startswith("debrief:{slack:T1}:"), key
    assert 86000 < await redis.ttl("debrief:{slack:T1}:event:Ev1") <= 86400


WEAK_BUT_LONG_ENOUGH = (
    "I think we basically aligned with stakeholders and it went well. Everyone was happy with the result and "
    "we kept talking to the team every week about how things were going."
)


async def test_a_one_liner_keeps_the_streak_day_but_earns_no_points(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    outcome = await scenario.answer(prompt, ALICE, text="yes")
    assert outcome.points == 0 and outcome.streak is not None and outcome.streak.current == 1
    assert points_words(outcome).startswith("No points: answers under 25 words earn none")
    grown = await scenario.answer(prompt, ALICE, message_id="m2")
    assert grown.points > 0 and grown.points_total == grown.points


async def test_points_and_leaderboards(core: Core, clock: FakeClock) -> None:
    scenario = Scenario(core, CHANNEL)
    mon, tue = days(MONDAY, 2)
    p1 = await scenario.post(mon)
    await scenario.answer(p1, ALICE)
    await scenario.answer(p1, BOB, text=WEAK_BUT_LONG_ENOUGH)
    p2 = await scenario.post(tue)
    await scenario.answer(p2, ALICE)
    settings = ChannelSettings()
    clock.set(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    points = await core.standings.leaderboard(WS, "points", settings)
    assert [r.name for r in points.rows] == ["alice", "bob"]
    assert points.rows[0].value > 2 * points.rows[1].value
    streaks = await core.standings.leaderboard(WS, "streak", settings)
    assert [(r.name, r.value) for r in streaks.rows] == [("alice", 2), ("bob", 1)]
    clock.set(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    streaks = await core.standings.leaderboard(WS, "streak", settings)
    assert [(r.name, r.value) for r in streaks.rows] == [("alice", 2)], "bob missed Tuesday"


async def test_window_close_settlement_spends_a_freeze_once(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    dates = days(MONDAY, 10)
    for day in dates[:7]:
        await scenario.answer(await scenario.post(day), ALICE)
    missed = await scenario.post(dates[7])
    assert await core.stores.standings.settle_miss(ALICE, missed.day) == "freeze"
    assert await core.stores.standings.settle_miss(ALICE, missed.day) == "none", "settling twice changes nothing"
    outcome = await scenario.answer(await scenario.post(dates[8]), ALICE)
    assert outcome.streak is not None
    assert (outcome.streak.current, outcome.streak.freezes, outcome.freezes_spent) == (8, 0, 0), "not spent again"


async def test_window_close_settlement_resets_without_freezes(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    mon, tue, wed = days(MONDAY, 3)
    await scenario.answer(await scenario.post(mon), ALICE)
    missed = await scenario.post(tue)
    assert await core.stores.standings.settle_miss(ALICE, missed.day) == "reset"
    assert await core.stores.standings.active_streaks(WS) == []
    outcome = await scenario.answer(await scenario.post(wed), ALICE)
    assert outcome.streak is not None and (outcome.streak.current, outcome.streak.longest) == (1, 1)
    assert await core.stores.standings.settle_miss(BOB, missed.day) == "none", "no streak, nothing to settle"
