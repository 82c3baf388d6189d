"""`debrief run --platform discord` as deployed: a separate process connecting to the fake Discord."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

from redis.asyncio import Redis

from bot.identities import Channel, Member
from bot.store import Stores
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.fake_discord import FakeDiscord
from tests.processes import terminate

F = FakeDiscord
TOKEN = "process-token"


async def test_run_platform_discord_end_to_end(redis_url: str, redis: Redis) -> None:
    fake = FakeDiscord(token=TOKEN)
    await fake.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "DEBRIEF_"))}
    env.update(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GUILD_IDS=str(F.GUILD_ID),
        REDIS_URL=redis_url,
        DEBRIEF_HEALTH_PORT="0",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--platform",
        "discord",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await fake.wait_ready(timeout=30)
        await fake.wait_for("PUT", rf"/applications/{F.APP_ID}/guilds/{F.GUILD_ID}/commands", timeout=30)
        built = fake.command_interaction(F.ADMIN_ID, "post")
        await fake.dispatch_interaction(built)
        await fake.wait_for("POST", built.followup_path, timeout=30)
        (thread_call,) = await fake.wait_for("POST", rf"/channels/{F.TEXT_CHANNEL_ID}/messages/\d+/threads")
        thread_id = int(thread_call.response["id"])
        await asyncio.sleep(0.3)  # the THREAD_CREATE reaches the bot
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(thread_id, F.MEMBER_ID, GOOD_ANSWER))
        await fake.wait_for("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me", timeout=30)
        await fake.wait_for("POST", r"/users/@me/channels", timeout=30)
        store = Stores.over(redis)
        streak = await store.standings.streak(
            Member(f"discord:{F.GUILD_ID}", str(F.MEMBER_ID)), datetime.now(UTC).date().toordinal()
        )
        assert streak.current == 1
        assert await store.channels.settings(Channel(f"discord:{F.GUILD_ID}", str(F.TEXT_CHANNEL_ID))) is not None
    finally:
        status, output = await terminate(process)
        await fake.stop()
    assert status == 0, output
