"""Counting what the Slack Web API says: errors by code and 429s, seen by the SDK's own retry machinery."""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import Metrics

PLATFORM = "slack"


class ApiResponseCounter(AsyncRetryHandler):
    """Sees every Web API response first and never retries: counts `ok: false` by error and every 429."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self.metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        """Count what the response says; the handlers after this one decide about retrying."""
        if response is None:
            return False
        if response.status_code == 429:
            self.metrics.rate_limited(PLATFORM)
        body = response.body
        if isinstance(body, dict) and body.get("ok") is False:
            self.metrics.platform_error(PLATFORM, str(body.get("error") or "unknown_error"))
        return False


class CountedRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """The SDK's 429 handler (wait Retry-After, try again), counting each retry it makes."""

    def __init__(self, metrics: Metrics, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.metrics = metrics

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Count the retry, then wait as the SDK does."""
        self.metrics.rate_limit_retry(PLATFORM)
        await super().prepare_for_next_attempt_async(state=state, request=request, response=response, error=error)
