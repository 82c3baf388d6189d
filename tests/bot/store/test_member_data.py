"""The member data store against real Redis: one member's keys and entries are told apart from those of members
whose ids contain theirs, and a deletion request is taken once."""

from __future__ import annotations

from datetime import date

from redis.asyncio import Redis

from bot.app.bootstrap import Core
from bot.identities import Channel, Member
from bot.store.member_data import MemberDataStore, mentions
from tests.bot.scenario import Scenario
from tests.redis_dump import dump

WS = "slack:T1"
SHORT, LONGER, SUFFIXED = Member(WS, "U1", "one"), Member(WS, "U10", "ten"), Member(WS, "XU1", "x")


def test_mentions_match_whole_ids_only() -> None:
    assert mentions('{"user": "U1"}', "U1") and mentions("helpful:C1:2026-03-02|U1", "U1")
    assert not mentions('{"user": "U10"}', "U1") and not mentions('{"user": "XU1"}', "U1")


async def test_forgetting_one_id_leaves_ids_that_contain_it(core: Core, redis: Redis) -> None:
    scenario = Scenario(core, Channel(WS, "C1"))
    prompt = await scenario.post(date(2026, 3, 2))
    for member in (SHORT, LONGER, SUFFIXED):
        await scenario.answer(prompt, member)
        await core.mocks.start(member, "behavioral")
    before = await dump(redis)

    await core.forget_me.forget(SHORT)

    after = await dump(redis)
    gone = set(before) - set(after)
    assert gone and [line for line in gone if not mentions(line, "U1")] == []
    for member in (LONGER, SUFFIXED):
        assert await core.answers.so_far(member, prompt.id) is not None
        assert await core.mocks.session_venue(member) is None, "their mock is still open"
    assert await core.answers.so_far(SHORT, prompt.id) is None


async def test_a_deletion_request_is_taken_once_and_only_with_its_nonce(redis: Redis) -> None:
    store = MemberDataStore(redis)
    await store.ask_to_forget(SHORT, SHORT.user_id, "aaaa")
    assert await store.take_forget_request(SHORT, "bbbb") is None
    assert await store.take_forget_request(LONGER, None) is None
    taken = await store.take_forget_request(SHORT, "aaaa")
    assert taken is not None and (taken.target_id, taken.nonce) == ("U1", "aaaa")
    assert await store.take_forget_request(SHORT, "aaaa") is None
    assert await redis.dbsize() == 0
