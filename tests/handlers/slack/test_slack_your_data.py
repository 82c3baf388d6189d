"""Your data on Slack: `/debrief export` uploads a JSON and a CSV file into the member's DM; `/debrief forget-me`
asks with a button only the member can confirm, then deletes everything about them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

from redis.asyncio import Redis

from tests.bot.scenario import CHANNEL, GOOD_ANSWER, LEAVER, OTHER, REVIEW_OF_LEAVER, member_with_everything
from tests.handlers.slack.fake_slack import event_body
from tests.handlers.slack.harness import SlackHarness
from tests.redis_dump import mentions

JSON = "application/json"


def click(slack: SlackHarness, user: str, action_id: str, key: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "channel": {"id": "C1"},
        "trigger_id": "t-forget",
        "response_url": slack.fake.response_url(key),
        "actions": [{"action_id": action_id, "type": "button", "value": action_id}],
    }


async def reply_to(slack: SlackHarness, count: int) -> dict[str, Any]:
    return (await slack.fake.wait_for("response_url", count))[count - 1]


def buttons(reply: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in reply.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


async def test_export_uploads_a_json_and_a_csv_into_the_members_dm(slack: SlackHarness) -> None:
    await member_with_everything(slack.app)
    await slack.command("export", LEAVER.user_id, key="export")
    told = await reply_to(slack, 1)
    assert told["response_type"] == "ephemeral" and "in your direct messages" in told["text"]
    (opened,) = slack.fake.of("conversations.open")
    assert opened["users"] == LEAVER.user_id
    (completed,) = await slack.fake.wait_for("files.completeUploadExternal")
    assert completed["channel_id"] == f"D{LEAVER.user_id}"
    files = {f["filename"]: f["content"] for f in slack.fake.uploaded.values()}
    json_name = next(name for name in files if name.endswith(".json"))
    data = json.loads(files[json_name])
    assert data["member"]["user_id"] == LEAVER.user_id
    texts = [a["text"] for a in data["answers"]]
    assert texts[0].startswith(GOOD_ANSWER) and data["answers"][0]["latest_score"] > 0
    assert data["answers"][0]["revisions"][0]["feedback"]["criteria"]
    assert data["answers"][0]["reviews_received"][0]["comment"] == REVIEW_OF_LEAVER
    csv_name = next(name for name in files if name.endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(files[csv_name].decode())))
    assert rows[0]["answer"].startswith("In March I owned") and float(rows[0]["best_score"]) > 0


async def answer_through_slack(slack: SlackHarness, redis: Redis) -> None:
    """LEAVER answers today's question in its thread as Slack delivers it (event id, message link, the name
    learned from users.info in the background)."""
    await slack.command("post", "UADMIN", key="post")
    await slack.fake.wait_for("chat.postMessage")
    await slack.fake.wait_for("response_url")  # the admin is told once the question and its thread are saved
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None
    thread = str((await slack.app.posts.todays(CHANNEL, settings))[0].thread_id)
    ts = slack.fake.next_ts()
    event = {"type": "message", "channel": "C1", "user": LEAVER.user_id, "text": GOOD_ANSWER, "ts": ts}
    await slack.post(json.dumps(event_body({**event, "thread_ts": thread, "event_ts": ts}, event_id="Ev-leaver")), JSON)
    await slack.fake.wait_for("chat.postEphemeral")
    await slack.fake.wait_for("users.info")
    for _ in range(500):  # the name Slack gave is stored in the background
        if await redis.hget("debrief:{slack:T1}:names", LEAVER.user_id) == LEAVER.user_id:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the member's name was never learned")


async def test_forget_me_asks_and_only_the_member_can_confirm(slack: SlackHarness, redis: Redis) -> None:
    await member_with_everything(slack.app)
    await answer_through_slack(slack, redis)
    await slack.command("forget-me", LEAVER.user_id, key="ask")
    asked = await reply_to(slack, 2)
    assert "cannot be undone" in asked["text"] and asked["response_type"] == "ephemeral"
    (button,) = buttons(asked)
    assert button.startswith("forget-me:")

    await slack.action(click(slack, OTHER.user_id, button, "stranger"))
    assert "Nothing was deleted" in (await reply_to(slack, 3))["text"]
    await slack.command("forget-me confirm", OTHER.user_id, key="stranger-typed")
    assert "Nothing was deleted" in (await reply_to(slack, 4))["text"]
    await slack.command(f"forget-me <@{LEAVER.user_id}|fran>", "UMEMBER", key="not-admin")
    assert "Only workspace admins" in (await reply_to(slack, 5))["text"]
    assert len(await mentions(redis, LEAVER.user_id)) > 20, "nobody else deleted anything"

    await slack.action(click(slack, LEAVER.user_id, button, "self"))
    done = await reply_to(slack, 6)
    assert done["replace_original"] is True, "the question and its button make way for the outcome"
    assert done["text"].startswith("Done") and "3 answers with 4 revisions" in str(done["blocks"])
    assert await mentions(redis, LEAVER.user_id) == []


async def test_an_admin_forgets_a_member_who_left_by_mention(slack: SlackHarness, redis: Redis) -> None:
    await member_with_everything(slack.app)
    await slack.command("forget-me <@UNOBODY1|ghost>", "UADMIN", key="unknown")
    assert "no data about that member" in (await reply_to(slack, 1))["text"]
    await slack.command(f"forget-me <@{LEAVER.user_id}|fran>", "UADMIN", key="ask")
    asked = await reply_to(slack, 2)
    assert "about that member" in asked["text"]
    await slack.command("forget-me confirm", "UADMIN", key="confirm")
    assert "about that member" in (await reply_to(slack, 3))["text"]
    assert await mentions(redis, LEAVER.user_id) == []
    assert await slack.app.answers.so_far(OTHER, "C1:2026-03-02") is not None


async def test_help_lists_export_and_forget_me(slack: SlackHarness) -> None:
    await slack.command("help", "UMEMBER")
    shown = str((await reply_to(slack, 1))["blocks"])
    assert "/debrief export" in shown and "/debrief forget-me" in shown and "/debrief forget-me @member" in shown
