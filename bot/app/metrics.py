"""Prometheus metrics over one CollectorRegistry made at bootstrap, and their text exposition for /metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Feedback is scored and sent within a second or two; Slack retries an event after three.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0)
# A label value taken from a platform error is bounded, so a strange error cannot make unbounded series.
MAX_LABEL_CHARS = 64


class PrometheusMetrics:
    """The core's `Metrics`, recorded in `registry` (one per process; tests make their own)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self._answers = Counter(
            "debrief_answers",
            "Thread messages by what became of them",
            ["platform", "status"],
            registry=r,
        )
        self._latency = Histogram(
            "debrief_feedback_latency_seconds",
            "From an answer event reaching the adapter to the reply call finishing",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._posts = Counter(
            "debrief_daily_posts",
            "Daily post runs by outcome",
            ["platform", "status"],
            registry=r,
        )
        self._claims = Counter(
            "debrief_post_claims", "Races for a channel's daily post: won or lost", ["platform", "result"], registry=r
        )
        self._outbox = Counter(
            "debrief_outbox", "Kept replies: kept, delivered, retried, gave_up", ["platform", "outcome"], registry=r
        )
        self._depth = Gauge(
            "debrief_outbox_depth", "Replies waiting in the outbox (read at scrape time)", ["platform"], registry=r
        )
        self._store_errors = Counter(
            "debrief_store_errors", "Redis failures (StoreUnavailable raised), by action", ["action"], registry=r
        )
        self._platform_errors = Counter(
            "debrief_platform_api_errors",
            "Failed platform API calls: Slack error code, Discord HTTP status",
            ["platform", "error"],
            registry=r,
        )
        self._rate_limited = Counter(
            "debrief_platform_rate_limited", "429 answers from a platform's API", ["platform"], registry=r
        )
        self._rate_limit_retries = Counter(
            "debrief_platform_rate_limit_retries",
            "Calls the platform's client retried after waiting out a 429",
            ["platform"],
            registry=r,
        )

        self._model_requests = Counter(
            "debrief_model_requests", "Requests to the workspace's model, by outcome", ["outcome"], registry=r
        )
        self._model_latency = Histogram(
            "debrief_model_latency_seconds",
            "Time to a model's reply (answered requests)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self._model_tokens = Counter("debrief_model_tokens", "Tokens the model reported using", registry=r)
        self._model_guard = Counter(
            "debrief_model_guard", "What the guard took out of model judgements", ["change"], registry=r
        )

    def answer(self, platform: str, status: str) -> None:
        """Count a handled thread message."""
        self._answers.labels(platform, status).inc()

    def feedback_latency(self, platform: str, seconds: float) -> None:
        """Observe one answer's time to feedback."""
        self._latency.labels(platform).observe(seconds)

    def daily_post(self, platform: str, status: str) -> None:
        """Count a daily post run."""
        self._posts.labels(platform, status).inc()

    def post_claim(self, platform: str, won: bool) -> None:
        """Count a claim race."""
        self._claims.labels(platform, "won" if won else "lost").inc()

    def outbox(self, platform: str, outcome: str) -> None:
        """Count what happened to a kept reply."""
        self._outbox.labels(platform, outcome).inc()

    def store_error(self, action: str) -> None:
        """Count a Redis failure."""
        self._store_errors.labels(action[:MAX_LABEL_CHARS]).inc()

    def platform_error(self, platform: str, error: str) -> None:
        """Count a failed platform call."""
        self._platform_errors.labels(platform, error[:MAX_LABEL_CHARS] or "unknown").inc()

    def rate_limited(self, platform: str) -> None:
        """Count a 429."""
        self._rate_limited.labels(platform).inc()

    def rate_limit_retry(self, platform: str) -> None:
        """Count a retry after a 429."""
        self._rate_limit_retries.labels(platform).inc()

    def model_request(self, outcome: str, seconds: float = 0.0, tokens: int = 0) -> None:
        """Count a model request, its latency and tokens when it answered."""
        self._model_requests.labels(outcome[:MAX_LABEL_CHARS]).inc()
        if seconds:
            self._model_latency.observe(seconds)
        if tokens:
            self._model_tokens.inc(tokens)

    def model_guard(self, quotes_dropped: int, fell_back: int) -> None:
        """Count quotes dropped and criteria returned to the engine's score."""
        self._model_guard.labels("quote_dropped").inc(quotes_dropped)
        self._model_guard.labels("score_fell_back").inc(fell_back)

    def outbox_depth(self, platform: str, depth: int) -> None:
        """Set how many replies wait for a platform."""
        self._depth.labels(platform).set(depth)


class MetricsPage:
    """GET /metrics: refresh the gauges read from Redis, then the registry in Prometheus's text format."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(
        self,
        metrics: PrometheusMetrics,
        platforms: Sequence[str] = (),
        pending: Callable[[str], Awaitable[int]] | None = None,
    ) -> None:
        self.metrics = metrics
        self.platforms = tuple(platforms)
        self.pending = pending

    async def render(self) -> bytes:
        """The exposition; a gauge whose read fails keeps its last value (the store error is counted)."""
        if self.pending is not None:
            for platform in self.platforms:
                try:
                    self.metrics.outbox_depth(platform, await self.pending(platform))
                except Exception:  # a scrape reports what it can
                    continue
        return generate_latest(self.metrics.registry)
