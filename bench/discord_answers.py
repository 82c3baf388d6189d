"""Latency and throughput from a Discord answer (MESSAGE_CREATE in a question's thread) to the feedback DM
arriving at a fake Discord REST server, beside a bare discord.py bot in the same run that only replies once.
Both are real discord.py clients connected to their own fake gateway on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import time

import discord
from discord.ext import commands
from discord.http import Route

from bench.harness import latency_line, run_bench
from bench.scoring import answer_of
from bot.app.adapters import discord_bot
from bot.app.bootstrap import bootstrap
from bot.app.settings import Settings
from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.store.client import redis_client
from content.loader import load_bank
from handlers.discord.bot import DebriefBot, intents
from handlers.discord.endpoints import gateway_url, use_api_base
from tests.handlers.discord.fake_discord import Call, FakeDiscord

F = FakeDiscord
TOKEN = "bench-token"


class Arrivals:
    """Notes when each author's reply (bare bot) or feedback DM (debrief) reaches the fake."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.at: dict[str, float] = {}
        self.dm_owner: dict[str, str] = {}

    def __call__(self, call: Call) -> None:
        if call.method == "POST" and call.path == "/users/@me/channels" and isinstance(call.response, dict):
            self.dm_owner[str(call.response["id"])] = str((call.json or {}).get("recipient_id"))
            return
        match = re.fullmatch(r"/channels/(\d+)/messages", call.path)
        if call.method != "POST" or not match:
            return
        owner = self.dm_owner.get(match[1])
        content = str((call.json or {}).get("content") or "")
        key = owner or (content.removeprefix("ok ") if content.startswith("ok ") else None)
        if key:
            self.at[key] = time.perf_counter()


class BareBot(commands.Bot):
    """The baseline: one reply per message, nothing else."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!",
            intents=intents(),
            guild_ready_timeout=0.05,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def on_message(self, message: discord.Message) -> None:
        if not message.author.bot:
            await message.channel.send(f"ok {message.author.id}")


async def connect(bot: commands.Bot, fake: FakeDiscord) -> asyncio.Task[None]:
    use_api_base(fake.api_base)
    await bot.login(TOKEN)
    await gateway_url(bot)
    task = asyncio.create_task(bot.connect(reconnect=False))
    await fake.wait_ready()
    await asyncio.wait_for(bot.wait_until_ready(), 10)
    return task


async def drive(
    fake: FakeDiscord, arrivals: Arrivals, thread_id: int, text: str, first_user: int, count: int, concurrency: int
) -> tuple[list[float], float]:
    sent: dict[str, float] = {}
    semaphore = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        user = first_user + i
        async with semaphore:
            sent[str(user)] = time.perf_counter()
            await fake.dispatch("MESSAGE_CREATE", fake.message_create(thread_id, user, text))
            while str(user) not in arrivals.at:
                await asyncio.sleep(0.0005)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    rate = count / (time.perf_counter() - started)
    return [arrivals.at[u] - sent[u] for u in sent], rate


async def measure(redis_url: str, count: int, concurrency: int) -> None:
    ours_fake, bare_fake = FakeDiscord(token=TOKEN), FakeDiscord(token=TOKEN)
    await ours_fake.start()
    await bare_fake.start()
    ours_arrivals, bare_arrivals = Arrivals(ours_fake), Arrivals(bare_fake)
    ours_fake.on_call, bare_fake.on_call = ours_arrivals, bare_arrivals
    os.environ.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=ours_fake.api_base)
    redis = redis_client(redis_url)
    await redis.flushdb()
    text = answer_of(load_bank(), 350)
    try:
        async with bootstrap(Settings(_env_file=None), redis=redis) as app:  # type: ignore[call-arg]
            ours: DebriefBot = discord_bot(app, guild_ready_timeout=0.05)
            ours_task = await connect(ours, ours_fake)
            outcome = await app.posts.post(
                Channel(f"discord:{F.GUILD_ID}", str(F.TEXT_CHANNEL_ID)), ChannelSettings(), ours.port
            )
            assert outcome.prompt is not None
            thread_id = int(outcome.prompt.thread_id or 0)
            while ours.get_channel(thread_id) is None:
                await asyncio.sleep(0.01)
            bare = BareBot()
            bare_task = await connect(bare, bare_fake)
            bare_thread = bare_fake.thread_create(F.TEXT_CHANNEL_ID, "bench")
            await bare_fake.dispatch("THREAD_CREATE", bare_thread)
            while bare.get_channel(int(bare_thread["id"])) is None:
                await asyncio.sleep(0.01)
            Route.BASE = ours_fake.api_base
            await drive(ours_fake, ours_arrivals, thread_id, text, 9_000_000, 20, 1)
            Route.BASE = bare_fake.api_base
            await drive(bare_fake, bare_arrivals, int(bare_thread["id"]), text, 9_000_000, 20, 1)
            print(f"{count} answers of 350 words each; sequential, then {concurrency} at a time")
            for conc in (1, concurrency):
                base = 10_000_000 * (2 if conc > 1 else 1)
                Route.BASE = bare_fake.api_base
                bare_result = await drive(bare_fake, bare_arrivals, int(bare_thread["id"]), text, base, count, conc)
                Route.BASE = ours_fake.api_base
                ours_result = await drive(ours_fake, ours_arrivals, thread_id, text, base, count, conc)
                print(f"-- {'sequential' if conc == 1 else f'concurrency {conc}'}")
                print(latency_line("bare discord.py (1 reply)", *bare_result))
                print(latency_line("debrief (answer -> feedback DM)", *ours_result))
                ratio = statistics.median(ours_result[0]) / statistics.median(bare_result[0])
                print(f"   latency ratio p50 {ratio:.2f}x")
            await ours.close()
            await bare.close()
            await asyncio.gather(ours_task, bare_task, return_exceptions=True)
    finally:
        await redis.flushdb()
        await redis.aclose()
        await ours_fake.stop()
        await bare_fake.stop()


if __name__ == "__main__":
    run_bench(measure, __doc__, count_name="answers", count=300)
