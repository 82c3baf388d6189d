"""A fake OpenAI-compatible server on 127.0.0.1: POST /v1/chat/completions, with settable answers and failures.

async with FakeOpenAI() as server:
    server.reply_json({"ok": True})
    model = OpenAIChatModel(server.url, "sk-test", "fake-model")
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web
from multidict import CIMultiDict


@dataclass(frozen=True)
class Recorded:
    """One request the server received: its JSON body and its headers (case-insensitive)."""

    body: dict[str, Any]
    headers: CIMultiDict[str]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages the request carried."""
        return list(self.body.get("messages", []))

    @property
    def response_format(self) -> dict[str, Any] | None:
        """The response_format the request asked for, if any."""
        value = self.body.get("response_format")
        return value if isinstance(value, dict) else None


def _words(text: str) -> int:
    return len(text.split())


class FakeOpenAI:
    """Records every chat completion request; answers with what the test set (a reply, a stall, failures)."""

    def __init__(self, model: str = "fake-model") -> None:
        self.model = model
        self.requests: list[Recorded] = []
        self.responses: list[dict[str, Any]] = []  # every completion body sent back (errors are not included)
        # Computes the reply's content from the request's JSON body; when set it wins over reply_with().
        self.judge: Callable[[dict[str, Any]], str] | None = None
        self._content: str = "{}"
        self._refusal: str | None = None
        self._no_choices = False
        self._stall = 0.0
        self._failures: list[tuple[int, float | None]] = []
        self._reject_schema = False
        self._ids = itertools.count(1)
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The base URL a client is given (ends in /v1)."""
        return f"http://127.0.0.1:{self.port}/v1"

    # --- behaviour -------------------------------------------------------------------------------------------

    def reply_with(self, content: str) -> None:
        """Answer every request with a completion whose message content is `content`."""
        self.judge = None
        self._content = content
        self._refusal = None
        self._no_choices = False

    def reply_json(self, obj: Any) -> None:
        """Answer every request with `obj` as JSON text."""
        self.reply_with(json.dumps(obj))

    def refuse(self, refusal: str = "I can't help with that.") -> None:
        """Answer with a refusal (content null, message.refusal set), as OpenAI does under structured output."""
        self.judge = None
        self._refusal = refusal
        self._no_choices = False

    def reply_no_choices(self) -> None:
        """Answer with an empty choices list."""
        self._no_choices = True

    def stall(self, seconds: float) -> None:
        """Wait `seconds` before answering each request (0 to stop stalling); stopping the server cuts it short."""
        self._stall = seconds

    def fail(self, status: int, times: int = 1, retry_after: float | None = 0) -> None:
        """Answer the next `times` requests with `status` and an OpenAI-style error body (a 429 carries
        Retry-After: `retry_after` unless it is None)."""
        self._failures.extend([(status, retry_after)] * times)

    def reject_schema(self, on: bool = True) -> None:
        """Answer 400 to any request asking for response_format json_schema, as servers without structured
        output do."""
        self._reject_schema = on

    # --- lifecycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on 127.0.0.1, on a port the OS picks."""
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Stop listening; stalled requests are let go first."""
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeOpenAI:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # --- the endpoint ----------------------------------------------------------------------------------------

    async def _chat_completions(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "We could not parse the JSON body of your request.", "invalid_request_error")
        if not isinstance(body, dict):
            return _error(400, "The request body must be a JSON object.", "invalid_request_error")
        self.requests.append(Recorded(body=body, headers=CIMultiDict(request.headers)))

        if self._stall > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), self._stall)
            if self._closing.is_set():
                return _error(503, "The server is shutting down.", "server_error")

        if self._failures:
            status, retry_after = self._failures.pop(0)
            headers = {"Retry-After": _seconds(retry_after)} if status == 429 and retry_after is not None else {}
            kind = "rate_limit_exceeded" if status == 429 else "server_error" if status >= 500 else "invalid_request"
            return _error(status, f"Fake failure {status}.", kind, headers=headers)

        response_format = body.get("response_format")
        if self._reject_schema and isinstance(response_format, dict) and response_format.get("type") == "json_schema":
            return _error(
                400,
                "response_format of type 'json_schema' is not supported by this model",
                "invalid_request_error",
                param="response_format",
            )

        completion = self._completion(body)
        self.responses.append(completion)
        return web.json_response(completion, headers={"x-request-id": completion["id"]})

    def _completion(self, body: dict[str, Any]) -> dict[str, Any]:
        content: str | None
        refusal: str | None = None
        if self.judge is not None:
            content = self.judge(body)
        elif self._refusal is not None:
            content, refusal = None, self._refusal
        else:
            content = self._content
        prompt_tokens = sum(_words(str(m.get("content", ""))) for m in body.get("messages", []) if isinstance(m, dict))
        completion_tokens = max(1, _words(content or refusal or ""))
        choices = []
        if not self._no_choices:
            message = {"role": "assistant", "content": content, "refusal": refusal}
            choices.append({"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"})
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(body.get("model", self.model)),
            "choices": choices,
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _error(
    status: int,
    message: str,
    kind: str,
    *,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body = {"error": {"message": message, "type": kind, "param": param, "code": None}}
    return web.json_response(body, status=status, headers=headers)
