"""Two `debrief run` processes against one Redis and one fake Slack post each channel's question once."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from bot.app.embedded_redis import free_port
from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.store import Stores
from tests.handlers.slack.fake_slack import FakeSlack
from tests.processes import terminate


async def test_two_replicas_post_each_channel_once(redis_url: str, redis: Redis) -> None:
    fake = FakeSlack()
    await fake.start()
    store = Stores.over(redis)
    now = datetime.now(UTC)
    every_day = tuple(range(7))
    earlier = (now - timedelta(minutes=3)).time().replace(second=0, microsecond=0)
    if (now - timedelta(minutes=3)).date() != now.date():
        await fake.stop()
        pytest.skip("too close to midnight UTC for a same-day check")
    await store.channels.save(Channel("slack:T1", "C-late"), ChannelSettings(post_time=earlier, weekdays=every_day))
    processes = []
    for _ in range(2):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "DEBRIEF_"))}
        env.update(
            SLACK_MODE="http",
            SLACK_BOT_TOKEN="xoxb-replica",
            SLACK_SIGNING_SECRET="s",
            SLACK_API_URL=fake.api_url,
            REDIS_URL=redis_url,
            SLACK_HTTP_PORT=str(free_port()),
            SLACK_HTTP_HOST="127.0.0.1",
            DEBRIEF_HEALTH_PORT="0",
            DEBRIEF_SCHEDULE_REFRESH_SECONDS="1",
        )
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                "--platform",
                "slack",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
        )
    try:
        await fake.wait_for("chat.postMessage", 1, timeout=30)  # the late channel is caught up at start
        # A channel set up while both replicas run: each picks it up at its next refresh and both race for it.
        await store.channels.save(Channel("slack:T1", "C-new"), ChannelSettings(post_time=earlier, weekdays=every_day))
        await fake.wait_for("chat.postMessage", 2, timeout=30)
        await asyncio.sleep(3)  # time for a duplicate to show up, if there were one
    finally:
        stopped = [await terminate(p) for p in processes]
        await fake.stop()
    posts = Counter(str(p["channel"]) for p in fake.of("chat.postMessage"))
    assert posts == Counter({"C-late": 1, "C-new": 1})
    assert [status for status, _ in stopped] == [0, 0], [output for _, output in stopped]
