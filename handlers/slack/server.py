"""Build the Bolt app and run it: Socket Mode by default, or HTTP on one /slack/events endpoint."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
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

from bot.errors import PlatformUnreachable, StartRefused
from bot.metrics import Metrics
from handlers.slack.api_metrics import ApiResponseCounter, CountedRateLimitRetryHandler
from handlers.slack.chat_port import SlackChatPort, SlackDirectory
from handlers.slack.listeners import SlackHandlers, SlackUseCases, register_listeners

EVENTS_PATH = "/slack/events"
# Errors auth.test and apps.connections.open give for credentials that will never work.
REJECTED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "not_allowed_token_type",
        "invalid_token",
    }
)
RATE_LIMIT_RETRIES = 3
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackConfig:
    """How to reach and serve Slack (from SLACK_* settings)."""

    bot_token: str | None
    app_token: str | None = None
    signing_secret: str = ""
    mode: str = "socket"
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    api_url: str | None = None

    @property
    def api_base(self) -> str:
        """The Web API base URL, ending in a slash."""
        base = self.api_url or AsyncWebClient.BASE_URL
        return base if base.endswith("/") else base + "/"


def configure_client(client: AsyncWebClient, config: SlackConfig, metrics: Metrics | None = None) -> AsyncWebClient:
    """Point a Web API client at SLACK_API_URL and have it retry connection errors and 429s (Retry-After),
    counting API errors, 429s and retries in `metrics` when given."""
    client.base_url = config.api_base
    if metrics is None:
        client.retry_handlers = [
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ]
    else:
        client.retry_handlers = [
            ApiResponseCounter(metrics),
            AsyncConnectionErrorRetryHandler(),
            CountedRateLimitRetryHandler(metrics, max_retry_count=RATE_LIMIT_RETRIES),
        ]
    return client


def web_client(config: SlackConfig, token: str | None = None) -> AsyncWebClient:
    """A configured Web API client with the bot token (or `token`)."""
    return configure_client(AsyncWebClient(token=token or config.bot_token), config)


@dataclass(frozen=True)
class SlackApp:
    """The Bolt app and the pieces the scheduler posts through."""

    bolt: AsyncApp
    port: SlackChatPort
    handlers: SlackHandlers


def build_slack_app(config: SlackConfig, core: SlackUseCases) -> SlackApp:
    """A Bolt AsyncApp with debrief's listeners; nothing is started."""
    # Bolt builds its own client from the token (handing it one as well makes it warn at every start);
    # debrief then points that client at SLACK_API_URL with its retry policy.
    bolt = AsyncApp(
        token=config.bot_token, signing_secret=config.signing_secret, process_before_response=False, name="debrief"
    )
    client = configure_client(bolt.client, config, core.metrics)
    port = SlackChatPort(client)
    handlers = SlackHandlers(core, port, SlackDirectory(client))
    register_listeners(bolt, handlers)
    return SlackApp(bolt, port, handlers)


async def check_credentials(config: SlackConfig, client: AsyncWebClient) -> None:
    """auth.test for the bot token and, in Socket Mode, apps.connections.open for the app token."""
    await _call("SLACK_BOT_TOKEN", client.auth_test())
    if config.mode == "socket" and config.app_token is not None:
        app_client = configure_client(AsyncWebClient(token=None), config)
        await _call("SLACK_APP_TOKEN", app_client.apps_connections_open(app_token=config.app_token))


async def _call(setting: str, request: object) -> None:
    try:
        await request  # type: ignore[misc]
    except SlackApiError as exc:
        error = str(exc.response.get("error", "unknown_error"))
        if error in REJECTED:
            raise StartRefused(setting, f"Slack rejected the token ({error})") from None
        raise PlatformUnreachable("Slack", error) from None
    except NETWORK_ERRORS as exc:
        raise PlatformUnreachable("Slack", exc) from None


@web.middleware
async def refuse_malformed_timestamps(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A request whose X-Slack-Request-Timestamp is not a number cannot be signed by Slack: 401, not a crash
    in the signature check."""
    stamp = request.headers.get("X-Slack-Request-Timestamp", "")
    if request.path == EVENTS_PATH and not (stamp.isascii() and stamp.isdigit()):
        return web.Response(status=401, text="invalid request timestamp")
    return await handler(request)


class SlackHttpServer:
    """Serves /slack/events (events, slash commands, interactivity) with aiohttp."""

    def __init__(self, bolt: AsyncApp, host: str, port: int) -> None:
        self.bolt = bolt
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Bind and start serving; a port in use is a settings problem."""
        app = self.bolt.web_app(path=EVENTS_PATH, port=self.port)
        app.middlewares.append(refuse_malformed_timestamps)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            await self.stop()
            raise StartRefused(
                "SLACK_HTTP_PORT", f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc})"
            ) from None
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

    def __init__(self, slack: SlackApp, config: SlackConfig) -> None:
        self.slack = slack
        self.config = config
        self.port = slack.port
        self._http: SlackHttpServer | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._stop_outbox = asyncio.Event()
        self._outbox: asyncio.Task[None] | None = None

    async def check(self) -> None:
        """Verify the tokens with Slack before serving anything."""
        await check_credentials(self.config, self.slack.bolt.client)

    async def start(self) -> None:
        """Open the Socket Mode connection (it reconnects by itself), or start the HTTP endpoint; then send what
        the outbox keeps."""
        await self._serve()
        self._outbox = asyncio.create_task(self.slack.handlers.send_kept_replies(self._stop_outbox))

    async def _serve(self) -> None:
        if self.config.mode == "http":
            self._http = SlackHttpServer(self.slack.bolt, self.config.http_host, self.config.http_port)
            await self._http.start()
            return
        assert self.config.app_token is not None
        self._socket = AsyncSocketModeHandler(self.slack.bolt, self.config.app_token)
        self._socket.client.web_client = configure_client(self._socket.client.web_client, self.config)
        await self._socket.connect_async()  # type: ignore[no-untyped-call]  # slack_bolt leaves it unannotated
        log.info("Slack connected over Socket Mode")

    async def connected(self) -> bool:
        """Socket Mode: the websocket is up; HTTP mode: the endpoint is serving."""
        if self._socket is not None:
            return bool(await self._socket.client.is_connected())
        return self._http is not None and self._http.serving

    async def stop(self) -> None:
        """Stop sending kept replies, then close the websocket or stop the endpoint."""
        self._stop_outbox.set()
        if self._outbox is not None:
            await asyncio.gather(self._outbox, return_exceptions=True)
            self._outbox = None
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        if self._http is not None:
            await self._http.stop()
            self._http = None
