"""Model feedback on Slack, end to end: the real Bolt app against the fake Slack and a fake OpenAI-compatible model.

The engine's feedback goes out at once; the model's follows as chat.update of a public reply, or as a second
ephemeral message (Slack cannot edit those). A model that stalls, fails or talks nonsense changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

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
from tests.handlers.fuzz.payloads import slack_call_problems
from tests.handlers.slack.fake_slack import reply_message
from tests.handlers.slack.harness import SlackHarness, running_slack

CHANNEL = Channel("slack:T1", "C1")
WORKSPACE = "slack:T1"


@asynccontextmanager
async def slack_with_model(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, *, timeout: float | None = None
) -> AsyncIterator[tuple[SlackHarness, FakeOpenAI]]:
    """The app with a model set up the way an operator does it (DEBRIEF_LLM_*), served by the fake."""
    async with (
        served_model(monkeypatch, timeout=timeout) as model,
        running_slack(monkeypatch, redis_url, redis) as app,
    ):
        yield app, model


def received(slack: SlackHarness) -> str:
    """Everything the bot sent to Slack, as one lower-cased string."""
    return str([c.params for c in slack.fake.calls]).lower()


def feedback_posts(slack: SlackHarness) -> list[dict[str, Any]]:
    """Public messages carrying feedback (the daily post is not one)."""
    return [p for p in slack.fake.of("chat.postMessage") if "Score " in str(p.get("text"))]


async def test_private_feedback_is_followed_by_a_second_ephemeral_from_the_model(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    async with slack_with_model(monkeypatch, redis_url, redis) as (slack, model):
        thread_ts = await slack.post_today()
        await slack.app.coach.set_mode(WORKSPACE, "model")
        model.reply_json(await todays_judgement(slack.app, CHANNEL))
        model.stall(2)
        response = await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-model-1")
        assert response.status == 200 and response.elapsed < 1.5  # type: ignore[attr-defined]

        engine = (await slack.fake.wait_for("chat.postEphemeral", 1, timeout=1.5))[0]
        assert not model.responses, "the engine's feedback went out while the model was still thinking"
        assert engine["user"] == "UMEMBER" and engine["thread_ts"] == thread_ts
        assert engine["text"].startswith("*Score ") and "Model feedback" not in engine["text"]

        second = (await slack.fake.wait_for("chat.postEphemeral", 2))[1]
        assert len(model.requests) == 1 and len(model.responses) == 1
        assert second["user"] == "UMEMBER" and second["thread_ts"] == thread_ts and second["channel"] == "C1"
        assert second["text"].startswith("*Model feedback")
        blocks = str(second["blocks"])
        assert REAL_QUOTE in blocks and REASON in blocks and FOLLOW_UP in blocks
        assert "your admins turned on model feedback" in blocks, "the first model feedback says where answers go"
        assert INVENTED_QUOTE.lower() not in received(slack)
        assert not slack.fake.of("chat.update"), "ephemeral messages cannot be edited"
        assert not feedback_posts(slack), "private feedback stays private"
        assert "evil.example" in received(slack), "the model's baited reason was shown, inert"
        assert [p for c in slack.fake.calls for p in slack_call_problems(c.method, c.params)] == []


async def test_public_feedback_is_edited_in_place_with_the_models(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    async with slack_with_model(monkeypatch, redis_url, redis) as (slack, model):
        thread_ts = await slack.post_today()
        await slack.command("setup feedback=public coach=model", "UADMIN", key="setup")
        assert "Saved" in (await slack.fake.wait_for("response_url", 2))[1]["text"]
        assert await slack.app.coach.mode(WORKSPACE) == "model"
        model.reply_json(await todays_judgement(slack.app, CHANNEL))
        model.stall(2)
        await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-model-pub")

        await slack.fake.wait_for("chat.postMessage", 2, timeout=1.5)
        assert not model.responses, "the engine's feedback went out while the model was still thinking"
        (engine,) = feedback_posts(slack)
        assert engine["text"].startswith("*Score ") and engine["thread_ts"] == thread_ts
        posted = next(c for c in slack.fake.calls if c.method == "chat.postMessage" and c.params is engine)
        assert posted.response is not None

        (update,) = await slack.fake.wait_for("chat.update")
        assert update["channel"] == "C1" and update["ts"] == posted.response["ts"]
        assert update["text"].startswith("*Model feedback")
        assert REAL_QUOTE in str(update["blocks"]) and REASON in str(update["blocks"])
        assert INVENTED_QUOTE.lower() not in received(slack)
        await asyncio.sleep(0.3)
        assert len(feedback_posts(slack)) == 1 and not slack.fake.of("chat.postEphemeral"), "an edit, nothing new"
        assert "evil.example" in received(slack), "the model's baited reason was shown, inert"
        assert [p for c in slack.fake.calls for p in slack_call_problems(c.method, c.params)] == []


@pytest.mark.parametrize(("failure", "outcome", "timeout"), BROKEN_MODELS)
async def test_a_failing_model_leaves_the_engines_feedback_alone(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis, failure: str, outcome: str, timeout: float | None
) -> None:
    async with slack_with_model(monkeypatch, redis_url, redis, timeout=timeout) as (slack, model):
        thread_ts = await slack.post_today()
        await slack.app.coach.set_mode(WORKSPACE, "model")
        await break_model(model, failure, slack.app, CHANNEL)

        await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-fail-1")
        engine = (await slack.fake.wait_for("chat.postEphemeral"))[0]
        assert engine["text"].startswith("*Score ")
        await until(lambda: model_outcomes(slack.app, outcome) == 1)
        await asyncio.sleep(0.3)
        assert len(slack.fake.of("chat.postEphemeral")) == 1 and not slack.fake.of("chat.update")

        # the bot carries on: the next answer gets its feedback
        other = reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER, user="UOTHER")
        await slack.event(other, "Ev-fail-2")
        second = (await slack.fake.wait_for("chat.postEphemeral", 2))[1]
        assert second["user"] == "UOTHER" and second["text"].startswith("*Score ")
        await until(lambda: model_outcomes(slack.app, outcome) == 2)
        await asyncio.sleep(0.3)
        assert len(slack.fake.of("chat.postEphemeral")) == 2 and not slack.fake.of("chat.update")
        assert not feedback_posts(slack)
        assert "model feedback" not in received(slack)


async def test_rules_coach_by_default_never_asks_the_model(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    async with slack_with_model(monkeypatch, redis_url, redis) as (slack, model):
        thread_ts = await slack.post_today()
        model.reply_json(await todays_judgement(slack.app, CHANNEL))
        await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-rules-1")
        engine = (await slack.fake.wait_for("chat.postEphemeral"))[0]
        assert engine["text"].startswith("*Score ")
        await asyncio.sleep(0.5)
        assert not model.requests, "no request reaches the model unless the workspace chose it"
        assert len(slack.fake.of("chat.postEphemeral")) == 1 and not slack.fake.of("chat.update")


async def test_a_public_reply_slack_will_not_update_gets_the_models_as_a_new_message(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    async with slack_with_model(monkeypatch, redis_url, redis) as (slack, model):
        thread_ts = await slack.post_today()
        await slack.command("setup feedback=public", "UADMIN", key="setup")
        await slack.app.coach.set_mode(WORKSPACE, "model")
        model.reply_json(await todays_judgement(slack.app, CHANNEL))
        slack.fake.errors["chat.update"] = "cant_update_message"
        await slack.event(reply_message(slack.fake.next_ts(), thread_ts, GOOD_ANSWER), "Ev-model-new")

        await slack.fake.wait_for("chat.update")
        await until(lambda: len(feedback_posts(slack)) == 2)
        engine, follow = feedback_posts(slack)
        assert engine["text"].startswith("*Score ")
        assert follow["text"].startswith("*Model feedback") and follow["thread_ts"] == thread_ts
        assert REAL_QUOTE in str(follow["blocks"]) and INVENTED_QUOTE.lower() not in received(slack)
        assert not slack.fake.of("chat.postEphemeral")
