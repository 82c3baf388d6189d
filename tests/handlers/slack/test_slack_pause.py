"""Pause, resume, skip dates and a member's own timezone through the real Slack app and the fake Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from bot.identities import Channel, Member
from scheduler.channel_jobs import ChannelJobs
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import event_body
from tests.handlers.slack.harness import SlackHarness, running_slack
from tests.scheduler.replicas import tick

MONDAY_MORNING = datetime(2026, 4, 6, 8, 50, tzinfo=UTC)
CHANNEL = Channel("slack:T1", "C1")


class Replies:
    """The command replies Slack received through response URLs, read one at a time."""

    def __init__(self, slack: SlackHarness) -> None:
        self.slack = slack
        self.seen = 0

    async def after(self, text: str, user_id: str) -> str:
        await self.slack.command(text, user_id, key=f"k{self.seen}")
        self.seen += 1
        return str((await self.slack.responses(self.seen))[-1]["text"])


async def answer(slack: SlackHarness, user_id: str, event_id: str) -> None:
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None
    thread_ts = str((await slack.app.posts.todays(CHANNEL, settings))[0].thread_id)
    event = {
        "type": "message",
        "channel": "C1",
        "user": user_id,
        "text": GOOD_ANSWER,
        "ts": slack.fake.next_ts(),
        "thread_ts": thread_ts,
        "event_ts": slack.fake.next_ts(),
    }
    sent = len(slack.fake.of("chat.postEphemeral"))
    await slack.post(json.dumps(event_body(event, event_id=event_id)), "application/json")
    await slack.fake.wait_for("chat.postEphemeral", sent + 1)


async def test_a_paused_week_with_a_holiday_keeps_the_streak(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        async with running_slack(monkeypatch, redis_url, redis) as slack:
            replies = Replies(slack)
            saved = await replies.after(
                "setup time=09:00 tz=UTC days=daily window=12h reminders=on skip=2026-04-08", "UADMIN"
            )
            assert "skip=2026-04-08" in saved
            jobs = ChannelJobs(
                slack.app.scheduled, {"slack": slack.slack.port}, scheduler=AsyncIOScheduler(timezone="UTC")
            )
            await jobs.start()
            for day in range(5):  # Monday to Friday; Wednesday is the skip date
                if day == 1:
                    assert "Paused through 2026-04-13" in await replies.after("pause 7d", "UMEMBER")
                if day == 4:
                    assert "Your pause has ended" in await replies.after("resume", "UMEMBER")
                traveller.shift(timedelta(minutes=11))  # 09:01
                await tick([jobs])
                if day in (0, 4):
                    await answer(slack, "UMEMBER", f"Ev-{day}")
                traveller.shift(timedelta(hours=9))  # 18:01, reminder time
                await tick([jobs])
                traveller.shift(timedelta(hours=3))  # 21:01, the window has closed
                await tick([jobs])
                traveller.shift(timedelta(hours=11, minutes=49))  # 08:50 the next day
            await jobs.stop()
            streak = await replies.after("streak", "UMEMBER")
    posts = slack.fake.of("chat.postMessage")
    questions = [p for p in posts if not p.get("thread_ts")]
    assert len(questions) == 4, "no question on the skip date"
    assert not [p for p in posts if "Streaks at risk" in str(p.get("text"))], "the only streak was paused"
    assert "2-day streak" in streak, "three missed question days while paused broke nothing"


async def test_pause_resume_and_me_replies_are_clear_and_garbage_changes_nothing(slack: SlackHarness) -> None:
    replies = Replies(slack)
    member = Member("slack:T1", "UMEMBER")
    assert "Nothing was changed" in await replies.after("pause 45d", "UMEMBER")
    assert "Nothing was changed" in await replies.after("pause until=2026-02-30", "UMEMBER")
    assert await slack.app.stores.members.pause_of(member) is None
    assert "You are not paused" in await replies.after("resume", "UMEMBER")
    refused = await replies.after("me tz=<!channel>", "UMEMBER")
    assert "unknown timezone" in refused and "<!channel>" not in refused
    assert "unknown timezone" in await replies.after("me tz=" + "Europe/" * 40, "UMEMBER")
    assert await slack.app.stores.members.zone(member) is None
    saved = await replies.after("me tz=Asia/Tokyo", "UMEMBER")
    assert saved.startswith("Saved.") and "tz=Asia/Tokyo" in saved
    assert "Your today:" in await replies.after("me", "UMEMBER")
    assert "Paused through" in await replies.after("pause 3d", "UMEMBER")
    shown = await replies.after("help", "UMEMBER")
    assert "/debrief pause 7d" in shown and "/debrief resume" in shown and "/debrief me tz=Area/City" in shown
    assert "skip=YYYY-MM-DD" in shown
