"""How to reach and serve Slack, and Web API clients configured for it."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.metrics import Metrics
from handlers.slack.api_metrics import ApiResponseCounter, CountedRateLimitRetryHandler

RATE_LIMIT_RETRIES = 3


@dataclass(frozen=True)
class SlackConfig:
    """How to reach and serve Slack (from SLACK_* settings). With a client id and secret instead of a bot token,
    workspaces install the app through the install flow and each has its own bot token."""

    bot_token: str | None = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str = field(default="", repr=False)
    mode: str = "socket"
    http_host: str = "0.0.0.0"
    http_port: int = 3000
    api_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)

    @property
    def api_base(self) -> str:
        """The Web API base URL, ending in a slash."""
        base = self.api_url or AsyncWebClient.BASE_URL
        return base if base.endswith("/") else base + "/"

    @property
    def installs(self) -> bool:
        """Whether workspaces install the app through the install flow (OAuth) rather than one bot token."""
        return self.bot_token is None and self.client_id is not None and self.client_secret is not None


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


def web_client(config: SlackConfig, token: str | None = None, metrics: Metrics | None = None) -> AsyncWebClient:
    """A configured Web API client with the bot token (or `token`)."""
    return configure_client(AsyncWebClient(token=token or config.bot_token), config, metrics)
