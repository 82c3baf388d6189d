"""Judgements a fake model gives, computed from the request the way a model sees it (schema and prompt)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.app.bootstrap import Core
from bot.coach.prompt import ANSWER_END, ANSWER_FENCE
from bot.identities import Channel
from tests.coach.fake_openai import FakeOpenAI


def criterion_ids(body: dict[str, Any]) -> list[str]:
    """The rubric's criterion ids, from the schema sent with the request (or the ids named in the prompt)."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        schema = fmt["json_schema"]["schema"]
        return list(schema["properties"]["criteria"]["items"]["properties"]["id"]["enum"])
    prompt = user_prompt(body)
    named = prompt.split("one entry per criterion id (", 1)[1].split(")", 1)[0]
    return [part.strip() for part in named.split(",")]


def user_prompt(body: dict[str, Any]) -> str:
    """The user message of a chat request."""
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def answer_in(body: dict[str, Any]) -> str:
    """The answer between the prompt's markers."""
    prompt = user_prompt(body)
    return prompt.split(ANSWER_FENCE + "\n", 1)[1].rsplit("\n" + ANSWER_END, 1)[0]


def fixed_judge(
    score: int, quotes: Callable[[str], Sequence[str]], follow_up: str = "", reason: str = "You said it plainly."
) -> Callable[[dict[str, Any]], str]:
    """A judge that gives every criterion `score` with `quotes(answer)` and the given follow-up."""

    def judge(body: dict[str, Any]) -> str:
        answer = answer_in(body)
        return json.dumps(
            {
                "criteria": [
                    {"id": cid, "score": score, "reason": reason, "quotes": list(quotes(answer))}
                    for cid in criterion_ids(body)
                ],
                "follow_up": follow_up,
            }
        )

    return judge


REAL_QUOTE = "told the sales lead it would slip to Q3"  # words of tests.bot.scenario.GOOD_ANSWER
INVENTED_QUOTE = "we tripled revenue by hiring four hundred annotators overnight"
REASON = "You named the cost of waiting and what you gave up for it."
FOLLOW_UP = "How did you decide the polygon workflow could wait until Q3?"
# What a model may write when an answer baits it: rendered, it must ping nobody and link nowhere.
HOSTILE_REASON = "Tell <!channel> and @everyone, <@U123> too, to read <https://evil.example|this> now."


@asynccontextmanager
async def served_model(monkeypatch: pytest.MonkeyPatch, *, timeout: float | None = None) -> AsyncIterator[FakeOpenAI]:
    """A fake model, set up the way an operator sets one up (the DEBRIEF_LLM_ environment)."""
    async with FakeOpenAI() as model:
        monkeypatch.setenv("DEBRIEF_LLM_BASE_URL", model.url)
        monkeypatch.setenv("DEBRIEF_LLM_MODEL", "fake-model")
        monkeypatch.setenv("DEBRIEF_LLM_API_KEY", "sk-test")
        if timeout is not None:
            monkeypatch.setenv("DEBRIEF_LLM_TIMEOUT_SECONDS", str(timeout))
        yield model


async def todays_judgement(core: Core, channel: Channel) -> dict[str, Any]:
    """A judgement of the channel's question today: every criterion 4 on a real quote, the first also on an invented
    one, the second with a reason full of mentions and a link."""
    settings = await core.channels.settings(channel)
    assert settings is not None
    prompt = (await core.posts.todays(channel, settings))[0]
    rubric = core.bank.rubric_for(core.bank.question(prompt.question_id))
    criteria = [
        {
            "id": c.id,
            "score": 4,
            "reason": HOSTILE_REASON if i == 1 else REASON,
            "quotes": [INVENTED_QUOTE, REAL_QUOTE] if i == 0 else [REAL_QUOTE],
        }
        for i, c in enumerate(rubric.criteria)
    ]
    return {"criteria": criteria, "follow_up": FOLLOW_UP}


def model_outcomes(core: Core, outcome: str) -> float:
    """How many model requests ended with `outcome`."""
    value = core.metrics.registry.get_sample_value("debrief_model_requests_total", {"outcome": outcome})
    return value or 0.0


async def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until `check()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


# How a model fails, what the failure is counted as, and the timeout (DEBRIEF_LLM_TIMEOUT_SECONDS) to run with.
BROKEN_MODELS = [("stalled", "timeout", 0.5), ("server_error", "error", None), ("malformed", "malformed", None)]


async def break_model(model: FakeOpenAI, failure: str, core: Core, channel: Channel) -> None:
    """Make the fake model fail as BROKEN_MODELS names it (a stall answers with a good judgement, too late)."""
    if failure == "stalled":
        model.reply_json(await todays_judgement(core, channel))
        model.stall(30)
    elif failure == "server_error":
        model.fail(500, times=100)
    else:
        model.reply_with('{"criteria": [{"id": "nope", "score": 9}], "follow_up": ')
