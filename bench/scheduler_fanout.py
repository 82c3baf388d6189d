"""Fan-out at the scheduled minute: time until every channel's daily post has reached a fake Slack Web API
that answers with realistic latency and a workspace-wide rate limit (429 + Retry-After), through the real
scheduler, core and Slack client.

Baseline in the same run: the same client posting the same number of messages directly, with the same
concurrency, against the same limits: the best the rate limit allows.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta

import time_machine
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bench.harness import run_bench
from bot.app.adapters import slack_config
from bot.app.bootstrap import bootstrap
from bot.app.settings import Settings
from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.store.client import redis_client
from handlers.slack.chat_port import SlackChatPort
from handlers.slack.clients import OneWorkspace
from handlers.slack.config import web_client
from scheduler.channel_jobs import ChannelJobs
from tests.handlers.slack.fake_slack import FakeSlack, fake_bot_token


class LimitedSlack(FakeSlack):
    """A fake Slack with network latency and a token bucket on chat.postMessage."""

    latency: float = 0.02
    rate: float = 200.0
    burst: float = 50.0
    _tokens: float = 50.0
    _refilled: float = 0.0

    async def _api(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.latency)
        if request.match_info["method"] == "chat.postMessage":
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._refilled) * self.rate)
            self._refilled = now
            if self._tokens < 1:
                self._record("chat.postMessage#429", {})
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
                )
            self._tokens -= 1
        return await super()._api(request)


async def measure(redis_url: str, channels: int, concurrency: int) -> None:
    fake = LimitedSlack()
    fake._refilled = time.monotonic()
    await fake.start()
    os.environ.update(
        SLACK_MODE="http",
        SLACK_BOT_TOKEN=fake_bot_token("fanout"),
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=fake.api_url,
    )
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    redis = redis_client(redis_url)
    await redis.flushdb()
    try:
        # Baseline: direct posts, same client, same concurrency, same limits.
        client = web_client(slack_config(settings))
        semaphore = asyncio.Semaphore(concurrency)

        async def direct(i: int) -> None:
            async with semaphore:
                await client.chat_postMessage(channel=f"B{i}", text="x")

        started = time.perf_counter()
        await asyncio.gather(*(direct(i) for i in range(channels)))
        ideal = time.perf_counter() - started
        baseline_429 = len(fake.of("chat.postMessage#429"))
        fake.calls.clear()
        await asyncio.sleep(1)  # let the bucket refill

        async with bootstrap(settings, redis=redis) as app:
            every_day = ChannelSettings(weekdays=tuple(range(7)), digest=False)
            for i in range(channels):
                await app.stores.channels.save(Channel("slack:TFAN", f"C{i:04d}"), every_day)
            start = datetime(2026, 4, 7, 8, 59, 59, tzinfo=UTC)
            with time_machine.travel(start, tick=False) as traveller:
                jobs = ChannelJobs(
                    app.scheduled,
                    {"slack": SlackChatPort(OneWorkspace(web_client(slack_config(settings))))},
                    scheduler=AsyncIOScheduler(timezone="UTC"),
                    concurrency=concurrency,
                )
                await jobs.start()
                traveller.shift(timedelta(seconds=1))
                started = time.perf_counter()
                jobs.scheduler.wakeup()
                await fake.wait_for("chat.postMessage", channels, timeout=600)
                elapsed = time.perf_counter() - started
                await jobs.stop()
        ours_429 = len(fake.of("chat.postMessage#429"))
        posted = {p["channel"] for p in fake.of("chat.postMessage")}
        print(
            f"{channels} channels due at 09:00; fake API: {fake.latency * 1000:.0f} ms latency, "
            f"{fake.rate:.0f} posts/s (burst {fake.burst:.0f}), 429 with Retry-After: 1; concurrency {concurrency}"
        )
        analytic = max((channels - fake.burst) / fake.rate, channels * fake.latency / concurrency)
        print(f"what the limits allow, computed:        {analytic:6.2f} s")
        print(f"direct posting, same client:            {ideal:6.2f} s   ({baseline_429} 429s)")
        print(
            f"scheduler -> core -> Slack:             {elapsed:6.2f} s   ({ours_429} 429s)   "
            f"ratio {elapsed / analytic:.2f}x computed, {elapsed / ideal:.2f}x direct   "
            f"distinct channels posted {len(posted)}"
        )
    finally:
        await redis.flushdb()
        await redis.aclose()
        await fake.stop()


if __name__ == "__main__":
    run_bench(measure, __doc__, count_name="channels", count=1000)
