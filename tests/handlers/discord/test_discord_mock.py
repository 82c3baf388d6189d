"""Mock interviews on Discord: in DMs, or in a private thread when the member's DMs are closed."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.identities import Member
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.fake_discord import Call
from tests.handlers.discord.harness import DiscordHarness, F, running_discord


def texts(calls: list[Call]) -> list[str]:
    return [str(c.json.get("embeds")) + str(c.json.get("content")) for c in calls]


async def dm_channel(harness: DiscordHarness) -> int:
    (opened,) = await harness.fake.wait_for("POST", r"/users/@me/channels")
    return int(opened.response["id"])


async def wait_texts(harness: DiscordHarness, path: str, count: int) -> list[str]:
    return texts(await harness.fake.wait_for("POST", path, count))


async def test_a_behavioral_round_in_dms_with_a_follow_up(discord_bot: DiscordHarness) -> None:
    _, followup = await discord_bot.command(F.MEMBER_ID, "mock", {"round": "behavioral"})
    assert "direct messages" in str(followup.json["embeds"])
    channel = await dm_channel(discord_bot)
    path = rf"/channels/{channel}/messages"
    assert "Question 1 of 3" in (await wait_texts(discord_bot, path, 1))[0]
    weak = "We worked hard as a team and it went well. Everyone was happy with it."
    await discord_bot.fake.dispatch("MESSAGE_CREATE", discord_bot.fake.message_create(channel, F.MEMBER_ID, weak))
    assert "Follow-up:" in (await wait_texts(discord_bot, path, 2))[1]
    sent = 2
    for _ in range(8):
        await discord_bot.fake.dispatch(
            "MESSAGE_CREATE", discord_bot.fake.message_create(channel, F.MEMBER_ID, GOOD_ANSWER)
        )
        sent += 1
        latest = await wait_texts(discord_bot, path, sent)
        if any("Hiring-manager behavioral round:" in t for t in latest):
            break
    assert any("Hiring-manager behavioral round:" in t and "Fix first" in t for t in latest)


async def test_closed_dms_run_the_mock_in_a_private_thread_strangers_ignored(discord_bot: DiscordHarness) -> None:
    discord_bot.fake.closed_dms.add(str(F.MEMBER_ID))
    _, followup = await discord_bot.command(F.MEMBER_ID, "mock", {"round": "metrics"})
    assert "private thread" in str(followup.json["embeds"])
    (created,) = await discord_bot.fake.wait_for("POST", rf"/channels/{F.TEXT_CHANNEL_ID}/threads")
    assert created.json["type"] == 12 and created.json.get("invitable") is False
    thread_id = int(created.response["id"])
    await discord_bot.fake.wait_for("PUT", rf"/channels/{thread_id}/thread-members/{F.MEMBER_ID}")
    path = rf"/channels/{thread_id}/messages"
    assert "Question 1 of 3" in (await wait_texts(discord_bot, path, 1))[0]
    for _ in range(200):
        if discord_bot.bot.get_channel(thread_id):
            break
        await asyncio.sleep(0.01)
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", discord_bot.fake.message_create(thread_id, F.OTHER_ID, GOOD_ANSWER)
    )
    await asyncio.sleep(0.3)
    assert len(discord_bot.fake.of("POST", path)) == 1, "a stranger's message in the mock thread is ignored"
    await discord_bot.fake.dispatch(
        "MESSAGE_CREATE", discord_bot.fake.message_create(thread_id, F.MEMBER_ID, GOOD_ANSWER)
    )
    reply = (await wait_texts(discord_bot, path, 2))[1]
    assert "Question 2 of 3" in reply or "Follow-up:" in reply


async def test_restart_mid_session_and_expiry(monkeypatch: pytest.MonkeyPatch, redis_url: str, redis: Redis) -> None:
    async with running_discord(monkeypatch, redis_url, redis) as first:
        await first.command(F.MEMBER_ID, "mock", {"round": "system_design"})
        await dm_channel(first)
    async with running_discord(monkeypatch, redis_url, redis) as second:
        await second.command(F.MEMBER_ID, "mock", {"round": "repeat"})
        channel = await dm_channel(second)
        repeated = (await wait_texts(second, rf"/channels/{channel}/messages", 1))[0]
        assert "Question 1 of 3" in repeated
        key = f"debrief:{{discord:users}}:mock:{F.MEMBER_ID}:session"
        assert await redis.ttl(key) > 0
        await redis.delete(key)  # what 48 hours idle does
        await second.fake.dispatch("MESSAGE_CREATE", second.fake.message_create(channel, F.MEMBER_ID, GOOD_ANSWER))
        told = (await wait_texts(second, rf"/channels/{channel}/messages", 2))[1]
        assert "No mock interview is open" in told
    assert await second.app.mocks.store.session(Member("discord:users", str(F.MEMBER_ID))) is None


async def test_garbage_round_names(discord_bot: DiscordHarness) -> None:
    _, followup = await discord_bot.command(F.MEMBER_ID, "mock", {"round": "karaoke"})
    assert "Unknown round `karaoke`" in str(followup.json["embeds"])
    assert not discord_bot.fake.of("POST", r"/users/@me/channels")


async def test_mock_loop_advances_through_the_five_rounds(discord_bot: DiscordHarness) -> None:
    await discord_bot.command(F.MEMBER_ID, "mock", {"round": "loop"})
    channel = await dm_channel(discord_bot)
    path = rf"/channels/{channel}/messages"
    latest = await wait_texts(discord_bot, path, 1)
    for _ in range(40):
        if any("Full loop:" in t for t in latest):
            break
        before = len(discord_bot.fake.of("POST", path))
        await discord_bot.fake.dispatch(
            "MESSAGE_CREATE", discord_bot.fake.message_create(channel, F.MEMBER_ID, GOOD_ANSWER)
        )
        latest = await wait_texts(discord_bot, path, before + 1)
        await asyncio.sleep(0.05)  # a long scorecard may arrive as several messages
        latest = texts(discord_bot.fake.of("POST", path))
    transcript = "\n".join(latest)
    assert "Recruiter screen round:" in transcript and "Leadership principles panel round:" in transcript
    assert "Full loop:" in transcript
