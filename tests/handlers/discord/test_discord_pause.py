"""Pause, resume, skip dates and a member's own timezone through the real discord.py bot and the fake Discord."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from bot.answers import SubmitAnswer
from bot.identities import Channel, Member, ThreadRef
from bot.prompts import new_prompt
from scheduler.channel_jobs import ChannelJobs
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.harness import WORKSPACE, DiscordHarness, F, running_discord
from tests.scheduler.replicas import tick

MEMBER = Member(WORKSPACE, str(F.MEMBER_ID), "Ben")
CHANNEL = Channel(WORKSPACE, str(F.TEXT_CHANNEL_ID))
MONDAY_MORNING = datetime(2026, 4, 6, 8, 50, tzinfo=UTC)


def said(call_json: dict) -> str:  # type: ignore[type-arg]
    return str(call_json.get("embeds")) + str(call_json.get("content"))


async def test_pause_resume_me_and_skip_options_reach_the_core(discord_bot: DiscordHarness) -> None:
    _, refused = await discord_bot.command(F.MEMBER_ID, "pause", {"length": "45d"})
    assert "Nothing was changed" in said(refused.json)
    _, refused = await discord_bot.command(F.MEMBER_ID, "pause", {"length": "2d", "until": "2026-12-01"})
    assert "Nothing was changed" in said(refused.json)
    assert await discord_bot.app.stores.members.pause_of(MEMBER) is None
    _, paused = await discord_bot.command(F.MEMBER_ID, "pause", {"length": "7d"})
    assert "Paused through" in said(paused.json)
    _, resumed = await discord_bot.command(F.MEMBER_ID, "resume")
    assert "Your pause has ended" in said(resumed.json)
    _, bad_zone = await discord_bot.command(F.MEMBER_ID, "me", {"tz": "@everyone"})
    assert "unknown timezone" in said(bad_zone.json) and bad_zone.json["allowed_mentions"] == {"parse": []}
    _, saved = await discord_bot.command(F.MEMBER_ID, "me", {"tz": "Europe/Berlin"})
    assert "Saved." in said(saved.json) and "tz:Europe/Berlin" in said(saved.json)
    assert await discord_bot.app.stores.members.zone(MEMBER) == "Europe/Berlin"
    _, bad_skip = await discord_bot.command(F.ADMIN_ID, "setup", {"skip": "someday"})
    assert "is not a date" in said(bad_skip.json)
    _, skip = await discord_bot.command(F.ADMIN_ID, "setup", {"skip": "2026-12-25,2026-12-24"})
    assert "skip:2026-12-24,2026-12-25" in said(skip.json)
    _, shown = await discord_bot.command(F.MEMBER_ID, "help")
    assert "/debrief pause length:7d" in said(shown.json) and "/debrief me tz:Area/City" in said(shown.json)


async def test_a_members_own_timezone_brings_their_reminder_by_dm_at_six_their_time(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis
) -> None:
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        async with running_discord(monkeypatch, redis_url, redis) as discord_bot:
            await discord_bot.command(
                F.ADMIN_ID, "setup", {"time": "09:00", "tz": "UTC", "days": "daily", "window": "12h", "reminders": True}
            )
            yesterday = MONDAY_MORNING - timedelta(days=1)
            prompt = new_prompt(CHANNEL, "beh-002", yesterday.date(), yesterday, timedelta(hours=12))
            await discord_bot.app.stores.prompts.save(prompt.model_copy(update={"thread_id": "yesterday"}))
            await discord_bot.app.answers.submit(
                SubmitAnswer(MEMBER, "y1", GOOD_ANSWER, yesterday, thread=ThreadRef(CHANNEL, "yesterday"))
            )
            await discord_bot.command(F.MEMBER_ID, "me", {"tz": "Europe/Berlin"})  # 18:00 there is 16:00 UTC
            jobs = ChannelJobs(
                discord_bot.app.scheduled, {"discord": discord_bot.bot.port}, scheduler=AsyncIOScheduler(timezone="UTC")
            )
            await jobs.start()
            traveller.shift(timedelta(minutes=11))  # 09:01, the post
            await tick([jobs])
            traveller.shift(timedelta(hours=6, minutes=57))  # 15:58
            await tick([jobs])
            assert not _reminders(discord_bot)
            traveller.shift(timedelta(minutes=3))  # 16:01
            await tick([jobs])
            for _ in range(500):
                if _reminders(discord_bot):
                    break
                await asyncio.sleep(0.01)
            await jobs.stop()
    (reminder,) = _reminders(discord_bot)
    assert "Your 1-day streak is at risk" in said(reminder.json)
    thread_posts = [
        c for c in discord_bot.fake.of("POST", r"/channels/\d+/messages") if "Streaks at risk" in said(c.json)
    ]
    assert thread_posts == [], "a member with their own timezone is reminded privately, not in the thread"


def _reminders(discord_bot: DiscordHarness) -> list:  # type: ignore[type-arg]
    return [c for c in discord_bot.fake.of("POST", r"/channels/\d+/messages") if "at risk" in said(c.json or {})]
