"""`/debrief stats` and "See a strong answer" on Slack: the chart uploaded to the member's DM, the exemplar as an
ephemeral reply to the button, clear replies for everyone else."""

from __future__ import annotations

import json
from typing import Any

from bot.identities import Channel, Member
from bot.progress_chart import progress_chart
from bot.strong_answer import UNKNOWN_BUTTON, strong_exemplar
from handlers.slack.translate import escape
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import event_body
from tests.handlers.slack.harness import SlackHarness
from tests.png import assert_sensible_chart
from tests.redis_dump import settled_keys

CHANNEL = Channel("slack:T1", "C1")
MEMBER = Member("slack:T1", "UMEMBER")


async def answer_today(slack: SlackHarness, user: str = "UMEMBER", text: str = GOOD_ANSWER) -> dict[str, Any]:
    """An admin posts today's question and `user` answers it; the ephemeral feedback."""
    await slack.command("post", "UADMIN", key="post")
    await slack.fake.wait_for("chat.postMessage")
    await slack.fake.wait_for("response_url")  # the post is saved with its thread once the admin is answered
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None
    thread = str((await slack.app.posts.todays(CHANNEL, settings))[0].thread_id)
    ts = slack.fake.next_ts()
    event = {"type": "message", "channel": "C1", "user": user, "text": text, "ts": ts, "thread_ts": thread}
    await slack.post(json.dumps(event_body({**event, "event_ts": ts}, event_id=f"Ev-{user}")), "application/json")
    return (await slack.fake.wait_for("chat.postEphemeral"))[-1]


def click(slack: SlackHarness, user: str, action_id: str, key: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user, "name": user.lower()},
        "channel": {"id": "C1"},
        "container": {"type": "message", "is_ephemeral": True},
        "trigger_id": "t1",
        "response_url": slack.fake.response_url(key),
        "actions": [{"action_id": action_id, "type": "button", "value": action_id}],
    }


def buttons(message: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_stats_uploads_a_chart_of_the_members_stored_scores_to_their_dm(slack: SlackHarness) -> None:
    await answer_today(slack)
    await slack.command("stats", "UMEMBER", key="stats")
    response = (await slack.fake.wait_for("response_url", 2))[-1]
    (upload,) = await slack.fake.wait_for("upload")
    (complete,) = await slack.fake.wait_for("files.completeUploadExternal")
    assert complete["channel_id"] == "DUMEMBER", "the member's own DM: Slack has no ephemeral files"
    assert upload["png"]
    assert_sensible_chart(upload["data"])

    series = await slack.app.progress.series(MEMBER)
    (item,) = await slack.app.answers.history(MEMBER)
    (stored,) = (await slack.app.stores.answers.revisions("slack:T1", item.prompt_id, "UMEMBER"))[-1:]
    assert [score for _, score in series.overall] == [item.score]
    assert {(c.criterion_id, c.weekly[-1]) for c in series.criteria} == {
        (c["id"], float(c["score"])) for c in stored["feedback"]["criteria"]
    }
    assert upload["data"] == progress_chart(series), "the uploaded chart is drawn from exactly these series"

    weakest = series.weakest
    assert weakest is not None
    assert response["response_type"] == "ephemeral"
    assert weakest.name in response["text"] and "direct messages" in response["text"]
    assert weakest.five.split(",")[0] in json.dumps(response["blocks"])


async def test_the_app_home_shows_the_chart_the_member_last_asked_for(slack: SlackHarness) -> None:
    home = {"type": "app_home_opened", "user": "UMEMBER", "channel": "D1", "tab": "home"}
    await answer_today(slack)
    await slack.event({**home, "event_ts": slack.fake.next_ts()}, "Ev-home-before")
    before = (await slack.fake.wait_for("views.publish"))[0]["view"]
    assert not [b for b in before["blocks"] if b["type"] == "image"], "no chart until the member asks for one"
    await slack.command("stats", "UMEMBER", key="stats")
    (complete,) = await slack.fake.wait_for("files.completeUploadExternal")
    file_id = (
        json.loads(complete["files"])[0]["id"] if isinstance(complete["files"], str) else complete["files"][0]["id"]
    )
    await slack.event({**home, "event_ts": slack.fake.next_ts()}, "Ev-home-after")
    after = (await slack.fake.wait_for("views.publish", 2))[1]["view"]
    (image,) = [b for b in after["blocks"] if b["type"] == "image"]
    assert image["slack_file"] == {"id": file_id} and image["alt_text"]


async def test_stats_before_any_answer_is_a_clear_reply_and_no_upload(slack: SlackHarness) -> None:
    await slack.command("stats", "UMEMBER", key="stats")
    (response,) = await slack.fake.wait_for("response_url")
    assert "No answers yet" in response["text"] and response["response_type"] == "ephemeral"
    assert not slack.fake.of("files.getUploadURLExternal") and not slack.fake.of("upload")


async def test_a_refused_upload_still_answers_with_the_words(slack: SlackHarness) -> None:
    await answer_today(slack)
    slack.fake.errors["files.getUploadURLExternal"] = "missing_scope"
    await slack.command("stats", "UMEMBER", key="stats")
    response = (await slack.fake.wait_for("response_url", 2))[-1]
    assert "could not be sent" in response["text"] and "Your progress" in response["text"]


async def test_feedback_has_a_strong_answer_button_that_shows_the_exemplar_privately(slack: SlackHarness) -> None:
    feedback = await answer_today(slack)
    (button,) = [a for a in buttons(feedback) if a.startswith("strong:")]
    await slack.action(click(slack, "UMEMBER", button, "strong"))
    shown = (await slack.fake.wait_for("response_url", 2))[-1]
    assert shown["response_type"] == "ephemeral" and shown["replace_original"] is False
    (item,) = await slack.app.answers.history(MEMBER)
    bank = slack.app.bank
    exemplar = strong_exemplar(bank, bank.question(item.question_id))
    assert exemplar is not None
    blocks = "\n".join(b["text"]["text"] for b in shown["blocks"] if b["type"] == "section")
    assert escape(" ".join(exemplar.text.split()[:12])) in " ".join(blocks.split())
    assert "What a 5 looks like" in blocks and "Your weakest criterion" in blocks
    assert all(len(b["text"]["text"]) <= 3000 for b in shown["blocks"] if b["type"] == "section")


async def test_a_click_without_an_answer_or_with_a_garbage_id_is_told_and_changes_nothing(
    slack: SlackHarness,
) -> None:
    feedback = await answer_today(slack)
    (button,) = [a for a in buttons(feedback) if a.startswith("strong:")]
    # the answer's own writes (name cache, workspace registry) land first
    before = await settled_keys(slack.app.stores.answers.redis)
    await slack.action(click(slack, "UOTHER", button, "other"))
    await slack.action(click(slack, "UMEMBER", "strong:C1:2001-01-01|<!channel>", "garbage"))
    replies = {r["text"] for r in (await slack.fake.wait_for("response_url", 3))[1:]}
    assert any("no answer to this question yet" in r for r in replies)
    assert UNKNOWN_BUTTON.split(",")[0] in " ".join(replies)
    assert "<!channel>" not in json.dumps(slack.fake.of("response_url"))
    assert sorted(await slack.app.stores.answers.redis.keys("*")) == before
