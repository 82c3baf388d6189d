"""Peer review on Discord: the answer, the form (a modal), validation, the threaded reply, the helpful mark."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.review.peer_review import AnswerRef
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.fake_discord import Call
from tests.handlers.discord.harness import WORKSPACE, DiscordHarness, F

WEAKER = (
    "I decided to ship the smaller scope first because the deadline was fixed. We cut two features and "
    "the launch went fine, and the team was happy with the result."
)


async def two_answers(harness: DiscordHarness) -> tuple[int, dict[str, Any]]:
    thread = await harness.post_today()
    admin = await harness.say(thread, F.ADMIN_ID, GOOD_ANSWER)
    await harness.fake.wait_for("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me")
    await harness.say(thread, F.MEMBER_ID, WEAKER)
    await harness.fake.wait_for("PUT", r"/channels/\d+/messages/\d+/reactions/.+/@me", 2)
    return thread, admin


def form_button(message: dict[str, Any]) -> str:
    return next(
        c["custom_id"]
        for row in message["components"]
        for c in row["components"]
        if c["custom_id"].startswith("review-form:")
    )


async def open_form(harness: DiscordHarness, user_id: int, shown: dict[str, Any]) -> Call:
    built = harness.fake.component_interaction(user_id, form_button(shown), message=shown)
    await harness.fake.dispatch_interaction(built)
    (callback,) = await harness.fake.wait_for("POST", built.callback_path)
    assert callback.json["type"] == 9, "a modal"
    return callback


async def submit(harness: DiscordHarness, user_id: int, modal: Call, scores: str, comment: str) -> str:
    built = harness.fake.modal_submit_from(
        user_id, modal, {"Scores 1-5 in order, e.g. 4 3 5 2 4": scores, "Why? (at least 20 characters)": comment}
    )
    await harness.fake.dispatch_interaction(built)
    followup = (await harness.fake.wait_for("POST", built.followup_path))[0]
    return str(followup.json["embeds"])


async def show_task(harness: DiscordHarness, user_id: int) -> dict[str, Any]:
    _, followup = await harness.command(user_id, "review")
    assert followup.response is not None
    return dict(followup.response)


async def test_a_full_review_cycle_on_discord(discord_bot: DiscordHarness) -> None:
    thread, admin_answer = await two_answers(discord_bot)
    shown = await show_task(discord_bot, F.MEMBER_ID)
    assert "The answer" in str(shown["embeds"]) and f"|{F.ADMIN_ID}|" in form_button(shown)

    modal = await open_form(discord_bot, F.MEMBER_ID, shown)
    question = discord_bot.app.bank.question(form_button(shown).rsplit("|", 1)[1])
    criteria = len(discord_bot.app.bank.rubric_for(question).criteria)
    rejected = await submit(discord_bot, F.MEMBER_ID, modal, "9 " * criteria, "Clear decision, but no numbers.")
    assert "from 1 to 5" in rejected and "was not saved" in rejected
    modal = await open_form(discord_bot, F.MEMBER_ID, shown)
    rejected = await submit(discord_bot, F.MEMBER_ID, modal, "4 4", "short")
    assert "at least 20 characters" in rejected and "You gave 2 scores" in rejected

    modal = await open_form(discord_bot, F.MEMBER_ID, shown)
    posted = await submit(
        discord_bot, F.MEMBER_ID, modal, " ".join(["4"] * criteria), "Clear decision and numbers; say what you gave up."
    )
    assert "Review posted" in posted
    review = (await discord_bot.fake.wait_for("POST", rf"/channels/{thread}/messages"))[-1]
    assert review.json["message_reference"]["message_id"] in (admin_answer["id"], int(admin_answer["id"]))
    text = str(review.json["embeds"])
    assert "Peer review 1" in text and "peers 4" in text and "rubric" in text
    helpful = next(c["custom_id"] for row in review.json["components"] for c in row["components"])

    modal = await open_form(discord_bot, F.MEMBER_ID, shown)
    again = await submit(discord_bot, F.MEMBER_ID, modal, " ".join(["5"] * criteria), "Second thoughts, even better.")
    assert "already reviewed" in again

    for user, expected in ((F.MEMBER_ID, "Only the answer's author"), (F.ADMIN_ID, "Marked helpful")):
        built = discord_bot.fake.component_interaction(user, helpful, message=dict(review.response))
        await discord_bot.fake.dispatch_interaction(built)
        answer = (await discord_bot.fake.wait_for("POST", built.followup_path))[0]
        assert expected in str(answer.json["embeds"])
    board = await discord_bot.app.stores.standings.leaderboard(WORKSPACE, "reviewers")
    assert [(r.user_id, r.value) for r in board] == [(str(F.MEMBER_ID), 10)]
    summary = await discord_bot.app.reviews.summary(WORKSPACE, _ref(review))
    assert summary.count == 1 and all(c.peer_mean == 4 for c in summary.comparisons)
    assert all(c.difference == round(4 - c.rubric, 1) for c in summary.comparisons)


async def test_self_review_refused_on_discord(discord_bot: DiscordHarness) -> None:
    await two_answers(discord_bot)
    shown = await show_task(discord_bot, F.MEMBER_ID)  # a form for the admin's answer...
    modal = await open_form(discord_bot, F.ADMIN_ID, shown)  # ...opened by the admin
    question = discord_bot.app.bank.question(form_button(shown).rsplit("|", 1)[1])
    scores = " ".join(["4"] * len(discord_bot.app.bank.rubric_for(question).criteria))
    refused = await submit(discord_bot, F.ADMIN_ID, modal, scores, "Reviewing my own answer is not allowed.")
    assert "cannot review your own answer" in refused
    await asyncio.sleep(0.1)
    assert not await discord_bot.app.reviews.store.reviews(WORKSPACE, _prompt_of(shown), str(F.ADMIN_ID))


def _prompt_of(shown: dict[str, Any]) -> str:
    return form_button(shown).removeprefix("review-form:").split("|")[0]


def _ref(review: Call) -> AnswerRef:
    custom = next(c["custom_id"] for row in review.json["components"] for c in row["components"])
    prompt_author, _, _ = custom.removeprefix("helpful:").rpartition("|")
    ref = AnswerRef.parse(prompt_author)
    assert ref is not None
    return ref
