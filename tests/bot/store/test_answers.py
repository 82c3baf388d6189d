"""How answers are stored: each text once, every revision recoverable, answers of the older shape still read."""

from __future__ import annotations

import json
from datetime import date

from redis.asyncio import Redis

from bot.app.bootstrap import Core
from bot.identities import Channel, Member, ThreadRef
from bot.store import keys
from tests.bot.scenario import GOOD_ANSWER, Scenario

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ALICE = Member(WS, "U1", "alice")
MONDAY = date(2026, 3, 2)


async def test_an_answer_text_is_stored_once(core: Core, redis: Redis) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    await scenario.answer(prompt, ALICE, message_id="m1")
    row = await redis.hgetall(keys.answer(WS, prompt.id, ALICE.user_id))
    assert json.loads(row["messages"]) == [["m1", 0]]
    (raw,) = await redis.lrange(keys.answer_revisions(WS, prompt.id, ALICE.user_id), 0, -1)
    assert raw.startswith("z:"), "a full answer is stored deflated"
    assert (await core.stores.answers.revisions(WS, prompt.id, ALICE.user_id))[0]["text"] == GOOD_ANSWER
    assert await redis.memory_usage(keys.answer(WS, prompt.id, ALICE.user_id), samples=0) < 600


async def test_appends_edits_and_a_deletion_keep_every_revision_and_the_current_text(core: Core, redis: Redis) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    await scenario.answer(prompt, ALICE, text="I decided to cut scope.", message_id="m1")
    await scenario.answer(prompt, ALICE, text=GOOD_ANSWER, message_id="m2")
    await scenario.answer(prompt, ALICE, text="I decided to cut the polygon workflow.", message_id="m1")
    await scenario.answer(prompt, ALICE, text="Then I told sales.", message_id="m3")
    assert await core.answers.withdraw(ThreadRef(CHANNEL, prompt.thread_id or ""), "m2", ALICE)

    draft = await core.stores.answers.draft(WS, prompt.id, ALICE.user_id)
    assert draft.messages == (("m1", "I decided to cut the polygon workflow."), ("m3", "Then I told sales."))
    row = await redis.hgetall(keys.answer(WS, prompt.id, ALICE.user_id))
    assert json.loads(row["messages"]) == [["m1", 2], ["m3", 3]]
    revisions = await core.stores.answers.revisions(WS, prompt.id, ALICE.user_id)
    assert [(r["message_id"], r["text"]) for r in revisions] == [
        ("m1", "I decided to cut scope."),
        ("m2", GOOD_ANSWER),
        ("m1", "I decided to cut the polygon workflow."),
        ("m3", "Then I told sales."),
        ("m2", ""),
    ]
    (answer,) = json.loads((await core.exports.export(ALICE)).files[0].content)["answers"]
    assert answer["text"] == "I decided to cut the polygon workflow.\n\nThen I told sales."
    assert [m["message_id"] for m in answer["messages"]] == ["m1", "m3"]
    assert len(answer["revisions"]) == 5


async def test_withdrawing_the_last_message_then_answering_again_refers_to_the_right_revision(
    core: Core, redis: Redis
) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    await scenario.answer(prompt, ALICE, text="I decided to cut scope.", message_id="m1")
    assert await core.answers.withdraw(ThreadRef(CHANNEL, prompt.thread_id or ""), "m1", ALICE)
    await scenario.answer(prompt, ALICE, text=GOOD_ANSWER, message_id="m2")
    draft = await core.stores.answers.draft(WS, prompt.id, ALICE.user_id)
    assert draft.messages == (("m2", GOOD_ANSWER),)
    assert draft.revisions == 3 and draft.stored == 2


async def test_an_answer_stored_in_the_older_shape_loads_and_takes_revisions(core: Core, redis: Redis) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(MONDAY)
    answer_key = keys.answer(WS, prompt.id, ALICE.user_id)
    first = {"at": "2026-03-02T10:00:00+00:00", "message_id": "m1", "text": "I cut scope.", "edit": False}
    second = {**first, "message_id": "m2", "text": GOOD_ANSWER}
    await redis.hset(
        answer_key,
        mapping={
            "user": ALICE.user_id,
            "prompt": prompt.id,
            "question": prompt.question_id,
            "messages": json.dumps([["m1", "I cut scope."], ["m2", GOOD_ANSWER]]),
            "revisions": 2,
            "score": "2.0",
        },
    )
    await redis.rpush(
        keys.answer_revisions(WS, prompt.id, ALICE.user_id),
        json.dumps({**first, "feedback": {}}),
        json.dumps({**second, "feedback": {}}),
    )
    draft = await core.stores.answers.draft(WS, prompt.id, ALICE.user_id)
    assert draft.messages == (("m1", "I cut scope."), ("m2", GOOD_ANSWER))

    outcome = await scenario.answer(prompt, ALICE, text="I cut the polygon workflow.", message_id="m1")
    assert outcome.revision == 3
    draft = await core.stores.answers.draft(WS, prompt.id, ALICE.user_id)
    assert draft.messages == (("m1", "I cut the polygon workflow."), ("m2", GOOD_ANSWER))
    assert json.loads(await redis.hget(answer_key, "messages")) == [["m1", 2], ["m2", GOOD_ANSWER]]
    texts = [r["text"] for r in await core.stores.answers.revisions(WS, prompt.id, ALICE.user_id)]
    assert texts == ["I cut scope.", GOOD_ANSWER, "I cut the polygon workflow."]
