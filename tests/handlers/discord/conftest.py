"""The running Discord bot against the fake Discord, for every test in this package."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.handlers.discord.harness import DiscordHarness, running_discord


@pytest.fixture
async def discord_bot(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis) -> AsyncIterator[DiscordHarness]:
    """The bot, connected and ready."""
    async with running_discord(monkeypatch, redis_url, redis) as harness:
        yield harness
