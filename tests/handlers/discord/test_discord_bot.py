"""The real discord.py bot against the fake Discord: commands, daily post, answers, feedback, safety."""

from __future__ import annotations

import asyncio

import pytest

from bot.app.bootstrap import redis_client
from bot.app.embedded_redis import free_port
from bot.channel_settings import SETUP_KEYS
from bot.commands import COACH_KEY, SUBCOMMANDS
from bot.identities import Channel
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.fake_discord import EPHEMERAL
from tests.handlers.discord.harness import WORKSPACE, DiscordHarness, F, running_discord

TEXT = F.TEXT_CHANNEL_ID


def embed_text(call_json: dict) -> str:  # type: ignore[type-arg]
    return str(call_json.get("embeds")) + str(call_json.get("content"))


async def test_commands_are_synced_to_the_configured_server(discord_bot: DiscordHarness) -> None:
    (sync,) = discord_bot.fake.of("PUT", rf"/applications/{F.APP_ID}/guilds/{F.GUILD_ID}/commands")
    group = sync.json[0]
    assert group["name"] == "debrief"
    assert {o["name"] for o in group["options"]} == {*SUBCOMMANDS, "review"}, "every core subcommand, and review"
    setup = next(o for o in group["options"] if o["name"] == "setup")
    assert {o["name"] for o in setup["options"]} == {*SETUP_KEYS, COACH_KEY}
    coach = next(o for o in setup["options"] if o["name"] == COACH_KEY)
    assert [c["value"] for c in coach["choices"]] == ["rules", "model"]
    assert discord_bot.fake.identify is not None
    assert discord_bot.fake.identify["intents"] & (1 << 15), "message content intent"


async def test_admin_setup_is_deferred_ephemeral_and_saved(discord_bot: DiscordHarness) -> None:
    deferral, followup = await discord_bot.command(
        F.ADMIN_ID, "setup", {"time": "07:30", "tz": "Europe/Berlin", "feedback": "public", "reminders": True}
    )
    assert deferral.json == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert "Saved." in embed_text(followup.json)
    settings = await discord_bot.app.channels.settings(Channel(WORKSPACE, str(TEXT)))
    assert settings is not None and settings.timezone == "Europe/Berlin" and settings.reminders


async def test_non_admin_is_refused_and_nothing_changes(discord_bot: DiscordHarness) -> None:
    _, followup = await discord_bot.command(F.MEMBER_ID, "setup", {"time": "06:00"})
    assert "Only workspace admins" in embed_text(followup.json)
    _, followup = await discord_bot.command(F.MEMBER_ID, "post")
    assert "Only workspace admins" in embed_text(followup.json)
    assert await discord_bot.app.channels.settings(Channel(WORKSPACE, str(TEXT))) is None
    assert not discord_bot.fake.of("POST", rf"/channels/{TEXT}/messages")


@pytest.mark.parametrize(
    ("subcommand", "options", "expected"),
    [
        ("setup", {"time": "25:99"}, "`time:25:99`"),
        ("setup", {"tz": "Mars/Olympus"}, "unknown timezone"),
        ("setup", {"days": "someday"}, "unknown day"),
        ("setup", {"difficulty": "7"}, "range like 1-3"),
        ("setup", {"window": "forever"}, "1h to 168h"),
        ("leaderboard", {"board": "fastest"}, "Leaderboards:"),
    ],
)
async def test_garbage_options_get_a_clear_message(
    discord_bot: DiscordHarness,
    subcommand: str,
    options: dict,
    expected: str,  # type: ignore[type-arg]
) -> None:
    _, followup = await discord_bot.command(F.ADMIN_ID, subcommand, options)
    assert expected in embed_text(followup.json)
    assert await discord_bot.app.channels.settings(Channel(WORKSPACE, str(TEXT))) is None


async def test_daily_post_is_an_embed_with_a_thread(discord_bot: DiscordHarness) -> None:
    thread_id = await discord_bot.post_today()
    (post,) = discord_bot.fake.of("POST", rf"/channels/{TEXT}/messages")
    text = embed_text(post.json)
    assert "Judged on" in text and "Time budget" in text
    assert post.json["allowed_mentions"] == {"parse": []}
    assert [c["custom_id"] for row in post.json["components"] for c in row["components"]] == ["today", "review"]
    assert discord_bot.fake.of("POST", rf"/channels/{TEXT}/messages/{thread_id}/threads")
    _, followup = await discord_bot.command(F.ADMIN_ID, "post")
    assert "already posted" in embed_text(followup.json)


async def test_forum_channel_gets_a_new_post(discord_bot: DiscordHarness) -> None:
    forum = F.FORUM_CHANNEL_ID
    thread_id = await discord_bot.post_today(channel_id=forum)
    (created,) = discord_bot.fake.of("POST", rf"/channels/{forum}/threads")
    assert "Judged on" in str(created.json["message"]["embeds"])
    await discord_bot.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
    feedback = (await _wait_feedback(discord_bot, 1))[0]
    assert "1-day streak" in embed_text(feedback.json)


async def test_answer_gets_a_reaction_and_feedback_by_dm(discord_bot: DiscordHarness) -> None:
    thread_id = await discord_bot.post_today()
    answer = await discord_bot.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
    await discord_bot.fake.wait_for("PUT", rf"/channels/{thread_id}/messages/{answer['id']}/reactions/.+/@me")
    (opened,) = await discord_bot.fake.wait_for("POST", r"/users/@me/channels")
    assert opened.json["recipient_id"] in (str(F.MEMBER_ID), F.MEMBER_ID)
    dm = await _wait_feedback(discord_bot, 1)
    assert "1-day streak" in embed_text(dm[0].json)


async def test_closed_dms_fall_back_to_a_button_only_the_author_can_open(discord_bot: DiscordHarness) -> None:
    discord_bot.fake.closed_dms.add(str(F.MEMBER_ID))
    thread_id = await discord_bot.post_today()
    await discord_bot.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
    note = (await discord_bot.fake.wait_for("POST", rf"/channels/{thread_id}/messages"))[0]
    assert "DMs are closed" in embed_text(note.json) and note.json["allowed_mentions"] == {"parse": []}
    custom_id = note.json["components"][0]["components"][0]["custom_id"]
    assert custom_id.startswith("feedback:") and custom_id.endswith(f":{F.MEMBER_ID}")
    stranger = await discord_bot.click(F.OTHER_ID, custom_id)
    refused = (await discord_bot.fake.wait_for("POST", stranger.followup_path))[0]
    assert "belongs to someone else" in embed_text(refused.json)
    owner = await discord_bot.click(F.MEMBER_ID, custom_id)
    shown = (await discord_bot.fake.wait_for("POST", owner.followup_path))[0]
    assert "Score" in embed_text(shown.json) and shown.json["flags"] & EPHEMERAL


async def test_an_edit_is_a_revision(discord_bot: DiscordHarness) -> None:
    thread_id = await discord_bot.post_today()
    answer = await discord_bot.say(thread_id, F.MEMBER_ID, "I decided to cut scope.")
    await discord_bot.fake.wait_for("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me")
    edited = discord_bot.fake.message_update(thread_id, int(answer["id"]), GOOD_ANSWER, author_id=F.MEMBER_ID)
    await discord_bot.fake.dispatch("MESSAGE_UPDATE", edited)
    feedbacks = await _wait_feedback(discord_bot, 2)
    assert "Revision 2 saved" in embed_text(feedbacks[-1].json)
    prompt = (await discord_bot.app.posts.todays(Channel(WORKSPACE, str(TEXT)), await _settings(discord_bot)))[0]
    draft = await discord_bot.app.stores.answers.draft(WORKSPACE, prompt.id, str(F.MEMBER_ID))
    assert draft.messages == ((answer["id"], GOOD_ANSWER),)


async def test_a_duplicate_event_is_handled_once(discord_bot: DiscordHarness) -> None:
    thread_id = await discord_bot.post_today()
    payload = await discord_bot.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
    await discord_bot.fake.dispatch("MESSAGE_CREATE", payload)  # a gateway replay
    await _wait_feedback(discord_bot, 1)
    await asyncio.sleep(0.3)
    assert len(_feedback_calls(discord_bot)) == 1
    assert len(discord_bot.fake.of("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me")) == 1


async def test_mentions_in_an_answer_never_ping(discord_bot: DiscordHarness) -> None:
    await discord_bot.command(F.ADMIN_ID, "setup", {"feedback": "public"})
    thread_id = await discord_bot.post_today()
    text = GOOD_ANSWER + f" @everyone @here <@{F.ADMIN_ID}> <@&{F.ADMIN_ROLE_ID}> I decided to tell @everyone."
    await discord_bot.say(thread_id, F.MEMBER_ID, text)
    reply = (await discord_bot.fake.wait_for("POST", rf"/channels/{thread_id}/messages"))[0]
    assert reply.json["allowed_mentions"]["parse"] == []
    assert reply.json["message_reference"]["message_id"]
    rendered = embed_text(reply.json)
    assert "@everyone" not in rendered.replace("@\u200beveryone", "")
    assert f"<@{F.ADMIN_ID}>" not in rendered and f"<@&{F.ADMIN_ROLE_ID}>" not in rendered


async def test_redis_down_gives_clear_replies(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    dead = redis_client(f"redis://127.0.0.1:{free_port()}/0")
    async with running_discord(monkeypatch, redis_url, dead) as harness:
        _, followup = await harness.command(F.ADMIN_ID, "post")
        assert "database is not reachable" in embed_text(followup.json)
        assert not harness.fake.of("POST", rf"/channels/{TEXT}/messages")
        thread = harness.fake.thread_create(TEXT, "old question")
        await harness.fake.dispatch("THREAD_CREATE", thread)
        for _ in range(100):
            if harness.bot.get_channel(int(thread["id"])):
                break
            await asyncio.sleep(0.01)
        await harness.say(int(thread["id"]), F.MEMBER_ID, GOOD_ANSWER)
        told = (await harness.fake.wait_for("POST", r"/channels/\d+/messages"))[0]
        assert "Could not save your answer" in embed_text(told.json)
    await dead.aclose()


def _feedback_calls(harness: DiscordHarness) -> list:  # type: ignore[type-arg]
    return [c for c in harness.fake.of("POST", r"/channels/\d+/messages") if "Score " in embed_text(c.json)]


async def _wait_feedback(harness: DiscordHarness, count: int) -> list:  # type: ignore[type-arg]
    for _ in range(500):
        found = _feedback_calls(harness)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"wanted {count} feedback messages, got {len(_feedback_calls(harness))}")


async def _settings(harness: DiscordHarness):  # type: ignore[no-untyped-def]
    return await harness.app.channels.settings(Channel(WORKSPACE, str(TEXT)))
