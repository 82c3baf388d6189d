"""Build the Bolt app and serve it: Socket Mode by default, or HTTP on one /slack/events endpoint."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.bootstrap import App
from bot.settings import Settings
from handlers.slack.chat_port import SlackChatPort, SlackDirectory
from handlers.slack.listeners import SlackHandlers, register_listeners

EVENTS_PATH = "/slack/events"
log = logging.getLogger(__name__)


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """A Web API client that honours SLACK_API_URL and retries 429s after Retry-After."""
    bot_token = token or (settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None)
    base_url = settings.slack_api_url or AsyncWebClient.BASE_URL
    if not base_url.endswith("/"):
        base_url += "/"
    return AsyncWebClient(
        token=bot_token,
        base_url=base_url,
        retry_handlers=[AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=3)],
    )


@dataclass(frozen=True)
class SlackApp:
    """The Bolt app and the pieces the scheduler posts through."""

    bolt: AsyncApp
    port: SlackChatPort
    handlers: SlackHandlers


def build_slack_app(app: App, client: AsyncWebClient | None = None) -> SlackApp:
    """A Bolt AsyncApp with debrief's listeners; nothing is started."""
    settings = app.settings
    client = client or web_client(settings)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    bolt = AsyncApp(client=client, signing_secret=secret, process_before_response=False, name="debrief")
    port = SlackChatPort(client)
    handlers = SlackHandlers(app, port, SlackDirectory(client))
    register_listeners(bolt, handlers)
    return SlackApp(bolt, port, handlers)


class SlackHttpServer:
    """Serves /slack/events (events, slash commands, interactivity) with aiohttp."""

    def __init__(self, bolt: AsyncApp, host: str, port: int) -> None:
        self.bolt = bolt
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Bind and start serving."""
        self._runner = web.AppRunner(self.bolt.web_app(path=EVENTS_PATH, port=self.port))
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        log.info("Slack HTTP endpoint on http://%s:%s%s", self.host, self.port, EVENTS_PATH)

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def serve_slack(app: App, slack: SlackApp, stop: asyncio.Event) -> None:
    """Run Slack in the configured mode until `stop` is set."""
    settings = app.settings
    if settings.slack_mode == "http":
        server = SlackHttpServer(slack.bolt, settings.slack_http_host, settings.slack_http_port)
        await server.start()
        try:
            await stop.wait()
        finally:
            await server.stop()
        return
    assert settings.slack_app_token is not None
    handler = AsyncSocketModeHandler(slack.bolt, settings.slack_app_token.get_secret_value())
    await handler.connect_async()
    log.info("Slack connected over Socket Mode")
    try:
        await stop.wait()
    finally:
        await handler.close_async()
