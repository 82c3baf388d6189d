"""Run the real debrief Discord bot against the fake Discord, with real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from redis.asyncio import Redis

from bot.app.adapters import discord_bot
from bot.app.bootstrap import Core, bootstrap
from bot.app.settings import Settings
from bot.identities import Channel
from handlers.discord.bot import DebriefBot
from handlers.discord.endpoints import gateway_url
from tests.handlers.discord.fake_discord import BuiltInteraction, Call, FakeDiscord
from tests.shipped import shipped_engine

F = FakeDiscord
TOKEN = "fake-bot-token"
WORKSPACE = f"discord:{F.GUILD_ID}"


@dataclass
class DiscordHarness:
    """The fake Discord, the connected bot, and helpers that act like members."""

    fake: FakeDiscord = field(repr=False)
    app: Core = field(repr=False)
    bot: DebriefBot = field(repr=False)

    async def command(
        self, user_id: int, subcommand: str, options: dict[str, Any] | None = None, channel_id: int = F.TEXT_CHANNEL_ID
    ) -> tuple[Call, Call]:
        """Run `/debrief <subcommand>`; return the deferral and the followup calls."""
        built = self.fake.command_interaction(user_id, subcommand, options or {}, channel_id=channel_id)
        await self.fake.dispatch_interaction(built)
        deferral = (await self.fake.wait_for("POST", built.callback_path))[0]
        followup = (await self.fake.wait_for("POST", built.followup_path))[0]
        return deferral, followup

    async def click(self, user_id: int, custom_id: str) -> BuiltInteraction:
        built = self.fake.component_interaction(user_id, custom_id)
        await self.fake.dispatch_interaction(built)
        return built

    async def post_today(self, channel_id: int = F.TEXT_CHANNEL_ID) -> int:
        """An admin posts today's question; returns the thread id once the bot knows the thread."""
        await self.command(F.ADMIN_ID, "post", channel_id=channel_id)
        settings = await self.app.channels.settings(Channel(WORKSPACE, str(channel_id)))
        assert settings is not None
        prompts = await self.app.posts.todays(Channel(WORKSPACE, str(channel_id)), settings)
        thread_id = int(prompts[0].thread_id or 0)
        for _ in range(200):
            if self.bot.get_channel(thread_id) is not None:
                return thread_id
            await asyncio.sleep(0.01)
        raise AssertionError("the bot never learned about the question's thread")

    async def say(self, thread_id: int, user_id: int, text: str, message_id: int | None = None) -> dict[str, Any]:
        payload = self.fake.message_create(thread_id, user_id, text, message_id=message_id)
        await self.fake.dispatch("MESSAGE_CREATE", payload)
        return payload


def discord_settings(monkeypatch: pytest.MonkeyPatch, fake: FakeDiscord, redis_url: str) -> Settings:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_API_BASE", fake.api_base)
    monkeypatch.setenv("DISCORD_GUILD_IDS", str(F.GUILD_ID))
    monkeypatch.setenv("REDIS_URL", redis_url)
    return Settings(_env_file=None)  # type: ignore[call-arg]


@asynccontextmanager
async def running_discord(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis | None = None
) -> AsyncIterator[DiscordHarness]:
    fake = FakeDiscord(token=TOKEN)
    await fake.start()
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    settings = discord_settings(monkeypatch, fake, redis_url)
    try:
        async with bootstrap(settings, redis=redis, engine=shipped_engine()) as app:
            bot = discord_bot(app, guild_ready_timeout=0.05)
            await bot.login(TOKEN)
            await gateway_url(bot)
            runner = asyncio.create_task(bot.connect(reconnect=False))
            stop_outbox = asyncio.Event()
            outbox = asyncio.create_task(bot.send_kept_replies(stop_outbox))
            try:
                await fake.wait_ready()
                await asyncio.wait_for(bot.wait_until_ready(), 10)
                yield DiscordHarness(fake, app, bot)
            finally:
                stop_outbox.set()
                await outbox
                await bot.close()
                await asyncio.wait_for(runner, 10)
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
        await fake.stop()
