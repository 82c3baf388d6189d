"""A deleted answer: out of peer review, the window summary and the top-answer quote; a deleted extra message
only takes its own text out; the streak day stays."""

from __future__ import annotations

from datetime import date

from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.identities import Channel, Member, ThreadRef
from bot.replies import plain_text
from tests.bot.scenario import GOOD_ANSWER, Scenario

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ALICE, BOB, CAROL = Member(WS, "U1", "alice"), Member(WS, "U2", "bob"), Member(WS, "U3", "carol")
WEAK = "We shipped it and everyone was happy with how it went."


async def test_a_deleted_answer_leaves_review_the_summary_and_the_quote_but_keeps_the_streak(core: Core) -> None:
    await core.stores.channels.save(CHANNEL, ChannelSettings(feedback="public", weekdays=tuple(range(7))))
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(date(2026, 3, 2))
    await scenario.answer(prompt, ALICE, message_id="m-alice")  # the strongest answer
    await scenario.answer(prompt, BOB, text=WEAK, message_id="m-bob")
    thread = ThreadRef(CHANNEL, prompt.thread_id or "")

    assert await core.answers.withdraw(thread, "m-alice")  # Slack and Discord name only the message
    closed = plain_text((await core.scheduled.closes.close(prompt)).summary)
    assert "1 person answered" in closed and GOOD_ANSWER.split()[0] + " " + GOOD_ANSWER.split()[1] not in closed
    assert "We shipped it" in closed, "the quote is the best answer still standing"
    task = await core.reviews.next_for(CAROL, CHANNEL)
    assert task.answer.author_id == BOB.user_id, "a deleted answer is never offered for review"
    streak = await core.standings.streak(ALICE, ChannelSettings())
    assert streak.current == 1, "the day she answered still counts"


async def test_deleting_one_of_two_messages_rescores_what_is_left(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(date(2026, 3, 2))
    await scenario.answer(prompt, ALICE, text=WEAK, message_id="m1")
    both = await scenario.answer(prompt, ALICE, message_id="m2")
    assert await core.answers.withdraw(ThreadRef(CHANNEL, prompt.thread_id or ""), "m2")
    left = await core.answers.so_far(ALICE, prompt.id)
    draft = await core.stores.answers.draft(WS, prompt.id, ALICE.user_id)
    assert left is not None and both.feedback is not None
    assert [text for _, text in draft.messages] == [WEAK] and left.score < both.feedback.overall
