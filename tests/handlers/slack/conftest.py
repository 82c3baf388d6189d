"""The running Slack app against the fake Slack, for every test in this package."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.handlers.slack.harness import SlackHarness, running_slack


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis) -> AsyncIterator[SlackHarness]:
    """The Bolt app over HTTP, serving signed requests."""
    async with running_slack(monkeypatch, redis_url, redis) as harness:
        yield harness
