"""A fake Slack on 127.0.0.1: the Web API methods debrief calls, response URLs, and a Socket Mode websocket."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from bot.app.embedded_redis import free_port


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    token: str | None = None  # the bearer token the call carried (the Authorization header, or a token param)
    response: dict[str, Any] | None = None  # what the fake answered (Web API methods), e.g. a posted message's ts


@dataclass
class FakeSlack:
    """Records calls; answers like Slack would for the methods debrief uses."""

    team_id: str = "T1"
    bot_user: str = "UBOT"
    admins: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)
    rate_limit_once: set[str] = field(default_factory=set)
    rate_limited: set[str] = field(default_factory=set)  # methods answered with 429 until removed (a storm)
    errors: dict[str, str] = field(default_factory=dict)  # method -> Slack error it answers with
    delays: dict[str, float] = field(default_factory=dict)  # method -> seconds it takes to answer
    host: str = "127.0.0.1"
    advertised_host: str = "127.0.0.1"  # how the bot reaches this fake (a compose service name, say)
    calls: list[Call] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    uploaded: dict[str, dict[str, Any]] = field(default_factory=dict)  # file id -> filename and uploaded bytes
    connections: set[int] = field(default_factory=set)  # the client ports Web API calls came from
    # The install flow: codes Slack would hand the browser (code -> team id), each team's bot token once installed,
    # and the app's client credentials oauth.v2.access checks.
    codes: dict[str, str] = field(default_factory=dict)
    bot_tokens: dict[str, str] = field(default_factory=dict)  # bot token -> team id
    client_id: str = "111.222"
    client_secret: str = "fake-client-secret"
    revoked: set[str] = field(default_factory=set)
    port: int = 0
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def api_url(self) -> str:
        return f"http://{self.advertised_host}:{self.port}/api/"

    def response_url(self, key: str = "r") -> str:
        return f"http://{self.advertised_host}:{self.port}/respond/{key}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)  # a delayed answer must not hold up stop()
        await self._runner.setup()
        self.port = self.port or free_port()
        await web.TCPSite(self._runner, self.host, self.port).start()

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def of(self, method: str) -> list[dict[str, Any]]:
        """Params of every call to `method`, in order."""
        return [c.params for c in self.calls if c.method == method]

    def tokens_of(self, method: str) -> list[str | None]:
        """The token each call to `method` carried, in order."""
        return [c.token for c in self.calls if c.method == method]

    def issue_code(self, team_id: str) -> str:
        """A code as Slack redirects the installer's browser with, for installing into `team_id`."""
        code = f"code-{team_id}-{next(self._ts)}"
        self.codes[code] = team_id
        return code

    def token_of(self, team_id: str) -> str:
        """The bot token an install into `team_id` hands out."""
        return f"xoxb-{team_id.lower()}-installed"

    def revoke(self, team_id: str) -> None:
        """Slack stops taking the team's bot token (the app was uninstalled there)."""
        self.revoked.add(self.token_of(team_id))

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until `method` was called at least `count` times."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.of(method)) < count:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"{method} called {len(self.of(method))}x, wanted {count}; calls: {seen}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return self.of(method)

    def _record(self, method: str, params: dict[str, Any], token: str | None = None) -> None:
        self.calls.append(Call(method, params, token))
        self._changed.set()

    @staticmethod
    def _token(request: web.Request, params: dict[str, Any]) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ")
        return str(params["token"]) if params.get("token") else None

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)  # slack_sdk sends some methods' arguments in the URL
        if request.method == "GET":
            return params
        if request.content_type == "application/json":
            return params | dict(await request.json())
        form = await request.post()
        for key, value in form.items():
            text = str(value)
            if key in ("blocks", "view") and text.startswith(("[", "{")):
                params[key] = json.loads(text)
            else:
                params[key] = text
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        peer = request.transport.get_extra_info("peername") if request.transport else None
        if peer:
            self.connections.add(int(peer[1]))
        params = await self._params(request)
        token = self._token(request, params)
        if method in self.rate_limit_once or method in self.rate_limited:
            self.rate_limit_once.discard(method)
            self._record(f"{method}#429", params, token)
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        self._record(method, params, token)
        call = self.calls[-1]
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        if method in self.errors:
            return web.json_response({"ok": False, "error": self.errors[method]})
        if method == "oauth.v2.access":
            return web.json_response(self._exchange(request, params))
        if token in self.revoked:
            return web.json_response({"ok": False, "error": "token_revoked"})
        if method == "auth.test" and token in self.bot_tokens:
            team = self.bot_tokens[token]
            return web.json_response(self._answer(method, params) | {"team_id": team, "user_id": f"UBOT{team}"})
        answer = self._answer(method, params)
        call.response = answer
        return web.json_response(answer)

    def _exchange(self, request: web.Request, params: dict[str, Any]) -> dict[str, Any]:
        """oauth.v2.access: the app's credentials (basic auth or params) and a code issued once."""
        expected = "Basic " + base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if request.headers.get("Authorization") != expected and (
            params.get("client_id"),
            params.get("client_secret"),
        ) != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        team = self.codes.pop(str(params.get("code")), None)
        if team is None:
            return {"ok": False, "error": "invalid_code"}
        token = self.token_of(team)
        self.bot_tokens[token] = team
        self.revoked.discard(token)
        return {
            "ok": True,
            "app_id": "A1",
            "authed_user": {"id": f"UINSTALLER{team}"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": f"UBOT{team}",
            "team": {"id": team, "name": f"Team {team}"},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "debrief",
                "team_id": self.team_id,
                "user_id": self.bot_user,
                "bot_id": "BBOT",
            }
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": self.next_ts(),
                "message": {"text": params.get("text")},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts"), "text": params.get("text")}
        if method == "users.info":
            user = str(params.get("user"))
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user,
                    "real_name": self.names.get(user, user),
                    "is_admin": user in self.admins,
                    "is_owner": False,
                    "profile": {"display_name": self.names.get(user, "")},
                },
            }
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{params.get('users')}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts)}"
            self.uploaded[file_id] = {"filename": params.get("filename"), "content": b""}
            return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            listed = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in listed]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://{self.advertised_host}:{self.port}/socket"}
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        body = await request.read()
        if request.match_info["file_id"] in self.uploaded:
            self.uploaded[request.match_info["file_id"]]["content"] = body
        self._record(
            "upload",
            {
                "file_id": request.match_info["file_id"],
                "size": len(body),
                "png": body[:8] == b"\x89PNG\r\n\x1a\n",
                "data": body,
            },
        )
        return web.Response(text=f"OK - {len(body)}")

    async def _respond(self, request: web.Request) -> web.Response:
        self._record("response_url", dict(await request.json()))
        return web.json_response({"ok": True})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {"type": "hello", "num_connections": 1, "debug_info": {}, "connection_info": {"app_id": "A1"}}
        )
        self._changed.set()
        async for message in ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.socket_acks.append(json.loads(message.data))
                self._changed.set()
        self._sockets.remove(ws)
        return ws

    async def wait_for_socket(self, timeout: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not self._sockets:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the bot never opened the Socket Mode websocket")
            await asyncio.sleep(0.05)

    async def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the bot to acknowledge an envelope."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for ack in self.socket_acks:
                if ack.get("envelope_id") == envelope_id:
                    return ack
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"envelope {envelope_id} was never acknowledged")
            await asyncio.sleep(0.02)

    async def send_envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Push a Socket Mode envelope to the bot and return its id."""
        envelope_id = str(uuid.uuid4())
        await self._sockets[0].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
            }
        )
        return envelope_id


def fake_bot_token(name: str) -> str:
    """A bot token only this fake takes (the prefix Slack's tokens have, nothing that works anywhere else)."""
    return f"xoxb-fake-{name}"


def reply_message(
    event_ts: str, thread_ts: str, text: str, user: str = "UMEMBER", channel: str = "C1"
) -> dict[str, Any]:
    """A member's reply in a thread, as the Events API delivers it."""
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": event_ts,
        "thread_ts": thread_ts,
        "event_ts": event_ts,
        "channel_type": "channel",
    }


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for `body`."""
    ts = str(timestamp or int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict[str, Any], *, event_id: str, team_id: str = "T1") -> dict[str, Any]:
    return {
        "token": "legacy",
        "team_id": team_id,
        "api_app_id": "A1",
        "type": "event_callback",
        "event": event,
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team_id, "user_id": "UBOT", "is_bot": True}],
    }


def command_body(text: str, *, user_id: str, channel_id: str = "C1", response_url: str, team_id: str = "T1") -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": team_id,
            "team_domain": "fake",
            "channel_id": channel_id,
            "channel_name": "pm-prep",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/debrief",
            "text": text,
            "response_url": response_url,
            "trigger_id": "trig",
            "api_app_id": "A1",
        }
    )


async def _serve_forever(host: str, port: int, advertised_host: str) -> None:
    fake = FakeSlack(host=host, port=port, advertised_host=advertised_host)
    await fake.start()
    print(f"fake Slack Web API on {fake.api_url} (Socket Mode too)", flush=True)
    seen = 0
    while True:
        await fake._changed.wait()
        fake._changed.clear()
        for call in fake.calls[seen:]:
            print(f"{call.method} {json.dumps(call.params, default=str)[:200]}", flush=True)
        seen = len(fake.calls)


def main() -> None:
    """Serve the fake Slack for a manual or compose run: `python -m tests.handlers.slack.fake_slack`."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake Slack Web API and Socket Mode server, for trials.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--advertise", default=None, help="host name the bot uses to reach this server")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args.host, args.port, args.advertise or args.host))


if __name__ == "__main__":
    main()
