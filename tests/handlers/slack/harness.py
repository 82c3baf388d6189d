"""Run the real debrief Slack app over HTTP against the fake Slack, and send it signed requests."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.app.adapters import slack_app
from bot.app.bootstrap import Core, bootstrap
from bot.app.embedded_redis import free_port
from bot.app.settings import Settings
from bot.clock import Clock, utc_now
from bot.identities import Channel
from bot.store.client import RedisClient
from handlers.slack.server import SlackApp, SlackHttpServer
from tests.handlers.slack.fake_slack import FakeSlack, command_body, event_body, sign
from tests.shipped import shipped_engine

SECRET = "test-signing-secret"


@dataclass
class SlackHarness:
    """The fake Slack, the running app, and helpers that speak to it like Slack does."""

    fake: FakeSlack = field(repr=False)
    app: Core = field(repr=False)
    slack: SlackApp = field(repr=False)
    url: str
    session: aiohttp.ClientSession = field(repr=False)

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        signed = {**sign(SECRET, body), "Content-Type": content_type, **(headers or {})}
        started = time.perf_counter()
        response = await self.session.post(self.url, data=body.encode(), headers=signed)
        response.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]
        await response.read()
        return response

    async def command(
        self, text: str, user_id: str, channel_id: str = "C1", key: str = "r", team_id: str = "T1"
    ) -> aiohttp.ClientResponse:
        body = command_body(
            text, user_id=user_id, channel_id=channel_id, response_url=self.fake.response_url(key), team_id=team_id
        )
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], event_id: str, retry: int | None = None, team_id: str = "T1"
    ) -> aiohttp.ClientResponse:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        body = event_body(event, event_id=event_id, team_id=team_id)
        return await self.post(json.dumps(body), "application/json", headers)

    @property
    def base(self) -> str:
        """The app's own address (where /slack/install and /slack/oauth_redirect are served)."""
        return self.url.removesuffix("/slack/events")

    async def action(self, payload: dict[str, Any]) -> aiohttp.ClientResponse:
        from urllib.parse import urlencode

        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def responses(self, count: int = 1) -> list[dict[str, Any]]:
        return await self.fake.wait_for("response_url", count)

    async def post_today(self, admin: str = "UADMIN", channel: Channel = Channel("slack:T1", "C1")) -> str:
        """An admin runs `/debrief post` in the channel; the ts of today's question (its thread)."""
        await self.command("post", admin, channel_id=channel.channel_id, key="post")
        await self.fake.wait_for("chat.postMessage")
        await self.fake.wait_for("response_url")
        settings = await self.app.channels.settings(channel)
        assert settings is not None
        prompts = await self.app.posts.todays(channel, settings)
        assert prompts and prompts[0].thread_id
        return prompts[0].thread_id


def slack_settings(monkeypatch: pytest.MonkeyPatch, fake: FakeSlack, redis_url: str) -> Settings:
    monkeypatch.delenv("SLACK_CLIENT_ID", raising=False)
    monkeypatch.delenv("SLACK_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("SLACK_MODE", "http")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DEBRIEF_ADMINS", "UALLOWED")
    return Settings(_env_file=None)  # type: ignore[call-arg]


def installable_settings(monkeypatch: pytest.MonkeyPatch, fake: FakeSlack, redis_url: str) -> Settings:
    """Settings for workspaces that install the app through the install flow (no bot token)."""
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_MODE", raising=False)
    monkeypatch.setenv("SLACK_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", fake.client_secret)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DEBRIEF_ADMINS", "UALLOWED")
    return Settings(_env_file=None)  # type: ignore[call-arg]


@asynccontextmanager
async def serving_slack(
    settings: Settings, fake: FakeSlack, redis: RedisClient | None = None, clock: Clock = utc_now
) -> AsyncIterator[SlackHarness]:
    """One app instance (a replica) over HTTP on a free port, against an already running fake Slack."""
    async with bootstrap(settings, redis=redis, engine=shipped_engine(), clock=clock) as app:
        slack = slack_app(app)
        port = free_port()
        server = SlackHttpServer(slack.bolt, "127.0.0.1", port)
        await server.start()
        stop_outbox = asyncio.Event()
        outbox = asyncio.create_task(slack.handlers.send_kept_replies(stop_outbox))
        try:
            async with aiohttp.ClientSession() as session:
                yield SlackHarness(fake, app, slack, f"http://127.0.0.1:{port}/slack/events", session)
        finally:
            stop_outbox.set()
            await outbox
            await server.stop()
            await slack.clients.close()


@asynccontextmanager
async def running_slack(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis | None = None, fake: FakeSlack | None = None
) -> AsyncIterator[SlackHarness]:
    fake = fake or FakeSlack(admins={"UADMIN"}, names={"UADMIN": "Ada", "UMEMBER": "Ben"})
    await fake.start()
    settings = slack_settings(monkeypatch, fake, redis_url)
    try:
        async with serving_slack(settings, fake, redis) as harness:
            yield harness
    finally:
        await fake.stop()
