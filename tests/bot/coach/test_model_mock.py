"""Mock rounds with model feedback: the model writes the one probe from what the member said, on the weakest
criterion, and the scorecard's fixes quote the member."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from bot.identities import Member
from bot.mock.rounds import MockStatus
from bot.replies import plain_text
from content.loader import Bank
from tests.bot.coach.test_model_coach import core_with_model
from tests.bot.scenario import GOOD_ANSWER
from tests.coach.fake_openai import FakeOpenAI
from tests.coach.judging import answer_in, criterion_ids
from tests.conftest import FakeClock

ANSWER = (
    "I ran the relaunch of our labeling tool. I picked the three worst workflows from support tickets and fixed "
    "those first. We went live in six weeks and the team seemed happier with it afterwards."
)
PROBE = "You said the team seemed happier: what number told you the relaunch worked?"


def judge_with_a_weak_first_criterion(body: dict[str, Any]) -> str:
    ids = criterion_ids(body)
    answer = answer_in(body)
    quote = "the team seemed happier with it afterwards" if "seemed happier" in answer else answer.split(". ")[0]
    criteria = [
        {
            "id": cid,
            "score": 2 if i == 0 else 4,
            "reason": "You never measured the result." if i == 0 else "Clear.",
            "quotes": [quote],
        }
        for i, cid in enumerate(ids)
    ]
    return json.dumps({"criteria": criteria, "follow_up": PROBE})


async def test_the_model_writes_the_probe_and_the_fixes_quote_the_member(
    redis: Redis, bank: Bank, clock: FakeClock
) -> None:
    async with FakeOpenAI() as server:
        server.judge = judge_with_a_weak_first_criterion
        core = core_with_model(redis, bank, clock, server)
        member = Member("discord:81384788765712384", "4242", "Kim")
        await core.coach.set_mode(member.workspace, "model")
        await core.mocks.start(member, "hiring_manager")
        clock.advance(minutes=2)
        turn = await core.mocks.answer(member, ANSWER)
        assert turn.status is MockStatus.PROBE and f"Follow-up: {PROBE}" in turn.text
        turns = [turn]
        for _ in range(10):
            clock.advance(minutes=2)
            turn = await core.mocks.answer(member, ANSWER if turn.status is MockStatus.QUESTION else GOOD_ANSWER)
            turns.append(turn)
            if turn.status is MockStatus.FINISHED:
                break
        assert turn.status is MockStatus.FINISHED
        assert sum(t.status is MockStatus.PROBE for t in turns) >= 1
        card = turn.scorecards[0]
        assert any("you said \u201c" in fix and "You never measured the result." in fix for fix in card.fix_first)
        assert "you said \u201c" in plain_text(turn.reply)
        assert server.requests, "the model was asked"


async def test_a_mock_in_a_workspace_on_rules_never_asks_the_model(redis: Redis, bank: Bank, clock: FakeClock) -> None:
    async with FakeOpenAI() as server:
        server.judge = judge_with_a_weak_first_criterion
        core = core_with_model(redis, bank, clock, server)
        member = Member("slack:T7", "U1", "Kim")
        await core.mocks.start(member, "hiring_manager")
        clock.advance(minutes=2)
        turn = await core.mocks.answer(member, ANSWER)
        assert PROBE not in turn.text and not server.requests
