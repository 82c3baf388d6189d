"""What the bot counts about itself: a small protocol the core and the adapters record through.

The core stays free of any metrics library: the process passes a Prometheus-backed implementation
(`bot.app.metrics`), tests may pass `NoMetrics`. Platforms are label values such as "slack" and "discord".
"""

from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    """The events the bot counts; every method is cheap and never raises."""

    def answer(self, platform: str, status: str) -> None:
        """A message in a question's thread was handled: recorded, duplicate, unsaved, or why not."""

    def feedback_latency(self, platform: str, seconds: float) -> None:
        """Seconds from an answer event reaching the adapter to the reply call finishing."""

    def daily_post(self, platform: str, status: str) -> None:
        """A daily post ran: posted, already_posted or skipped."""

    def post_claim(self, platform: str, won: bool) -> None:
        """A replica raced for a channel's daily post and won or lost the claim."""

    def outbox(self, platform: str, outcome: str) -> None:
        """A kept reply was kept, delivered, retried or given up."""

    def store_error(self, action: str) -> None:
        """Redis failed while doing `action` (StoreUnavailable was raised)."""

    def platform_error(self, platform: str, error: str) -> None:
        """A platform API call failed: Slack's error code, Discord's HTTP status."""

    def rate_limited(self, platform: str) -> None:
        """The platform answered 429."""

    def rate_limit_retry(self, platform: str) -> None:
        """The platform's client waited out a 429 and tried again."""

    def model_request(self, outcome: str, seconds: float = 0.0, tokens: int = 0) -> None:
        """A request to the workspace's model: ok, or why it gave nothing usable (timeout, budget, malformed...)."""

    def model_guard(self, quotes_dropped: int, fell_back: int) -> None:
        """The guard dropped unverifiable quotes and fell back to the engine's score on some criteria."""


class NoMetrics:
    """Counts nothing (practice in a terminal, scripts)."""

    def answer(self, platform: str, status: str) -> None:
        """Count nothing."""

    def feedback_latency(self, platform: str, seconds: float) -> None:
        """Count nothing."""

    def daily_post(self, platform: str, status: str) -> None:
        """Count nothing."""

    def post_claim(self, platform: str, won: bool) -> None:
        """Count nothing."""

    def outbox(self, platform: str, outcome: str) -> None:
        """Count nothing."""

    def store_error(self, action: str) -> None:
        """Count nothing."""

    def platform_error(self, platform: str, error: str) -> None:
        """Count nothing."""

    def rate_limited(self, platform: str) -> None:
        """Count nothing."""

    def rate_limit_retry(self, platform: str) -> None:
        """Count nothing."""

    def model_request(self, outcome: str, seconds: float = 0.0, tokens: int = 0) -> None:
        """Count nothing."""

    def model_guard(self, quotes_dropped: int, fell_back: int) -> None:
        """Count nothing."""


def platform_of(workspace: str) -> str:
    """The platform of a platform-qualified workspace id (`slack:T0123` is "slack")."""
    return workspace.partition(":")[0] or "unknown"
