"""Odd gateway payloads never stop the bot; an embed that appears is not an edit; the same message under new
ids is one answer; a deleted answer is withdrawn; a failing command ends in one plain reply."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.identities import Channel
from bot.store import keys
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.fake_discord import EPHEMERAL
from tests.handlers.discord.harness import WORKSPACE, DiscordHarness
from tests.handlers.discord.harness import F as Fake
from tests.handlers.discord.test_discord_bot import _feedback_calls, _settings, _wait_feedback, embed_text
from tests.handlers.discord.test_discord_review import form_button, open_form, show_task, submit, two_answers
from tests.handlers.fuzz.payloads import discord_live_tokens, discord_message_problems

TEXT = Fake.TEXT_CHANNEL_ID


async def _prompt_id(harness: DiscordHarness) -> str:
    prompts = await harness.app.posts.todays(Channel(WORKSPACE, str(TEXT)), await _settings(harness))
    return prompts[0].id


async def test_partial_and_authorless_events_are_dropped_and_the_bot_carries_on(
    discord_bot: DiscordHarness, caplog: pytest.LogCaptureFixture
) -> None:
    thread_id = await discord_bot.post_today()
    answer = await discord_bot.say(thread_id, Fake.MEMBER_ID, GOOD_ANSWER)
    await _wait_feedback(discord_bot, 1)
    with caplog.at_level(logging.WARNING):
        # only the embeds changed: no content, author or type
        await discord_bot.fake.dispatch(
            "MESSAGE_UPDATE",
            {"id": answer["id"], "channel_id": str(thread_id), "guild_id": str(Fake.GUILD_ID), "embeds": []},
        )
        no_author = discord_bot.fake.message_create(thread_id, Fake.OTHER_ID, GOOD_ANSWER)
        del no_author["author"]
        await discord_bot.fake.dispatch("MESSAGE_CREATE", no_author)
        await asyncio.sleep(0.2)
    assert discord_bot.bot.ws is not None and discord_bot.bot.ws.open and not discord_bot.bot.is_closed()
    dropped = [r for r in caplog.records if "could not read" in r.getMessage()]
    assert len(dropped) == 2, [r.getMessage() for r in caplog.records]
    await discord_bot.say(thread_id, Fake.OTHER_ID, GOOD_ANSWER)  # still answering
    await _wait_feedback(discord_bot, 2)


async def test_an_update_that_only_adds_an_embed_is_not_a_revision(discord_bot: DiscordHarness) -> None:
    thread_id = await discord_bot.post_today()
    answer = await discord_bot.say(thread_id, Fake.MEMBER_ID, GOOD_ANSWER + " https://example.com/post")
    await _wait_feedback(discord_bot, 1)
    unfurled = dict(answer, embeds=[{"type": "link", "url": "https://example.com/post"}])
    await discord_bot.fake.dispatch("MESSAGE_UPDATE", unfurled)  # edited_timestamp stays null
    await asyncio.sleep(0.3)
    assert len(_feedback_calls(discord_bot)) == 1


async def test_the_same_message_under_new_event_ids_is_one_answer(discord_bot: DiscordHarness) -> None:
    thread_id = await discord_bot.post_today()
    answer = await discord_bot.say(thread_id, Fake.MEMBER_ID, GOOD_ANSWER)
    await _wait_feedback(discord_bot, 1)
    # the same edit delivered again: a new event id (edited timestamp), the same words
    for stamp in ("2026-12-01T10:00:00+00:00", "2026-12-01T10:00:01+00:00", "2026-12-01T10:00:02+00:00"):
        await discord_bot.fake.dispatch("MESSAGE_UPDATE", dict(answer, edited_timestamp=stamp))
    await asyncio.sleep(0.4)
    assert len(_feedback_calls(discord_bot)) == 1


async def test_a_deleted_answer_is_withdrawn_but_keeps_its_streak_day(discord_bot: DiscordHarness) -> None:
    thread_id = await discord_bot.post_today()
    answer = await discord_bot.say(thread_id, Fake.MEMBER_ID, GOOD_ANSWER)
    await _wait_feedback(discord_bot, 1)
    prompt_id = await _prompt_id(discord_bot)
    stores = discord_bot.app.stores
    assert str(Fake.MEMBER_ID) in await stores.answers.answered(WORKSPACE, prompt_id)
    await discord_bot.fake.dispatch(
        "MESSAGE_DELETE", {"id": answer["id"], "channel_id": str(thread_id), "guild_id": str(Fake.GUILD_ID)}
    )
    for _ in range(200):
        if str(Fake.MEMBER_ID) not in await stores.answers.answered(WORKSPACE, prompt_id):
            break
        await asyncio.sleep(0.01)
    assert str(Fake.MEMBER_ID) not in await stores.answers.answered(WORKSPACE, prompt_id)
    _, followup = await discord_bot.command(Fake.MEMBER_ID, "streak")
    assert "1" in embed_text(followup.json)
    _, review = await discord_bot.command(Fake.OTHER_ID, "review")
    assert "nothing to review" in embed_text(review.json).lower() or "no answer" in embed_text(review.json).lower()


async def test_a_failure_outside_the_core_ends_in_one_reply_and_one_log_line(
    discord_bot: DiscordHarness, caplog: pytest.LogCaptureFixture
) -> None:
    channel = Channel(WORKSPACE, str(TEXT))
    await discord_bot.app.stores.redis.set(keys.channel_settings(channel), "{not json")
    with caplog.at_level(logging.WARNING):
        _, followup = await discord_bot.command(Fake.MEMBER_ID, "review")
    assert "Something went wrong" in embed_text(followup.json) and followup.json["flags"] & EPHEMERAL
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]


async def test_feedback_discord_cannot_take_is_kept_and_delivered_once_it_can(discord_bot: DiscordHarness) -> None:
    thread_id = await discord_bot.post_today()
    discord_bot.fake.unavailable.add(("POST", r"/channels/\d+/messages"))
    await discord_bot.say(thread_id, Fake.MEMBER_ID, GOOD_ANSWER)
    for _ in range(300):
        if await discord_bot.app.outbox.store.pending("discord"):
            break
        await asyncio.sleep(0.02)
    assert await discord_bot.app.outbox.store.pending("discord") >= 1
    discord_bot.fake.unavailable.clear()
    for _ in range(500):
        if _feedback_calls(discord_bot) and not await discord_bot.app.outbox.store.pending("discord"):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(1.5)
    attempts = _feedback_calls(discord_bot)
    delivered = [c for c in attempts if c.status == 200]
    assert len(delivered) == 1 and any(c.status == 503 for c in attempts), [c.status for c in attempts]
    assert delivered[0].json["allowed_mentions"] == {"parse": []}
    assert await discord_bot.app.outbox.store.pending("discord") == 0


async def test_a_display_name_that_tries_to_ping_is_shown_inert_in_the_review(discord_bot: DiscordHarness) -> None:
    discord_bot.fake.users[Fake.ADMIN_ID]["global_name"] = "@everyone Eve <@&1180000000000000021>"
    thread, _ = await two_answers(discord_bot)
    shown = await show_task(discord_bot, Fake.MEMBER_ID)
    modal = await open_form(discord_bot, Fake.MEMBER_ID, shown)
    question = discord_bot.app.bank.question(form_button(shown).rsplit("|", 1)[1])
    scores = " ".join(["4"] * len(discord_bot.app.bank.rubric_for(question).criteria))
    assert "Review posted" in await submit(discord_bot, Fake.MEMBER_ID, modal, scores, "Clear decision and a price.")
    review = (await discord_bot.fake.wait_for("POST", rf"/channels/{thread}/messages"))[-1]
    sent = [c.json for c in discord_bot.fake.calls if isinstance(c.json, dict)]
    assert "Eve" in embed_text(review.json)
    problems = [p for body in sent for p in discord_message_problems("sent", body, needs_allowed_mentions=False)]
    assert not [p for p in problems if "live mention" in p], problems


async def test_a_command_option_that_tries_to_ping_is_shown_inert(discord_bot: DiscordHarness) -> None:
    _, followup = await discord_bot.command(Fake.MEMBER_ID, "mock", {"round": "@everyone [x](https://evil.example)"})
    assert not discord_live_tokens(embed_text(followup.json)), embed_text(followup.json)
    assert followup.json["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("odd", ["²", "⑤", "٣", "５"])
async def test_a_digit_lookalike_score_is_refused_on_discord(discord_bot: DiscordHarness, odd: str) -> None:
    await two_answers(discord_bot)
    shown = await show_task(discord_bot, Fake.MEMBER_ID)
    modal = await open_form(discord_bot, Fake.MEMBER_ID, shown)
    question = discord_bot.app.bank.question(form_button(shown).rsplit("|", 1)[1])
    scores = " ".join([odd] + ["4"] * (len(discord_bot.app.bank.rubric_for(question).criteria) - 1))
    told = await submit(discord_bot, Fake.MEMBER_ID, modal, scores, "Clear decision and a real price paid.")
    assert "from 1 to 5" in told and "was not saved" in told, told


async def test_a_time_zone_longer_than_a_file_name_is_an_unknown_time_zone_on_discord(
    discord_bot: DiscordHarness,
) -> None:
    _, followup = await discord_bot.command(Fake.ADMIN_ID, "setup", {"tz": "Europe/" * 50})
    told = embed_text(followup.json).lower()
    assert "unknown timezone" in told and "went wrong" not in told, told
