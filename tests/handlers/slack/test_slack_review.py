"""Peer review on Slack: the modal, inline errors, one review per reviewer, the thread post, the helpful mark."""

from __future__ import annotations

import json
from typing import Any

from bot.identities import Channel
from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.slack.fake_slack import event_body
from tests.handlers.slack.harness import SlackHarness

CHANNEL = Channel("slack:T1", "C1")
WEAKER = (
    "I decided to ship the smaller scope first because the deadline was fixed. We cut two features and "
    "the launch went fine, and the team was happy with the result."
)


async def two_answers(slack: SlackHarness) -> str:
    thread = await slack.post_today()
    for user, text in (("UADMIN", GOOD_ANSWER), ("UMEMBER", WEAKER)):
        event = {
            "type": "message",
            "channel": "C1",
            "user": user,
            "text": text,
            "ts": slack.fake.next_ts(),
            "thread_ts": thread,
            "event_ts": slack.fake.next_ts(),
        }
        await slack.post(json.dumps(event_body(event, event_id=f"Ev-{user}")), "application/json")
    await slack.fake.wait_for("chat.postEphemeral", 2)
    return thread


def submission(view: dict[str, Any], user: str, scores: dict[str, str | None], comment: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        f"crit:{cid}": {"score": {"type": "static_select", "selected_option": {"value": value} if value else None}}
        for cid, value in scores.items()
    }
    values["comment"] = {"text": {"type": "plain_text_input", "value": comment}}
    return {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": user, "name": user.lower()},
        "api_app_id": "A1",
        "trigger_id": "t2",
        "view": {**view, "id": "V1", "state": {"values": values}},
    }


def criteria(view: dict[str, Any]) -> list[str]:
    return [b["block_id"].removeprefix("crit:") for b in view["blocks"] if b.get("block_id", "").startswith("crit:")]


async def test_a_full_review_cycle_with_peers_beside_the_rubric(slack: SlackHarness) -> None:
    thread = await two_answers(slack)
    await slack.command("review", "UMEMBER", key="rv")
    view = (await slack.fake.wait_for("views.open"))[0]["view"]
    assert view["callback_id"] == "review_submit" and view["private_metadata"].endswith("|UADMIN")
    ids = criteria(view)
    assert ids and "The answer" in str(view["blocks"])

    bad = await slack.action(submission(view, "UMEMBER", {ids[0]: None, **{i: "4" for i in ids[1:]}}, "too short"))
    errors = json.loads(await bad.text())
    assert errors["response_action"] == "errors"
    assert set(errors["errors"]) == {f"crit:{ids[0]}", "comment"}
    assert not await slack.app.reviews.store.reviews("slack:T1", view["private_metadata"].split("|")[0], "UADMIN")

    good = await slack.action(
        submission(view, "UMEMBER", {i: "4" for i in ids}, "Clear decision and numbers; say what you gave up.")
    )
    assert good.status == 200 and not (await good.text()).strip()
    posted = [p for p in await slack.fake.wait_for("chat.postMessage", 2) if p.get("thread_ts") == thread]
    review_text = str(posted[-1]["blocks"])
    assert "Peer review 1" in review_text and "peers 4" in review_text and "rubric" in review_text
    helpful_id = next(e["action_id"] for b in posted[-1]["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert helpful_id.startswith("helpful:")

    again = await slack.action(submission(view, "UMEMBER", {i: "5" for i in ids}, "Second thoughts, even better now."))
    assert "already reviewed" in json.dumps(json.loads(await again.text()))

    def click(user: str) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": user},
            "channel": {"id": "C1"},
            "trigger_id": "t3",
            "response_url": slack.fake.response_url(f"h-{user}"),
            "actions": [{"action_id": helpful_id, "type": "button", "value": "x"}],
        }

    await slack.action(click("UMEMBER"))
    await slack.action(click("UADMIN"))
    answers = {r["text"] for r in await slack.fake.wait_for("response_url", 3)}
    assert "Only the answer's author can mark its reviews helpful." in answers
    assert any(a.startswith("Marked helpful") for a in answers)
    board = await slack.app.stores.standings.leaderboard("slack:T1", "reviewers")
    assert [(r.user_id, r.value) for r in board] == [("UMEMBER", 10)], "5 for the review, 5 for helpful"


async def test_self_review_refused_and_nothing_left(slack: SlackHarness) -> None:
    await two_answers(slack)
    prompt = (await slack.app.posts.todays(CHANNEL, await slack.app.channels.settings(CHANNEL)))[0]  # type: ignore[arg-type]
    own = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "UADMIN"},
        "channel": {"id": "C1"},
        "trigger_id": "t4",
        "response_url": slack.fake.response_url("self"),
        "actions": [{"action_id": f"review:{prompt.id}|UADMIN", "type": "button"}],
    }
    await slack.action(own)
    told = (await slack.fake.wait_for("response_url", 2))[-1]
    assert "cannot review your own answer" in told["text"]
    await slack.command("review", "UADMIN", key="rv2")
    assert (await slack.fake.wait_for("views.open"))[0]["view"]["private_metadata"].endswith("|UMEMBER")
    await slack.command("review", "UOTHER", key="nobody")
    await slack.command("review", "UMEMBER", key="member")
    opened = await slack.fake.wait_for("views.open", 3)
    assert opened[-1]["view"]["private_metadata"].endswith("|UADMIN")
