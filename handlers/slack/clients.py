"""Which Web API client speaks for a workspace: the one bot token, or the token its installation holds."""

from __future__ import annotations

from typing import Protocol

import aiohttp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import PlatformRefused
from bot.metrics import Metrics
from handlers.slack.config import SlackConfig, web_client

WEB_API_TIMEOUT_SECONDS = 30  # slack_sdk's own default for one call


class NotInstalled(PlatformRefused):
    """The workspace has no installation of the app (never installed, uninstalled, or its token revoked)."""

    def __init__(self, workspace: str) -> None:
        self.workspace = workspace
        super().__init__("Slack", f"debrief is not installed in {workspace or 'that workspace'}")


class WorkspaceClients(Protocol):
    """Web API clients per workspace (`slack:T…`)."""

    async def for_workspace(self, workspace: str) -> AsyncWebClient:
        """The client with that workspace's bot token; NotInstalled when it has none."""
        ...

    async def installed(self, workspace: str) -> bool:
        """Whether debrief can speak in that workspace now."""
        ...

    async def close(self) -> None:
        """Close the connections the clients keep open."""
        ...


class KeptAlive:
    """One keep-alive HTTP session for every Web API call of an app: without one, slack_sdk opens a new
    connection (and against Slack a new TLS handshake) for each call. Opened on first use, in the running loop."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The open session (a new one after a close)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEB_API_TIMEOUT_SECONDS))
        return self._session

    async def close(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()


class OneWorkspace:
    """Single-workspace token mode: SLACK_BOT_TOKEN speaks for every request."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.kept_alive = KeptAlive()

    async def for_workspace(self, workspace: str) -> AsyncWebClient:
        """The one client, whatever the workspace, on the app's kept-alive connections."""
        self.client.session = self.kept_alive.session()
        return self.client

    async def close(self) -> None:
        """Close the kept-alive connections."""
        await self.kept_alive.close()

    async def installed(self, workspace: str) -> bool:
        """Always: the token was checked at start."""
        return True


class InstalledWorkspaces:
    """Install-flow mode: each workspace's bot token comes from its installation, read from the store each time
    (so an install or uninstall seen by any replica counts at once)."""

    def __init__(self, store: AsyncInstallationStore, config: SlackConfig, metrics: Metrics | None = None) -> None:
        self.store = store
        self.config = config
        self.metrics = metrics
        self.kept_alive = KeptAlive()

    async def _token(self, workspace: str) -> str | None:
        owner = workspace.removeprefix("slack:")
        if not owner or owner == workspace:
            return None
        org = owner.startswith("E")
        bot = await self.store.async_find_bot(
            enterprise_id=owner if org else None, team_id=None if org else owner, is_enterprise_install=org
        )
        return bot.bot_token if bot is not None else None

    async def for_workspace(self, workspace: str) -> AsyncWebClient:
        """A client with the workspace's own bot token."""
        token = await self._token(workspace)
        if not token:
            raise NotInstalled(workspace)
        client = web_client(self.config, token, self.metrics)
        client.session = self.kept_alive.session()
        return client

    async def installed(self, workspace: str) -> bool:
        """Whether the workspace has an installation with a bot token."""
        return bool(await self._token(workspace))

    async def close(self) -> None:
        """Close the kept-alive connections."""
        await self.kept_alive.close()
