"""Peer review rules against real Redis: who reviews what, validation, aggregation, assignments at close."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from bot.app.bootstrap import Core, build_core
from bot.app.settings import Settings
from bot.channel_settings import ChannelSettings
from bot.identities import Channel, Member
from bot.replies import plain_block
from bot.review.peer_review import AnswerRef, PeerReviews, ReviewRejected
from bot.scoring.engine import FeedbackEngine
from bot.store import Stores
from content.loader import Bank
from scheduler.channel_jobs import ChannelJobs
from tests.bot.scenario import Scenario
from tests.conftest import FakeClock
from tests.scheduler.replicas import RecordingPlatform, tick
from tests.shipped import shipped_engine

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
PEOPLE = [Member(WS, f"U{i}", f"p{i}") for i in range(4)]
COMMENT = "Clear decision, but the trade-off is missing."


@pytest.fixture
async def setup(core: Core) -> AsyncIterator[tuple[Core, PeerReviews, Scenario]]:
    await core.stores.channels.save(CHANNEL, ChannelSettings(weekdays=tuple(range(7))))
    yield core, core.reviews, Scenario(core, CHANNEL)


def all_fours(task_criteria: tuple[tuple[str, str, str], ...]) -> dict[str, object]:
    return {cid: 4 for cid, _, _ in task_criteria}


async def test_next_answer_is_the_least_reviewed_never_own_never_twice(setup, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    _, reviews, scenario = setup
    clock.set(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    yesterday = await scenario.post(date(2026, 3, 2))
    await scenario.answer(yesterday, PEOPLE[3])
    today = await scenario.post(date(2026, 3, 3))
    for person in PEOPLE[:3]:
        await scenario.answer(today, person)
    first = await reviews.next_for(PEOPLE[0], CHANNEL)
    assert first.answer.author_id == "U1" and first.prompt.id == today.id
    await reviews.submit(PEOPLE[0], first.answer, all_fours(first.criteria), COMMENT)
    second = await reviews.next_for(PEOPLE[0], CHANNEL)
    assert second.answer.author_id == "U2", "never the same answer twice"
    by_other = await reviews.next_for(PEOPLE[2], CHANNEL)
    assert by_other.answer.author_id == "U0", "fewest reviews first (U1 has one)"
    await reviews.submit(PEOPLE[0], second.answer, all_fours(second.criteria), COMMENT)
    third = await reviews.next_for(PEOPLE[0], CHANNEL)
    assert third.prompt.id == yesterday.id, "then recent days"
    await reviews.submit(PEOPLE[0], third.answer, all_fours(third.criteria), COMMENT)
    with pytest.raises(ReviewRejected, match="reviewed every answer"):
        await reviews.next_for(PEOPLE[0], CHANNEL)
    with pytest.raises(ReviewRejected, match="your own answer"):
        await reviews.task(PEOPLE[0], AnswerRef(today.id, "U0"))
    with pytest.raises(ReviewRejected, match="no longer exists"):
        await reviews.task(PEOPLE[0], AnswerRef("nope:2026-01-01", "U9"))


async def test_validation_aggregation_and_difference(setup) -> None:  # type: ignore[no-untyped-def]
    core, reviews, scenario = setup
    prompt = await scenario.post(date(2026, 3, 2))
    await scenario.answer(prompt, PEOPLE[0])
    answer = AnswerRef(prompt.id, "U0")
    task = await reviews.task(PEOPLE[1], answer)
    bad = {cid: "7" for cid, _, _ in task.criteria}
    with pytest.raises(ReviewRejected) as caught:
        await reviews.submit(PEOPLE[1], answer, bad, "meh")
    assert set(caught.value.errors) == {*bad, "comment"}
    assert (await reviews.summary(WS, answer)).count == 0, "nothing saved"
    ids = [cid for cid, _, _ in task.criteria]
    await reviews.submit(PEOPLE[1], answer, {cid: 2 for cid in ids}, COMMENT)
    summary = await reviews.submit(PEOPLE[2], answer, {cid: 4 for cid in ids}, COMMENT)
    assert summary.count == 2
    for comparison in summary.comparisons:
        assert comparison.peer_mean == 3.0
        assert comparison.difference == round(3.0 - comparison.rubric, 1)
    assert (
        await reviews.mark_helpful(PEOPLE[1], answer, "U2") == "Only the answer's author can mark its reviews helpful."
    )
    assert (await reviews.mark_helpful(PEOPLE[0], answer, "U2")).startswith("Marked helpful")
    assert await reviews.mark_helpful(PEOPLE[0], answer, "U2") == "You already marked this review helpful."
    board = await core.stores.standings.leaderboard(WS, "reviewers")
    assert [(r.user_id, r.value) for r in board] == [("U2", 10), ("U1", 5)]
    digest = await core.scheduled.digests.weekly(CHANNEL, date(2026, 3, 9))
    assert any(
        s.title == "Most active reviewers" and plain_block(s.blocks[0])[0] == "p2: 10 review points"
        for s in digest.reply.sections
    )


def test_assignments_form_a_ring_without_self(core: Core) -> None:
    reviews = core.reviews
    three = reviews.assignments(["a", "b", "c"])
    assert three == {"a": ["b", "c"], "b": ["c", "a"], "c": ["a", "b"]}
    assert reviews.assignments(["a", "b"]) == {"a": ["b"], "b": ["a"]}
    assert reviews.assignments(["a"]) == {}


async def test_window_close_asks_each_answerer_to_review_two(redis: Redis, bank: Bank, engine: FeedbackEngine) -> None:
    platform = RecordingPlatform()
    settings = ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7)), window_hours=6, review_assignments=True)
    await Stores.over(redis).channels.save(CHANNEL, settings)
    with time_machine.travel(datetime(2026, 4, 1, 8, 59, tzinfo=UTC), tick=False) as traveller:
        core = build_core(Settings.model_construct(), bank, redis, engine=shipped_engine())
        jobs = ChannelJobs(core.scheduled, {"slack": platform}, scheduler=AsyncIOScheduler(timezone="UTC"))
        await jobs.start()
        traveller.shift(timedelta(minutes=2))
        await tick([jobs])
        prompt = (await core.posts.todays(CHANNEL, settings))[0]
        for person in PEOPLE[:3]:
            await Scenario(core, CHANNEL).answer(prompt, person, after=timedelta(minutes=5))
        traveller.shift(timedelta(hours=6, minutes=1))
        await tick([jobs])
        await jobs.stop()
    asked = {member.user_id: reply for member, reply in platform.private}
    assert set(asked) == {"U0", "U1", "U2"}
    for user, reply in asked.items():
        targets = [b.action_id for b in reply.buttons]
        assert len(targets) == 2 and all(t.startswith(f"review:{prompt.id}|") for t in targets)
        assert f"|{user}" not in " ".join(targets)


async def test_a_handle_from_a_review_form_never_replaces_the_name_learned_from_an_answer(setup) -> None:  # type: ignore[no-untyped-def]
    core, reviews, scenario = setup
    today = await scenario.post(date(2026, 3, 2))
    for person in PEOPLE[:2]:
        await scenario.answer(today, person)
    await core.standings.remember(Member(WS, "U0", "Ada Lovelace"))  # the display name, looked up after an answer
    task = await reviews.next_for(PEOPLE[0], CHANNEL)
    await reviews.submit(Member(WS, "U0", "ada.l"), task.answer, all_fours(task.criteria), COMMENT)  # a handle
    board = await core.stores.standings.leaderboard(WS, "reviewers")
    assert [(row.user_id, row.name) for row in board] == [("U0", "Ada Lovelace")]
    newcomer = Member(WS, "U9", "newbie")
    task = await reviews.next_for(newcomer, CHANNEL)
    await reviews.submit(newcomer, task.answer, all_fours(task.criteria), COMMENT)
    assert "newbie" in [row.name for row in await core.stores.standings.leaderboard(WS, "reviewers")]
