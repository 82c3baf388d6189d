"""Your data on Discord: `/debrief export` DMs a JSON and a CSV file; `/debrief forget-me` asks with a button only
the member can confirm (also `step:confirm`), and admins can forget a member who left with the `member` option."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

from redis.asyncio import Redis

from bot.identities import Channel, Member, personal
from bot.mock.store import MockStore
from tests.bot.scenario import GOOD_ANSWER, REVIEW_OF_LEAVER, member_with_everything
from tests.handlers.discord.fake_discord import Call
from tests.handlers.discord.harness import WORKSPACE, DiscordHarness, F
from tests.redis_dump import mentions

CHANNEL = Channel(WORKSPACE, str(F.TEXT_CHANNEL_ID))
LEAVER = Member(WORKSPACE, str(F.MEMBER_ID), "Bob Member")
OTHER = Member(WORKSPACE, str(F.OTHER_ID), "Carol Other")


def said(call: Call) -> str:
    return str(call.json.get("embeds")) + str(call.json.get("content"))


def custom_ids(call: Call) -> list[str]:
    return [c["custom_id"] for row in call.json.get("components") or [] for c in row["components"]]


async def press(harness: DiscordHarness, user_id: int, custom_id: str, message: dict[str, Any]) -> Call:
    built = harness.fake.component_interaction(user_id, custom_id, message=message)
    await harness.fake.dispatch_interaction(built)
    return (await harness.fake.wait_for("POST", built.followup_path))[0]


async def test_export_sends_the_files_by_dm(discord_bot: DiscordHarness) -> None:
    await member_with_everything(discord_bot.app, CHANNEL, LEAVER, OTHER)
    _, followup = await discord_bot.command(F.MEMBER_ID, "export")
    assert "in your direct messages" in said(followup)
    dm = discord_bot.fake.dm_channel_id(F.MEMBER_ID)
    (sent,) = await discord_bot.fake.wait_for("POST", rf"/channels/{dm}/messages")
    names = sorted(sent.file_data)
    assert [n.rsplit(".", 1)[1] for n in names] == ["csv", "json"]
    data = json.loads(sent.file_data[names[1]])
    first = data["answers"][0]
    assert first["text"].startswith(GOOD_ANSWER) and first["latest_score"] > 0 and first["verdict"]
    assert first["reviews_received"][0]["comment"] == REVIEW_OF_LEAVER
    assert data["mock_interviews"]["open_session"] is not None, "mocks are kept per person on Discord"
    rows = list(csv.DictReader(io.StringIO(sent.file_data[names[0]].decode())))
    assert rows[0]["answer"].startswith("In March I owned")
    assert sent.json["allowed_mentions"] == {"parse": []}


async def answer_through_discord(harness: DiscordHarness) -> None:
    """LEAVER answers today's question in its thread and a mock question by DM, as the gateway delivers them."""
    thread = await harness.post_today()
    await harness.say(thread, F.MEMBER_ID, GOOD_ANSWER)
    await harness.fake.wait_for("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me")
    dm = harness.fake.dm_channel_id(F.MEMBER_ID)
    await harness.fake.wait_for("POST", rf"/channels/{dm}/messages")  # the answer's feedback
    await harness.fake.dispatch("MESSAGE_CREATE", harness.fake.message_create(dm, F.MEMBER_ID, GOOD_ANSWER))
    mocks = MockStore(harness.app.stores.redis)
    for _ in range(500):  # the mock took the answer once its session moved on
        session = await mocks.session(personal(LEAVER))
        if session is not None and session.version > 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the mock answer sent by DM was never taken")


async def test_forget_me_asks_and_only_the_member_can_confirm(discord_bot: DiscordHarness, redis: Redis) -> None:
    await member_with_everything(discord_bot.app, CHANNEL, LEAVER, OTHER)
    await answer_through_discord(discord_bot)
    _, asked = await discord_bot.command(F.MEMBER_ID, "forget-me")
    assert "cannot be undone" in said(asked)
    (button,) = custom_ids(asked)
    assert button.startswith("forget-me:") and asked.response is not None
    message = dict(asked.response)

    assert "Nothing was deleted" in said(await press(discord_bot, F.OTHER_ID, button, message))
    _, typed = await discord_bot.command(F.OTHER_ID, "forget-me", {"step": "confirm"})
    assert "Nothing was deleted" in said(typed)
    _, refused = await discord_bot.command(F.OTHER_ID, "forget-me", {"member": (6, F.MEMBER_ID)})
    assert "Only workspace admins" in said(refused)
    assert len(await mentions(redis, LEAVER.user_id)) > 20, "nobody else deleted anything"

    done = await press(discord_bot, F.MEMBER_ID, button, message)
    assert "Done" in said(done) and "3 answers with 4 revisions" in said(done)
    assert await mentions(redis, LEAVER.user_id) == []
    assert await discord_bot.app.answers.so_far(OTHER, f"{F.TEXT_CHANNEL_ID}:2026-03-02") is not None


async def test_an_admin_forgets_a_member_who_left(discord_bot: DiscordHarness, redis: Redis) -> None:
    await member_with_everything(discord_bot.app, CHANNEL, LEAVER, OTHER)
    _, asked = await discord_bot.command(F.ADMIN_ID, "forget-me", {"member": (6, F.MEMBER_ID)})
    assert "about that member" in said(asked)
    _, done = await discord_bot.command(F.ADMIN_ID, "forget-me", {"step": "confirm"})
    assert "about that member" in said(done)
    left = await mentions(redis, LEAVER.user_id)
    assert left and all("{discord:users}:mock:" in line for line in left), "only mocks kept per person stay"


async def test_the_new_subcommands_are_synced(discord_bot: DiscordHarness) -> None:
    (sync,) = discord_bot.fake.of("PUT", rf"/applications/{F.APP_ID}/guilds/{F.GUILD_ID}/commands")
    forget = next(o for o in sync.json[0]["options"] if o["name"] == "forget-me")
    assert {o["name"]: o["type"] for o in forget["options"]} == {"step": 3, "member": 6}
    assert any(o["name"] == "export" for o in sync.json[0]["options"])


async def test_export_with_closed_dms_says_so(discord_bot: DiscordHarness) -> None:
    await member_with_everything(discord_bot.app, CHANNEL, LEAVER, OTHER)
    discord_bot.fake.closed_dms.add(str(F.MEMBER_ID))
    _, followup = await discord_bot.command(F.MEMBER_ID, "export")
    assert "could not reach you privately" in said(followup)
