"""Model feedback on Discord, end to end: the real discord.py bot against the fake Discord and a fake
OpenAI-compatible model.

The engine's feedback goes out at once (by DM, or in the thread); the model's follows as an edit (PATCH) of that
message. A model that stalls, fails or talks nonsense changes nothing, and private feedback never goes public.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from bot.identities import Channel
from tests.bot.scenario import GOOD_ANSWER
from tests.coach.fake_openai import FakeOpenAI
from tests.coach.judging import (
    BROKEN_MODELS,
    FOLLOW_UP,
    INVENTED_QUOTE,
    REAL_QUOTE,
    REASON,
    break_model,
    model_outcomes,
    served_model,
    todays_judgement,
    until,
)
from tests.handlers.discord.fake_discord import Call
from tests.handlers.discord.harness import WORKSPACE, DiscordHarness, F, running_discord
from tests.handlers.fuzz.payloads import discord_call_problems

CHANNEL = Channel(WORKSPACE, str(F.TEXT_CHANNEL_ID))


@asynccontextmanager
async def discord_with_model(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, *, timeout: float | None = None
) -> AsyncIterator[tuple[DiscordHarness, FakeOpenAI]]:
    """The app with a model set up the way an operator does it (DEBRIEF_LLM_*), served by the fake."""
    async with (
        served_model(monkeypatch, timeout=timeout) as model,
        running_discord(monkeypatch, redis_url, redis) as app,
    ):
        yield app, model


def title(call: Call) -> str:
    embeds = (call.json or {}).get("embeds") or [{}]
    return str(embeds[0].get("title") or "")


def feedback_sent(harness: DiscordHarness) -> list[Call]:
    """Messages created with feedback (the engine's or the model's); not those Discord refused."""
    return [c for c in harness.fake.of("POST", r"/channels/\d+/messages", status=200) if "Score " in title(c)]


def edits(harness: DiscordHarness) -> list[Call]:
    return harness.fake.of("PATCH", r"/channels/\d+/messages/\d+")


def received(harness: DiscordHarness) -> str:
    """Everything the bot sent to Discord, as one lower-cased string."""
    return str([c.json for c in harness.fake.calls]).lower()


@pytest.mark.parametrize("feedback", ["private", "public"])
async def test_the_models_feedback_replaces_the_engines_by_an_edit(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, feedback: str
) -> None:
    async with discord_with_model(monkeypatch, redis_url, redis) as (harness, model):
        if feedback == "public":
            await harness.command(F.ADMIN_ID, "setup", {"feedback": "public"})
        thread_id = await harness.post_today()
        await harness.command(F.MEMBER_ID, "setup", {"coach": "model"})
        assert await harness.app.coach.mode(WORKSPACE) == "rules", "members cannot turn the model on"
        _, saved = await harness.command(F.ADMIN_ID, "setup", {"coach": "model"})
        assert "fake-model" in str(saved.json) and await harness.app.coach.mode(WORKSPACE) == "model"
        model.reply_json(await todays_judgement(harness.app, CHANNEL))
        model.stall(2)
        answer = await harness.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)

        where = harness.fake.dm_channel_id(F.MEMBER_ID) if feedback == "private" else thread_id
        (engine,) = await harness.fake.wait_for("POST", rf"/channels/{where}/messages", timeout=1.5)
        assert not model.responses, "the engine's feedback went out while the model was still thinking"
        assert title(engine).startswith("Score ")
        if feedback == "public":
            assert str(engine.json["message_reference"]["message_id"]) == answer["id"]

        (edit,) = await harness.fake.wait_for("PATCH", r"/channels/\d+/messages/\d+")
        assert len(model.requests) == 1 and len(model.responses) == 1
        assert edit.path == f"/channels/{where}/messages/{engine.response['id']}"
        assert title(edit).startswith("Model feedback")
        assert edit.json["allowed_mentions"] == {"parse": []}
        shown = str(edit.json["embeds"])
        assert REAL_QUOTE in shown and REASON in shown and FOLLOW_UP in shown
        assert INVENTED_QUOTE.lower() not in received(harness)
        await asyncio.sleep(0.3)
        assert feedback_sent(harness) == [engine], "the model's feedback is an edit, nothing new"
        if feedback == "private":
            assert not harness.fake.of("POST", rf"/channels/{thread_id}/messages"), "private stays private"
        assert "evil.example" in received(harness), "the model's baited reason was shown, inert"
        assert [p for c in harness.fake.calls for p in discord_call_problems(c.method, c.path, c.json)] == []


@pytest.mark.parametrize(("failure", "outcome", "timeout"), BROKEN_MODELS)
async def test_a_failing_model_leaves_the_engines_feedback_alone(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, failure: str, outcome: str, timeout: float | None
) -> None:
    async with discord_with_model(monkeypatch, redis_url, redis, timeout=timeout) as (harness, model):
        thread_id = await harness.post_today()
        await harness.app.coach.set_mode(WORKSPACE, "model")
        await break_model(model, failure, harness.app, CHANNEL)

        await harness.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
        member_dm = harness.fake.dm_channel_id(F.MEMBER_ID)
        (engine,) = await harness.fake.wait_for("POST", rf"/channels/{member_dm}/messages")
        assert title(engine).startswith("Score ")
        await until(lambda: model_outcomes(harness.app, outcome) == 1)
        await asyncio.sleep(0.3)
        assert feedback_sent(harness) == [engine] and not edits(harness)

        # the bot carries on: the next answer gets its feedback
        await harness.say(thread_id, F.OTHER_ID, GOOD_ANSWER)
        other_dm = harness.fake.dm_channel_id(F.OTHER_ID)
        (second,) = await harness.fake.wait_for("POST", rf"/channels/{other_dm}/messages")
        assert title(second).startswith("Score ")
        await until(lambda: model_outcomes(harness.app, outcome) == 2)
        await asyncio.sleep(0.3)
        assert feedback_sent(harness) == [engine, second] and not edits(harness)
        assert "model feedback" not in received(harness)


async def test_closed_dms_keep_the_models_feedback_out_of_the_thread(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    async with discord_with_model(monkeypatch, redis_url, redis) as (harness, model):
        harness.fake.closed_dms.add(str(F.MEMBER_ID))
        thread_id = await harness.post_today()
        await harness.app.coach.set_mode(WORKSPACE, "model")
        model.reply_json(await todays_judgement(harness.app, CHANNEL))
        await harness.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
        (note,) = await harness.fake.wait_for("POST", rf"/channels/{thread_id}/messages")
        assert "DMs are closed" in str(note.json["embeds"])
        await asyncio.sleep(0.5)
        assert harness.fake.of("POST", rf"/channels/{thread_id}/messages") == [note] and not edits(harness)
        assert not feedback_sent(harness) and "model feedback" not in received(harness)
        assert not model.requests, "nothing is asked of the model when its feedback could go nowhere private"


async def test_rules_coach_by_default_never_asks_the_model(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    async with discord_with_model(monkeypatch, redis_url, redis) as (harness, model):
        thread_id = await harness.post_today()
        model.reply_json(await todays_judgement(harness.app, CHANNEL))
        await harness.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
        member_dm = harness.fake.dm_channel_id(F.MEMBER_ID)
        (engine,) = await harness.fake.wait_for("POST", rf"/channels/{member_dm}/messages")
        assert title(engine).startswith("Score ")
        await asyncio.sleep(0.5)
        assert not model.requests, "no request reaches the model unless the workspace chose it"
        assert feedback_sent(harness) == [engine] and not edits(harness)


async def test_a_message_that_cannot_be_edited_gets_the_models_feedback_as_a_new_reply(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    async with discord_with_model(monkeypatch, redis_url, redis) as (harness, model):
        await harness.command(F.ADMIN_ID, "setup", {"feedback": "public"})
        thread_id = await harness.post_today()
        await harness.app.coach.set_mode(WORKSPACE, "model")
        model.reply_json(await todays_judgement(harness.app, CHANNEL))
        model.stall(1)
        answer = await harness.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
        (engine,) = await harness.fake.wait_for("POST", rf"/channels/{thread_id}/messages")
        del harness.fake.messages[int(engine.response["id"])]  # a moderator removed it before the model answered

        await until(lambda: len(feedback_sent(harness)) == 2)
        (edit,) = edits(harness)
        assert edit.status == 404
        follow = feedback_sent(harness)[1]
        assert follow.path == f"/channels/{thread_id}/messages" and title(follow).startswith("Model feedback")
        assert str(follow.json["message_reference"]["message_id"]) == answer["id"]
        assert follow.json["allowed_mentions"]["parse"] == []
        assert REAL_QUOTE in str(follow.json["embeds"]) and INVENTED_QUOTE.lower() not in received(harness)
