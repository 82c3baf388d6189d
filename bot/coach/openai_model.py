"""ModelPort over any OpenAI-compatible Chat Completions server (OpenAI, Ollama, vLLM, llama.cpp), via `openai`.

Structured output is asked for with a strict `json_schema` response format. A server that rejects it (a 400 or
422) is asked again with the schema written into the prompt instead, and once that works the instance keeps
asking that way. Failures become ModelFailure with a short reason; no detail ever carries the API key, the
request or its headers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import openai
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema

from bot.coach.port import ChatMessage, Completion, ModelFailure

log = logging.getLogger(__name__)

# Local servers (Ollama, llama.cpp) ignore the key, but the client refuses to run without one.
PLACEHOLDER_API_KEY = "not-needed"
SCHEMA_INSTRUCTION = "Reply with one JSON object only, matching this JSON schema: "
# Room, on top of the per-attempt timeouts, for the client's backoff between attempts (0.5 s, 1 s, 2 s ... up to
# 8 s) and for slack; a Retry-After longer than this runs into the deadline.
_BACKOFF_SLACK_SECONDS = 1.0


def _backoff_allowance(max_retries: int) -> float:
    """The seconds the openai client sleeps between `max_retries` retries when the server names no delay."""
    return sum(min(0.5 * 2.0**i, 8.0) for i in range(max_retries)) + _BACKOFF_SLACK_SECONDS


def _message_param(message: ChatMessage) -> ChatCompletionMessageParam:
    """One prompt message as the Chat Completions API takes it."""
    if message.role == "system":
        return {"role": "system", "content": message.content}
    return {"role": "user", "content": message.content}


def with_schema_instruction(messages: Sequence[ChatMessage], schema: Mapping[str, Any]) -> list[ChatMessage]:
    """The prompt with the schema written into its last user message, for servers without structured output."""
    instruction = SCHEMA_INSTRUCTION + json.dumps(schema, ensure_ascii=False, separators=(",", ":"))
    out = list(messages)
    for i in range(len(out) - 1, -1, -1):
        if out[i].role == "user":
            out[i] = ChatMessage("user", f"{out[i].content}\n\n{instruction}")
            return out
    out.append(ChatMessage("user", instruction))
    return out


def _failure(exc: openai.OpenAIError, where: str = "") -> ModelFailure:
    """The ModelFailure for an error the client raised: status code, class name and the server's address only,
    never the request."""
    kind = type(exc).__name__
    if isinstance(exc, openai.APITimeoutError):
        return ModelFailure("timeout", kind)
    if isinstance(exc, openai.RateLimitError):
        return ModelFailure("rate_limited", f"{exc.status_code} {kind}")
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelFailure("refused", f"{exc.status_code} {kind}")
    if isinstance(exc, openai.NotFoundError):
        return ModelFailure(
            "error", f"404: no chat completions (or no such model) at {where}; most servers need /v1 at the URL's end"
        )
    if isinstance(exc, openai.APIStatusError):
        return ModelFailure("error", str(exc.status_code))
    if isinstance(exc, openai.APIConnectionError):
        return ModelFailure("unreachable", f"{kind}: nothing answered at {where}")
    if isinstance(exc, openai.APIResponseValidationError):
        return ModelFailure("malformed", f"{exc.status_code} {kind}")
    return ModelFailure("error", kind)


class OpenAIChatModel:
    """A chat model behind an OpenAI-compatible `/chat/completions` endpoint."""

    def __init__(
        self, base_url: str, api_key: str | None, model: str, timeout: float = 8.0, max_retries: int = 1
    ) -> None:
        self._base_url = base_url
        self._api_key = api_key or PLACEHOLDER_API_KEY
        self._model = model
        self._timeout = timeout
        self._max_retries = max_retries
        # Whole-call deadline: every attempt's timeout plus the client's sleeps between them. The client's own
        # timeout is per network operation, and it honours a Retry-After of up to two minutes, so without this a
        # slow trickle or a long Retry-After could hold a reply for minutes.
        self._deadline = timeout * (max_retries + 1) + _backoff_allowance(max_retries)
        self._client: openai.AsyncOpenAI | None = None
        parts = urlsplit(base_url)
        port = f":{parts.port}" if parts.port else ""
        self._where = f"{parts.scheme}://{parts.hostname}{port}{parts.path}"  # the address without any credentials
        self._structured = True  # False once the server turned json_schema down and the prompt instruction worked

    def __repr__(self) -> str:
        return f"OpenAIChatModel(model={self._model!r})"

    @property
    def name(self) -> str:
        """The model's name, as members see it in feedback."""
        return self._model

    @property
    def structured_output(self) -> bool:
        """Whether requests still carry the json_schema response format (False after the server rejected it)."""
        return self._structured

    def prepare(self) -> None:
        """Build the HTTP client now (at start-up): building it takes tens of milliseconds of blocking work that
        would otherwise fall on the first member's answer."""
        self._client_for_call()

    def _client_for_call(self) -> openai.AsyncOpenAI:
        """The client, built on first use (no sockets or event loop needed before that)."""
        if self._client is None:
            self._client = openai.AsyncOpenAI(
                base_url=self._base_url, api_key=self._api_key, timeout=self._timeout, max_retries=self._max_retries
            )
        return self._client

    async def complete(
        self, messages: Sequence[ChatMessage], schema: Mapping[str, Any], schema_name: str
    ) -> Completion:
        """The model's reply to `messages`, asked to match `schema`; ModelFailure when there is none."""
        if self._structured:
            try:
                return await self._call(messages, schema, schema_name)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                log.info(
                    "model %s: the server turned down json_schema (%s %s); asking with the schema in the prompt",
                    self._model,
                    exc.status_code,
                    type(exc).__name__,
                )
            except openai.OpenAIError as exc:
                raise _failure(exc, self._where) from None
        try:
            completion = await self._call(with_schema_instruction(messages, schema), None, schema_name)
        except openai.OpenAIError as exc:
            raise _failure(exc, self._where) from None
        if self._structured:
            self._structured = False
            log.info("model %s: structured output is off for this server; the schema goes in the prompt", self._model)
        return completion

    async def _call(
        self, messages: Sequence[ChatMessage], schema: Mapping[str, Any] | None, schema_name: str
    ) -> Completion:
        """One create() call, retries included, within the deadline; json_schema only when `schema` is given."""
        client = self._client_for_call()
        params = [_message_param(m) for m in messages]
        try:
            async with asyncio.timeout(self._deadline):
                # The client's generic POST with the JSON body as it goes on the wire: `chat.completions.create`
                # walks every one of its ~45 parameters (and the schema) to transform them, a millisecond or two
                # of CPU per answer spent on the event loop for nothing.
                body: dict[str, Any] = {"model": self._model, "messages": params, "temperature": 0}
                if schema is not None:
                    body["response_format"] = _json_schema_format(schema, schema_name)
                response = await client.post("/chat/completions", body=body, cast_to=ChatCompletion)
        except TimeoutError:
            raise ModelFailure("timeout", f"no reply within {self._deadline:.1f}s") from None
        return _completion(response)

    async def aclose(self) -> None:
        """Close the HTTP client (a later call opens a new one)."""
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()


def _json_schema_format(schema: Mapping[str, Any], name: str) -> ResponseFormatJSONSchema:
    """The strict json_schema response format for `schema`."""
    return {"type": "json_schema", "json_schema": {"name": name, "schema": dict(schema), "strict": True}}


def _completion(response: ChatCompletion) -> Completion:
    """The text and token cost of a chat completion; ModelFailure when it holds no answer."""
    if not response.choices:
        raise ModelFailure("empty", "no choices")
    message = response.choices[0].message
    if message.refusal:
        raise ModelFailure("refused", "the model refused")
    text = message.content or ""
    if not text.strip():
        raise ModelFailure("empty", f"no content (finish_reason {response.choices[0].finish_reason})")
    tokens = response.usage.total_tokens if response.usage is not None else 0
    return Completion(text=text, tokens=tokens or 0)
