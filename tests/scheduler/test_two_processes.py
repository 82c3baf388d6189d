"""Two `debrief run` processes against one Redis and one fake Slack post each channel's question once, on time."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from bot.channel_settings import ChannelSettings
from bot.app.embedded_redis import free_port
from bot.identities import Channel
from bot.store import Stores
from tests.handlers.slack.fake_slack import FakeSlack
from tests.processes import terminate


async def test_two_replicas_post_each_channel_once(redis_url: str, redis: Redis) -> None:
    fake = FakeSlack()
    await fake.start()
    store = Stores.over(redis)
    now = datetime.now(UTC)
    soon = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    if (soon - now).total_seconds() < 25:  # leave the processes time to start
        soon += timedelta(minutes=1)
    every_day = tuple(range(7))
    await store.channels.save(Channel("slack:T1", "C-late"), ChannelSettings(
        post_time=(now - timedelta(minutes=3)).time().replace(second=0, microsecond=0), weekdays=every_day))
    await store.channels.save(Channel("slack:T1", "C-soon"), ChannelSettings(
        post_time=soon.time(), weekdays=every_day))
    if soon.date() != now.date() or (now - timedelta(minutes=3)).date() != now.date():
        await fake.stop()
        pytest.skip("too close to midnight UTC for a same-day check")
    processes = []
    for _ in range(2):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "DEBRIEF_"))}
        env.update(SLACK_MODE="http", SLACK_BOT_TOKEN="xoxb-replica", SLACK_SIGNING_SECRET="s",
                   SLACK_API_URL=fake.api_url, REDIS_URL=redis_url, SLACK_HTTP_PORT=str(free_port()),
                   SLACK_HTTP_HOST="127.0.0.1", DEBRIEF_HEALTH_PORT=str(free_port()))
        processes.append(await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--platform", "slack", env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT))
    try:
        await fake.wait_for("chat.postMessage", 1, timeout=30)  # the late channel is caught up at start
        wait = (soon - datetime.now(UTC)).total_seconds() + 20
        await fake.wait_for("chat.postMessage", 2, timeout=wait)
        assert datetime.now(UTC) >= soon - timedelta(seconds=1), "posted at its time, not before"
        await asyncio.sleep(3)  # time for a duplicate to show up, if there were one
    finally:
        stopped = [await terminate(p) for p in processes]
        await fake.stop()
    posts = Counter(str(p["channel"]) for p in fake.of("chat.postMessage"))
    assert posts == Counter({"C-late": 1, "C-soon": 1})
    soon_call = [c for c in fake.calls if c.method == "chat.postMessage" and c.params["channel"] == "C-soon"]
    assert soon_call
    assert [status for status, _ in stopped] == [0, 0], [output for _, output in stopped]
