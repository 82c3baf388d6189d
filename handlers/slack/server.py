"""Build the Bolt app and run it: Socket Mode by default, or HTTP on one /slack/events endpoint (plus the install
flow's /slack/install and /slack/oauth_redirect when workspaces install the app)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PlatformUnreachable, StartRefused
from bot.metrics import Metrics
from handlers.slack.chat_port import SlackChatPort, SlackDirectory
from handlers.slack.clients import InstalledWorkspaces, OneWorkspace, WorkspaceClients
from handlers.slack.config import SlackConfig, configure_client, web_client
from handlers.slack.listeners import SlackHandlers, SlackUseCases, register_listeners

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What the install flow asks for: the bot scopes of slack-app-manifest.yml (a test keeps the two equal).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "files:write",
    "reactions:write",
    "users:read",
    "im:write",
    "im:history",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
)
STATE_SECONDS = 600
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
NETWORK_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InstallStores:
    """Where the install flow keeps installations and its state values."""

    installations: AsyncInstallationStore
    states: AsyncOAuthStateStore


@dataclass(frozen=True)
class SlackApp:
    """The Bolt app and the pieces the scheduler posts through."""

    bolt: AsyncApp
    port: SlackChatPort
    handlers: SlackHandlers
    clients: WorkspaceClients


def build_slack_app(config: SlackConfig, core: SlackUseCases, installs: InstallStores | None = None) -> SlackApp:
    """A Bolt AsyncApp with debrief's listeners; nothing is started. With a client id and secret (and `installs`)
    workspaces install it through Bolt's install flow and each speaks with its own bot token."""
    if config.installs:
        if installs is None:
            raise ValueError("the install flow needs stores for installations and states")
        bolt, clients = _installable_app(config, installs, core.metrics)
    else:
        # Bolt builds its own client from the token (handing it one as well makes it warn at every start);
        # debrief then points that client at SLACK_API_URL with its retry policy.
        bolt = AsyncApp(
            token=config.bot_token, signing_secret=config.signing_secret, process_before_response=False, name="debrief"
        )
        clients = OneWorkspace(configure_client(bolt.client, config, core.metrics))
        bolt.event("app_uninstalled")(_removed)
        bolt.event("tokens_revoked")(_removed)
    port = SlackChatPort(clients)
    handlers = SlackHandlers(core, port, SlackDirectory(clients))
    register_listeners(bolt, handlers)
    return SlackApp(bolt, port, handlers, clients)


async def _removed(body: dict[str, Any], event: dict[str, Any]) -> None:
    """One workspace, one token: the app was removed from it (or its token revoked), so SLACK_BOT_TOKEN is dead."""
    log.warning(
        "Slack: %s in workspace %s; SLACK_BOT_TOKEN no longer works there",
        event.get("type"),
        body.get("team_id") or "?",
    )


def _installable_app(
    config: SlackConfig, installs: InstallStores, metrics: Metrics | None = None
) -> tuple[AsyncApp, WorkspaceClients]:
    """Bolt's install flow and its authorize over the installation store; uninstalls and revoked tokens delete
    the workspace's installation."""
    client = web_client(config, None, metrics)  # no token: the flow exchanges codes, authorize finds each workspace's
    settings = AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installs.installations,
        state_store=installs.states,
        state_expiration_seconds=STATE_SECONDS,
    )
    # Bolt's own authorize calls auth.test on every event; cached by token, each workspace's token is tested
    # once per process. The installation is still looked up per event, so an uninstall takes effect at once.
    authorize = AsyncInstallationStoreAuthorize(
        logger=log,
        installation_store=installs.installations,
        client_id=config.client_id,
        client_secret=config.client_secret,
        cache_enabled=True,
        client=client,
    )
    bolt = AsyncApp(
        client=client,
        signing_secret=config.signing_secret,
        authorize=authorize,  # type: ignore[arg-type]  # an AsyncAuthorize is taken as is, though typed as a function
        oauth_flow=AsyncOAuthFlow(client=client, settings=settings),
        process_before_response=False,
        name="debrief",
    )
    bolt.enable_token_revocation_listeners()
    return bolt, InstalledWorkspaces(installs.installations, config, metrics)


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
        if self.bolt.oauth_flow is not None:
            log.info("Slack install page on http://%s:%s%s", self.host, self.port, INSTALL_PATH)

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
        """Verify the tokens with Slack before serving anything (with the install flow there is no token yet: each
        workspace's is checked by Bolt's authorize when it is used)."""
        if not self.config.installs:
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
        """Stop sending kept replies, then close the websocket or stop the endpoint, then the Web API
        connections."""
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
        await self.slack.clients.close()
