"""Socket Mode: the real Bolt handler connects to the fake Slack's websocket and works through envelopes."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis

from bot.app.adapters import slack_runner
from bot.app.bootstrap import bootstrap
from bot.app.settings import Settings
from bot.identities import Channel
from handlers.slack.server import SlackRunner
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import FakeSlack, event_body
from tests.shipped import shipped_engine


async def test_commands_and_answers_over_socket_mode(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    fake = FakeSlack(admins={"UADMIN"})
    await fake.start()
    monkeypatch.setenv("SLACK_MODE", "socket")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    runner: SlackRunner | None = None
    try:
        async with bootstrap(settings, redis=redis, engine=shipped_engine()) as app:
            runner = slack_runner(app)
            await runner.check()
            await runner.start()
            assert await runner.connected()
            await fake.wait_for("apps.connections.open")
            await fake.wait_for_socket()
            command = {
                "team_id": "T1",
                "channel_id": "C1",
                "user_id": "UADMIN",
                "user_name": "ada",
                "command": "/debrief",
                "text": "post",
                "response_url": fake.response_url("sock"),
                "trigger_id": "t",
                "api_app_id": "A1",
            }
            envelope = await fake.send_envelope("slash_commands", command)
            await fake.wait_for_ack(envelope)
            posted = (await fake.wait_for("chat.postMessage"))[0]
            assert posted["channel"] == "C1"
            assert "Posted today's question" in (await fake.wait_for("response_url"))[0]["text"]

            settings_c1 = await app.channels.settings(_channel())
            assert settings_c1 is not None
            thread_ts = (await app.posts.todays(_channel(), settings_c1))[0].thread_id
            answer = {
                "type": "message",
                "channel": "C1",
                "user": "UMEMBER",
                "text": GOOD_ANSWER,
                "ts": fake.next_ts(),
                "thread_ts": thread_ts,
                "event_ts": str(time.time()),
            }
            await fake.wait_for_ack(await fake.send_envelope("events_api", event_body(answer, event_id="Ev-sock")))
            feedback = (await fake.wait_for("chat.postEphemeral"))[0]
            assert feedback["user"] == "UMEMBER" and "Score" in str(feedback["blocks"])
            await asyncio.wait_for(runner.stop(), 10)
            assert not await runner.connected()
    finally:
        if runner is not None:
            await runner.stop()
        await fake.stop()


def _channel() -> Channel:
    return Channel("slack:T1", "C1")
