"""A full simulated Monday on each fake platform: post on time, answers, reminder, window close, digest."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from bot.answers import SubmitAnswer
from bot.identities import Channel, Member, ThreadRef
from bot.prompts import DailyPrompt, new_prompt
from scheduler.channel_jobs import ChannelJobs
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.harness import WORKSPACE, F, running_discord
from tests.handlers.slack.fake_slack import event_body
from tests.handlers.slack.harness import SlackHarness, running_slack
from tests.scheduler.replicas import tick

MONDAY_MORNING = datetime(2026, 4, 6, 8, 50, tzinfo=UTC)


async def test_a_full_day_on_slack(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis) -> None:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        async with running_slack(monkeypatch, redis_url, redis) as slack:
            await slack.command("setup time=09:00 tz=UTC days=daily window=12h reminders=on", "UADMIN")
            await slack.responses()
            # Yesterday Ada answered, so she has a streak to lose today.
            await slack.app.stores.prompts.save(_yesterday_prompt("slack:T1", "C1"))
            await slack.app.answers.submit(_answer(Member("slack:T1", "UADMIN", "Ada"), "slack:T1", "C1"))
            jobs = ChannelJobs(
                slack.app.scheduled, {"slack": slack.slack.port}, scheduler=AsyncIOScheduler(timezone="UTC")
            )
            await jobs.start()
            traveller.shift(timedelta(minutes=11))  # 09:01
            await tick([jobs])
            posts = await slack.fake.wait_for("chat.postMessage")
            assert posts[0]["channel"] == "C1"
            uploads = await slack.fake.wait_for("upload")
            assert uploads[0]["png"], "the Monday digest carries a PNG chart"
            assert "Weekly digest" in (await slack.fake.wait_for("files.completeUploadExternal"))[0]["initial_comment"]
            thread_ts = await _slack_thread(slack)
            event = {
                "type": "message",
                "channel": "C1",
                "user": "UMEMBER",
                "text": GOOD_ANSWER,
                "ts": slack.fake.next_ts(),
                "thread_ts": thread_ts,
                "event_ts": slack.fake.next_ts(),
            }
            await slack.post(json.dumps(event_body(event, event_id="Ev-day")), "application/json")
            await slack.fake.wait_for("chat.postEphemeral")
            traveller.shift(timedelta(hours=9))  # 18:01, three hours before the close
            await tick([jobs])
            reminder = (await slack.fake.wait_for("chat.postMessage", 2))[1]
            assert reminder["thread_ts"] == thread_ts and "Streaks at risk" in str(reminder["blocks"])
            assert "Ada" in str(reminder["blocks"]) and "<@" not in str(reminder["blocks"])
            traveller.shift(timedelta(hours=3))  # 21:01, the window has closed
            await tick([jobs])
            summary = (await slack.fake.wait_for("chat.postMessage", 3))[2]
            assert summary["thread_ts"] == thread_ts and "1 person answered" in summary["text"]
            await jobs.stop()
    streaks = await slack.app.stores.standings.active_streaks("slack:T1")
    assert [row.user_id for row in streaks] == ["UMEMBER"], "Ada's streak was settled at the close"


async def test_a_full_day_on_discord(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis) -> None:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        async with running_discord(monkeypatch, redis_url, redis) as discord_bot:
            await discord_bot.command(
                F.ADMIN_ID, "setup", {"time": "09:00", "tz": "UTC", "days": "daily", "window": "12h"}
            )
            jobs = ChannelJobs(
                discord_bot.app.scheduled, {"discord": discord_bot.bot.port}, scheduler=AsyncIOScheduler(timezone="UTC")
            )
            await jobs.start()
            traveller.shift(timedelta(minutes=11))
            await tick([jobs])
            text = F.TEXT_CHANNEL_ID
            (thread_call,) = await discord_bot.fake.wait_for("POST", rf"/channels/{text}/messages/\d+/threads")
            thread_id = int(thread_call.response["id"])
            digest = [c for c in discord_bot.fake.of("POST", rf"/channels/{text}/messages") if c.files]
            assert digest and digest[0].files == ["participation.png"]
            for _ in range(200):
                if discord_bot.bot.get_channel(thread_id):
                    break
                await asyncio.sleep(0.01)
            await discord_bot.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
            await discord_bot.fake.wait_for("POST", r"/users/@me/channels")
            traveller.shift(timedelta(hours=12))  # 21:01
            await tick([jobs])
            summary = (await discord_bot.fake.wait_for("POST", rf"/channels/{thread_id}/messages"))[0]
            assert "1 person answered" in str(summary.json["embeds"])
            assert summary.json["allowed_mentions"] == {"parse": []}
            await jobs.stop()
    assert (await discord_bot.app.stores.answers.answered(WORKSPACE, f"{text}:2026-04-06")) != {}


def _yesterday_prompt(workspace: str, channel_id: str) -> DailyPrompt:
    posted = MONDAY_MORNING - timedelta(days=1)
    return new_prompt(Channel(workspace, channel_id), "beh-002", posted.date(), posted, timedelta(hours=12)).model_copy(
        update={"thread_id": "yesterday"}
    )


def _answer(member: Member, workspace: str, channel_id: str) -> SubmitAnswer:
    return SubmitAnswer(
        member,
        "y1",
        GOOD_ANSWER,
        MONDAY_MORNING - timedelta(days=1) + timedelta(minutes=5),
        thread=ThreadRef(Channel(workspace, channel_id), "yesterday"),
    )


async def _slack_thread(slack: SlackHarness) -> str:
    channel = Channel("slack:T1", "C1")
    settings = await slack.app.channels.settings(channel)
    assert settings is not None
    prompts = await slack.app.posts.todays(channel, settings)
    return str(prompts[0].thread_id)
