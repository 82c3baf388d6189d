"""`/debrief stats` and "See a strong answer" on Discord: the chart as an ephemeral attachment, the exemplar as an
ephemeral reply to the button, clear replies for everyone else."""

from __future__ import annotations

from typing import Any

from bot.identities import Member
from bot.progress_chart import progress_chart
from bot.strong_answer import UNKNOWN_BUTTON, strong_exemplar
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.fake_discord import EPHEMERAL
from tests.handlers.discord.harness import WORKSPACE, DiscordHarness, F
from tests.png import assert_sensible_chart
from tests.redis_dump import settled_keys

MEMBER = Member(WORKSPACE, str(F.MEMBER_ID))


async def answer_today(harness: DiscordHarness) -> dict[str, Any]:
    """Today's question, answered by the member; the feedback message in their DMs."""
    thread = await harness.post_today()
    await harness.say(thread, F.MEMBER_ID, GOOD_ANSWER)
    dm = harness.fake.dm_channel_id(F.MEMBER_ID)
    sent = await harness.fake.wait_for("POST", rf"/channels/{dm}/messages")
    assert sent[-1].response is not None
    return dict(sent[-1].response)


def strong_button(message: dict[str, Any]) -> str:
    (custom_id,) = [
        c["custom_id"]
        for row in message.get("components") or []
        for c in row["components"]
        if c["custom_id"].startswith("strong:")
    ]
    return str(custom_id)


async def click(harness: DiscordHarness, user_id: int, custom_id: str, message: dict[str, Any] | None = None) -> str:
    built = harness.fake.component_interaction(user_id, custom_id, message=message)
    await harness.fake.dispatch_interaction(built)
    (deferral,) = await harness.fake.wait_for("POST", built.callback_path)
    assert deferral.json["data"]["flags"] & EPHEMERAL
    (followup,) = await harness.fake.wait_for("POST", built.followup_path)
    assert followup.json["flags"] & EPHEMERAL
    return str(followup.json.get("embeds"))


async def test_stats_sends_an_ephemeral_chart_of_the_members_stored_scores(discord_bot: DiscordHarness) -> None:
    await answer_today(discord_bot)
    deferral, followup = await discord_bot.command(F.MEMBER_ID, "stats")
    assert deferral.json["data"]["flags"] & EPHEMERAL and followup.json["flags"] & EPHEMERAL
    assert list(followup.file_data) == ["progress.png"]
    chart = followup.file_data["progress.png"]
    assert_sensible_chart(chart)
    (embed,) = followup.json["embeds"]
    assert embed["image"]["url"] == "attachment://progress.png"

    series = await discord_bot.app.progress.series(MEMBER)
    (item,) = await discord_bot.app.answers.history(MEMBER)
    (stored,) = (await discord_bot.app.stores.answers.revisions(WORKSPACE, item.prompt_id, MEMBER.user_id))[-1:]
    assert [score for _, score in series.overall] == [item.score]
    assert {(c.criterion_id, c.weekly[-1]) for c in series.criteria} == {
        (c["id"], float(c["score"])) for c in stored["feedback"]["criteria"]
    }
    assert chart == progress_chart(series), "the attached chart is drawn from exactly these series"
    weakest = series.weakest
    assert weakest is not None and weakest.name in str(embed) and "What a 5 looks like" in str(embed)


async def test_stats_before_any_answer_is_a_clear_reply_without_a_file(discord_bot: DiscordHarness) -> None:
    _, followup = await discord_bot.command(F.MEMBER_ID, "stats")
    assert "No answers yet" in str(followup.json["embeds"]) and not followup.file_data


async def test_feedback_has_a_strong_answer_button_that_shows_the_exemplar_privately(
    discord_bot: DiscordHarness,
) -> None:
    feedback = await answer_today(discord_bot)
    shown = await click(discord_bot, F.MEMBER_ID, strong_button(feedback), message=feedback)
    (item,) = await discord_bot.app.answers.history(MEMBER)
    bank = discord_bot.app.bank
    exemplar = strong_exemplar(bank, bank.question(item.question_id))
    assert exemplar is not None
    assert " ".join(exemplar.text.split()[:6]) in " ".join(shown.split())
    assert "Your weakest criterion" in shown and "What a 5 looks like" in shown


async def test_a_click_without_an_answer_or_with_a_garbage_id_is_told_and_changes_nothing(
    discord_bot: DiscordHarness,
) -> None:
    await discord_bot.command(F.ADMIN_ID, "setup", {"feedback": "public"})
    thread = await discord_bot.post_today()
    await discord_bot.say(thread, F.MEMBER_ID, GOOD_ANSWER)
    public = await discord_bot.fake.wait_for("POST", rf"/channels/{thread}/messages")
    assert public[-1].response is not None
    before = await settled_keys(discord_bot.app.stores.answers.redis)  # the answer's late writes land first
    no_answer = await click(discord_bot, F.ADMIN_ID, strong_button(public[-1].response), message=public[-1].response)
    assert "no answer to this question yet" in no_answer
    garbage = await click(discord_bot, F.MEMBER_ID, "strong:1:2001-01-01|@everyone")
    assert UNKNOWN_BUTTON.split(",")[0] in garbage and "@everyone" not in garbage
    assert sorted(await discord_bot.app.stores.answers.redis.keys("*")) == before
