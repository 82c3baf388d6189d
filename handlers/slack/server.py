"""Build the Bolt app and run it: Socket Mode by default, or HTTP on one /slack/events endpoint."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.app.bootstrap import App
from bot.errors import CredentialsRejected, PlatformUnreachable
from bot.app.settings import SettingError, Settings
from handlers.slack.chat_port import SlackChatPort, SlackDirectory
from handlers.slack.listeners import SlackHandlers, register_listeners

EVENTS_PATH = "/slack/events"
# Errors auth.test and apps.connections.open give for credentials that will never work.
REJECTED = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission",
    "missing_scope", "not_allowed_token_type", "invalid_token",
})
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)
log = logging.getLogger(__name__)


def api_base(settings: Settings) -> str:
    """The Web API base URL, ending in a slash."""
    base = settings.slack_api_url or AsyncWebClient.BASE_URL
    return base if base.endswith("/") else base + "/"


def configure_client(client: AsyncWebClient, settings: Settings) -> AsyncWebClient:
    """Point a Web API client at SLACK_API_URL and have it retry connection errors and 429s (Retry-After)."""
    client.base_url = api_base(settings)
    client.retry_handlers = [AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=3)]
    return client


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """A configured Web API client with the bot token (or `token`)."""
    bot_token = token or (settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None)
    return configure_client(AsyncWebClient(token=bot_token), settings)


@dataclass(frozen=True)
class SlackApp:
    """The Bolt app and the pieces the scheduler posts through."""

    bolt: AsyncApp
    port: SlackChatPort
    handlers: SlackHandlers


def build_slack_app(app: App) -> SlackApp:
    """A Bolt AsyncApp with debrief's listeners; nothing is started."""
    settings = app.settings
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    # Bolt builds its own client from the token (handing it one as well makes it warn at every start);
    # debrief then points that client at SLACK_API_URL with its retry policy.
    bolt = AsyncApp(token=token, signing_secret=secret, process_before_response=False, name="debrief")
    client = configure_client(bolt.client, settings)
    port = SlackChatPort(client)
    handlers = SlackHandlers(app, port, SlackDirectory(client))
    register_listeners(bolt, handlers)
    return SlackApp(bolt, port, handlers)


async def check_credentials(settings: Settings, client: AsyncWebClient) -> None:
    """auth.test for the bot token and, in Socket Mode, apps.connections.open for the app token."""
    await _call("SLACK_BOT_TOKEN", client.auth_test())
    if settings.slack_mode == "socket" and settings.slack_app_token is not None:
        app_client = configure_client(AsyncWebClient(token=None), settings)
        await _call("SLACK_APP_TOKEN",
                    app_client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value()))


async def _call(setting: str, request: object) -> None:
    try:
        await request  # type: ignore[misc]
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        if error in REJECTED:
            raise CredentialsRejected(setting, f"Slack rejected the token ({error})") from None
        raise PlatformUnreachable("Slack", error) from None
    except NETWORK_ERRORS as exc:
        raise PlatformUnreachable("Slack", exc) from None


class SlackHttpServer:
    """Serves /slack/events (events, slash commands, interactivity) with aiohttp."""

    def __init__(self, bolt: AsyncApp, host: str, port: int) -> None:
        self.bolt = bolt
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Bind and start serving; a port in use is a settings problem."""
        self._runner = web.AppRunner(self.bolt.web_app(path=EVENTS_PATH, port=self.port), shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            await self.stop()
            raise SettingError("SLACK_HTTP_PORT", f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc})") from None
        log.info("Slack HTTP endpoint on http://%s:%s%s", self.host, self.port, EVENTS_PATH)

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def serving(self) -> bool:
        """Whether the endpoint is up."""
        return self._runner is not None


class SlackRunner:
    """Slack for the process runner: credentials checked first, then Socket Mode or the HTTP endpoint."""

    name = "slack"

    def __init__(self, slack: SlackApp, settings: Settings) -> None:
        self.slack = slack
        self.settings = settings
        self.port = slack.port
        self._http: SlackHttpServer | None = None
        self._socket: AsyncSocketModeHandler | None = None

    async def check(self) -> None:
        """Verify the tokens with Slack before serving anything."""
        await check_credentials(self.settings, self.slack.bolt.client)

    async def start(self) -> None:
        """Open the Socket Mode connection (it reconnects by itself), or start the HTTP endpoint."""
        if self.settings.slack_mode == "http":
            self._http = SlackHttpServer(self.slack.bolt, self.settings.slack_http_host, self.settings.slack_http_port)
            await self._http.start()
            return
        assert self.settings.slack_app_token is not None
        self._socket = AsyncSocketModeHandler(self.slack.bolt, self.settings.slack_app_token.get_secret_value())
        self._socket.client.web_client = configure_client(self._socket.client.web_client, self.settings)
        await self._socket.connect_async()
        log.info("Slack connected over Socket Mode")

    async def connected(self) -> bool:
        """Socket Mode: the websocket is up; HTTP mode: the endpoint is serving."""
        if self._socket is not None:
            return bool(await self._socket.client.is_connected())
        return self._http is not None and self._http.serving

    async def stop(self) -> None:
        """Close the websocket or stop the endpoint."""
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._http is not None:
            await self._http.stop()
            self._http = None
