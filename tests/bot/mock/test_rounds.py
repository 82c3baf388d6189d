"""Mock rounds in the core against real Redis: a round to its scorecard, probes, the loop, restarts, expiry."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.identities import Member
from bot.mock.rounds import MockInterviews, MockStatus
from bot.mock.store import IDLE_SECONDS, MockStore
from bot.scoring.engine import FeedbackEngine
from bot.store.events import EventStore
from content.loader import Bank
from tests.bot.scenario import GOOD_ANSWER
from tests.conftest import FakeClock

ALICE = Member("slack:T1", "U1", "alice")
BOB = Member("slack:T1", "U2", "bob")


def interviews(redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock) -> MockInterviews:
    return MockInterviews(bank, engine, MockStore(redis), EventStore(redis), clock)


async def answer_until_done(
    mock: MockInterviews, member: Member, clock: FakeClock, text: str = GOOD_ANSWER, limit: int = 40
) -> list:  # type: ignore[type-arg]
    turns = []
    for _ in range(limit):
        clock.advance(minutes=2)
        turn = await mock.answer(member, text)
        turns.append(turn)
        if turn.status is MockStatus.FINISHED:
            return turns
    raise AssertionError("the mock never finished")


async def test_a_behavioral_round_to_its_scorecard(
    redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    mock = interviews(redis, bank, engine, clock)
    first = await mock.start(ALICE, "hiring_manager")
    assert first.status is MockStatus.QUESTION and "Question 1 of 3" in first.text
    turns = await answer_until_done(mock, ALICE, clock)
    final = turns[-1]
    (card,) = final.scorecards
    assert card.title == "Hiring-manager behavioral round" and 1.0 <= card.overall <= 5.0
    assert card.criteria and card.fix_first and len(card.timings) == 3
    assert "answered in 2:00" in final.text and "guideline 2:30" in final.text
    assert await MockStore(redis).session(ALICE) is None
    again = await mock.start(ALICE, "hiring_manager")
    assert "Question 1 of 3" in again.text
    turns = await answer_until_done(mock, ALICE, clock)
    second = turns[-1].scorecards[0]
    assert second.change == round(second.overall - card.overall, 1)
    first_questions = {q for q, _, _ in card.timings}
    assert not first_questions & {q for q, _, _ in second.timings}, "recently asked questions are not repeated"


async def test_a_clear_gap_gets_one_targeted_follow_up(
    redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    mock = interviews(redis, bank, engine, clock)
    await mock.start(ALICE, "hiring_manager")
    clock.advance(minutes=3)
    turn = await mock.answer(ALICE, "We worked hard as a team and it went well. Everyone was happy with it.")
    assert turn.status is MockStatus.PROBE and turn.text.count("Follow-up:") == 1
    assert "You took 3:00" in turn.text
    session = await MockStore(redis).session(ALICE)
    assert session is not None and session.probe is not None
    probed = [p.text for p in bank.question(session.question_id).follow_ups]
    assert session.probe in probed
    clock.advance(minutes=1)
    after = await mock.answer(ALICE, GOOD_ANSWER)
    assert after.status is MockStatus.QUESTION and "Question 2 of 3" in after.text
    session = await MockStore(redis).session(ALICE)
    assert session is not None and session.answers[0].follow_up == GOOD_ANSWER and session.answers[0].seconds == 240


async def test_the_loop_runs_the_five_rounds_in_order(
    redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    mock = interviews(redis, bank, engine, clock)
    first = await mock.start(ALICE, "loop")
    assert "Recruiter screen (round 1 of 5)" in first.text
    turns = await answer_until_done(mock, ALICE, clock, limit=80)
    titles = [card.title for turn in turns for card in turn.scorecards]
    assert titles == [
        "Recruiter screen round",
        "Hiring-manager behavioral round",
        "Technical deep dive round",
        "Cross-functional scenario round",
        "Leadership principles panel round",
        "Full loop",
    ]
    assert "Weakest round" in turns[-1].scorecards[-1].reasons[-1]


async def test_a_restart_continues_where_it_left_off(
    redis: Redis, redis_url: str, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    await interviews(redis, bank, engine, clock).start(ALICE, "metrics")
    await interviews(redis, bank, engine, clock).answer(ALICE, GOOD_ANSWER)
    other_process = Redis.from_url(redis_url, decode_responses=True)
    try:
        resumed = interviews(other_process, bank, engine, clock)
        repeat = await resumed.repeat(ALICE)
        assert repeat.text.startswith(("Question 2 of 3", "Follow-up:"))
    finally:
        await other_process.aclose()


async def test_a_second_start_asks_and_strangers_have_no_session(
    redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    mock = interviews(redis, bank, engine, clock)
    await mock.start(ALICE, "system_design")
    ask = await mock.start(ALICE, "metrics")
    assert ask.status is MockStatus.NEEDS_CHOICE and "Resume it, or abandon it" in ask.text
    resume = await mock.start(ALICE, "metrics", if_open="resume")
    assert "Picking up where you left off" in resume.text
    session = await MockStore(redis).session(ALICE)
    assert session is not None and session.kind == "system_design"
    fresh = await mock.start(ALICE, "metrics", if_open="abandon")
    assert fresh.status is MockStatus.QUESTION
    session = await MockStore(redis).session(ALICE)
    assert session is not None and session.kind == "metrics"
    stranger = await mock.answer(BOB, GOOD_ANSWER)
    assert stranger.status is MockStatus.NO_SESSION
    assert (await MockStore(redis).session(ALICE)) == session, "a stranger's message changes nothing"


async def test_garbage_round_names_and_bad_answers(
    redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    mock = interviews(redis, bank, engine, clock)
    unknown = await mock.start(ALICE, "karaoke")
    assert unknown.status is MockStatus.UNKNOWN_ROUND and "behavioral" in unknown.text and "loop" in unknown.text
    assert await MockStore(redis).session(ALICE) is None
    await mock.start(ALICE, "technical_deep_dive")
    empty = await mock.answer(ALICE, "   ")
    huge = await mock.answer(ALICE, "x" * 50_000)
    assert empty.status is huge.status is MockStatus.REJECTED
    session = await MockStore(redis).session(ALICE)
    assert session is not None and session.answers == [] and session.question_index == 0


async def test_skip_repeat_stop_and_idle_expiry(
    redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    mock = interviews(redis, bank, engine, clock)
    await mock.start(ALICE, "recruiter_screen")
    skipped = await mock.skip(ALICE)
    assert "Question 2 of 2" in skipped.text
    done = await mock.skip(ALICE)
    assert done.status is MockStatus.FINISHED and "2 questions skipped" in done.text
    await mock.start(ALICE, "metrics")
    assert 0 < await redis.ttl(f"debrief:{{{ALICE.workspace}}}:mock:U1:session") <= IDLE_SECONDS
    stopped = await mock.stop(ALICE)
    assert stopped.status is MockStatus.STOPPED and await MockStore(redis).session(ALICE) is None
    await mock.start(ALICE, "metrics")
    await redis.pexpire(f"debrief:{{{ALICE.workspace}}}:mock:U1:session", 1)  # 48 hours idle, compressed
    await asyncio.sleep(0.05)
    assert (await mock.answer(ALICE, GOOD_ANSWER)).status is MockStatus.NO_SESSION


async def test_the_same_answer_pasted_for_every_question_is_not_a_hire(
    redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    mock = interviews(redis, bank, engine, clock)
    await mock.start(ALICE, "hiring_manager")
    turns = await answer_until_done(mock, ALICE, clock)
    (card,) = turns[-1].scorecards
    assert card.verdict.value in ("no_hire", "lean_no_hire"), card
    assert any("did not answer the question asked" in reason for reason in card.reasons), card.reasons
    session_answers = [a for a in card.timings]
    assert len(session_answers) == 3
    assert any("same answer" in fix.lower() for fix in card.fix_first), card.fix_first


async def test_no_follow_up_on_what_the_answer_already_took_up(
    redis: Redis, bank: Bank, engine: FeedbackEngine, clock: FakeClock
) -> None:
    mock = interviews(redis, bank, engine, clock)
    await mock.start(ALICE, "hiring_manager")
    session = await MockStore(redis).session(ALICE)
    assert session is not None
    probes = [p.text.rstrip("?") for p in bank.question(session.question_id).follow_ups]
    thin = "We worked hard as a team and it went well. Everyone was happy with it."
    took_them_up = thin + " " + " ".join(f"You may ask: {p}. I can say." for p in probes)
    clock.advance(minutes=3)
    turn = await mock.answer(ALICE, took_them_up)
    assert turn.status is MockStatus.QUESTION and "Follow-up:" not in turn.text and "Question 2 of 3" in turn.text
