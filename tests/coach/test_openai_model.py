"""OpenAIChatModel through the real `openai` client against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.coach.openai_model import SCHEMA_INSTRUCTION, OpenAIChatModel
from bot.coach.port import ChatMessage, ModelFailure
from tests.coach.fake_openai import FakeOpenAI

KEY = "sk-test-SECRET-123"
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"score": {"type": "integer"}, "reason": {"type": "string"}},
    "required": ["score", "reason"],
    "additionalProperties": False,
}
MESSAGES = [ChatMessage("system", "You judge answers."), ChatMessage("user", "Judge this answer: we shipped it.")]
REPLY = {"score": 4, "reason": "clear"}
# Every logger the call path can write to: the client, its HTTP stack (httpx2/httpcore2 in openai 3.x, httpx/
# httpcore before), asyncio and the fake server's aiohttp.
LOGGERS = ["", "openai", "httpx2", "httpcore2", "httpx", "httpcore", "asyncio", "aiohttp", "bot"]


@pytest.fixture
async def server() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as fake:
        fake.reply_json(REPLY)
        yield fake


@asynccontextmanager
async def opened(*args: Any, **options: Any) -> AsyncIterator[OpenAIChatModel]:
    """An OpenAIChatModel, closed afterwards."""
    model = OpenAIChatModel(*args, **options)
    try:
        yield model
    finally:
        await model.aclose()


@pytest.fixture
async def model(server: FakeOpenAI) -> AsyncIterator[OpenAIChatModel]:
    async with opened(server.url, KEY, "judge-model", timeout=2.0, max_retries=1) as m:
        yield m


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def debug_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)


def assert_key_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "nothing was logged at DEBUG: the check would prove nothing"
    assert any(r.name.startswith("openai") for r in caplog.records), "the openai client logged nothing"
    for record in caplog.records:
        seen = [record.getMessage(), repr(record.args), str(record.exc_text or ""), repr(record.__dict__)]
        assert not any(KEY in s for s in seen), f"{record.name} logged the API key: {record.getMessage()}"
    assert KEY not in caplog.text


async def failure_of(model: OpenAIChatModel) -> ModelFailure:
    with pytest.raises(ModelFailure) as info:
        await model.complete(MESSAGES, SCHEMA, "verdict")
    failure = info.value
    assert KEY not in str(failure) and KEY not in repr(failure)
    assert failure.__cause__ is None
    return failure


async def test_returns_the_json_reply_and_its_tokens(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    completion = await model.complete(MESSAGES, SCHEMA, "verdict")

    assert json.loads(completion.text) == REPLY
    usage = server.responses[-1]["usage"]
    assert completion.tokens == usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0
    assert model.name == "judge-model"


async def test_sends_the_prompt_and_the_json_schema_response_format(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    await model.complete(MESSAGES, SCHEMA, "verdict")

    [request] = server.requests
    assert request.body["model"] == "judge-model"
    assert request.body["temperature"] == 0
    assert request.messages == [
        {"role": "system", "content": MESSAGES[0].content},
        {"role": "user", "content": MESSAGES[1].content},
    ]
    assert request.response_format == {
        "type": "json_schema",
        "json_schema": {"name": "verdict", "schema": SCHEMA, "strict": True},
    }


async def test_judge_hook_computes_the_reply_from_the_request(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    server.judge = lambda body: json.dumps({"score": len(body["messages"]), "reason": body["model"]})

    completion = await model.complete(MESSAGES, SCHEMA, "verdict")

    assert json.loads(completion.text) == {"score": 2, "reason": "judge-model"}


async def test_a_server_without_json_schema_gets_the_schema_in_the_prompt(
    server: FakeOpenAI, model: OpenAIChatModel
) -> None:
    server.reject_schema()

    first = await model.complete(MESSAGES, SCHEMA, "verdict")

    assert json.loads(first.text) == REPLY
    rejected, retried = server.requests
    assert rejected.response_format is not None and rejected.response_format["type"] == "json_schema"
    assert rejected.messages[-1]["content"] == MESSAGES[1].content
    assert retried.response_format is None
    last = retried.messages[-1]
    assert last["role"] == "user"
    assert last["content"].startswith(MESSAGES[1].content)
    schema_text = last["content"].split(SCHEMA_INSTRUCTION, 1)[1]
    assert json.loads(schema_text) == SCHEMA
    assert retried.messages[0] == {"role": "system", "content": MESSAGES[0].content}
    assert not model.structured_output

    second = await model.complete(MESSAGES, SCHEMA, "verdict")

    assert json.loads(second.text) == REPLY
    assert len(server.requests) == 3, "a later call must not try json_schema again"
    later = server.requests[2]
    assert later.response_format is None
    assert SCHEMA_INSTRUCTION in later.messages[-1]["content"]


async def test_a_400_that_is_not_about_the_schema_does_not_turn_structured_output_off(
    server: FakeOpenAI, model: OpenAIChatModel
) -> None:
    server.fail(400, times=2)

    failure = await failure_of(model)

    assert failure.reason == "error"
    assert str(failure) == "error: 400"
    assert len(server.requests) == 2  # the schema-less retry was tried once, and failed the same way
    assert model.structured_output
    await model.complete(MESSAGES, SCHEMA, "verdict")
    assert server.requests[-1].response_format is not None


async def test_a_stalled_server_times_out_quickly(server: FakeOpenAI) -> None:
    server.stall(30)
    started = time.monotonic()
    async with opened(server.url, KEY, "judge-model", timeout=0.5, max_retries=1) as model:
        failure = await failure_of(model)

    elapsed = time.monotonic() - started
    assert failure.reason == "timeout"
    assert elapsed < 3.0
    assert len(server.requests) == 2  # the client retried the timed-out attempt once


async def test_rate_limits_beyond_the_retries_fail_as_rate_limited(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    server.fail(429, times=5, retry_after=0)

    failure = await failure_of(model)

    assert failure.reason == "rate_limited"
    assert "429" in str(failure)
    assert len(server.requests) == 2  # one attempt and max_retries=1 retry


async def test_one_rate_limit_is_retried_through(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    server.fail(429, times=1, retry_after=0)

    completion = await model.complete(MESSAGES, SCHEMA, "verdict")

    assert json.loads(completion.text) == REPLY
    assert len(server.requests) == 2


async def test_a_long_retry_after_is_cut_short_by_the_deadline(server: FakeOpenAI) -> None:
    server.fail(429, times=1, retry_after=60)  # the client would sleep the whole minute before its retry
    started = time.monotonic()
    async with opened(server.url, KEY, "judge-model", timeout=0.3, max_retries=1) as model:
        failure = await failure_of(model)

    assert failure.reason == "timeout"
    assert time.monotonic() - started < 3.0
    assert len(server.requests) == 1


async def test_a_server_error_fails_as_error_with_its_status(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    server.fail(500, times=2)

    failure = await failure_of(model)

    assert failure.reason == "error"
    assert str(failure) == "error: 500"
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [401, 403])
async def test_a_rejected_key_fails_as_refused(server: FakeOpenAI, model: OpenAIChatModel, status: int) -> None:
    server.fail(status)

    failure = await failure_of(model)

    assert failure.reason == "refused"
    assert str(status) in str(failure)
    assert len(server.requests) == 1


async def test_a_refusal_and_an_empty_reply_are_failures(server: FakeOpenAI, model: OpenAIChatModel) -> None:
    server.refuse("I will not grade this.")
    assert (await failure_of(model)).reason == "refused"

    server.reply_no_choices()
    assert (await failure_of(model)).reason == "empty"

    server.reply_with("")
    assert (await failure_of(model)).reason == "empty"


async def test_a_closed_port_is_unreachable_and_the_failure_names_where() -> None:
    port = closed_port()
    started = time.monotonic()
    async with opened(f"http://127.0.0.1:{port}/v1", KEY, "judge-model", timeout=1.0, max_retries=1) as model:
        failure = await failure_of(model)

    assert failure.reason == "unreachable"
    assert f"http://127.0.0.1:{port}/v1" in str(failure)
    assert time.monotonic() - started < 3.0


async def test_a_base_url_without_v1_gets_a_hint(server: FakeOpenAI) -> None:
    async with opened(server.url.removesuffix("/v1"), KEY, "judge-model", timeout=1.0, max_retries=0) as model:
        failure = await failure_of(model)
    assert failure.reason == "error" and "most servers need /v1" in str(failure) and KEY not in str(failure)


async def test_no_key_sends_a_placeholder(server: FakeOpenAI) -> None:
    async with opened(server.url, None, "llama3") as model:
        await model.complete(MESSAGES, SCHEMA, "verdict")

    assert server.requests[0].headers["Authorization"] == "Bearer not-needed"


async def test_the_key_is_sent_but_never_logged_on_success(
    server: FakeOpenAI, model: OpenAIChatModel, caplog: pytest.LogCaptureFixture
) -> None:
    debug_everywhere(caplog)

    await model.complete(MESSAGES, SCHEMA, "verdict")

    assert server.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(model)
    assert_key_not_logged(caplog)


async def test_the_key_is_never_logged_or_in_a_failure(
    server: FakeOpenAI, model: OpenAIChatModel, caplog: pytest.LogCaptureFixture
) -> None:
    debug_everywhere(caplog)

    server.fail(429, times=2)
    assert (await failure_of(model)).reason == "rate_limited"
    server.fail(500, times=2)
    assert (await failure_of(model)).reason == "error"
    server.fail(401)
    assert (await failure_of(model)).reason == "refused"
    server.reject_schema()
    await model.complete(MESSAGES, SCHEMA, "verdict")  # the fallback path logs too

    assert all(r.headers["Authorization"] == f"Bearer {KEY}" for r in server.requests)
    assert len(server.requests) == 7
    assert_key_not_logged(caplog)


async def test_the_key_is_not_logged_when_the_server_is_unreachable(caplog: pytest.LogCaptureFixture) -> None:
    debug_everywhere(caplog)
    async with opened(f"http://127.0.0.1:{closed_port()}/v1", KEY, "judge-model", timeout=1.0, max_retries=1) as model:
        assert (await failure_of(model)).reason == "unreachable"

    assert_key_not_logged(caplog)
