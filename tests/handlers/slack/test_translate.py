"""Slack translation without a network: payloads in, Block Kit out, every piece of text escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.home import HomeView
from bot.replies import (
    Button,
    ChannelMention,
    Command,
    Kind,
    Reply,
    Section,
    Setting,
    code,
    emphasis,
    line,
    say,
    strong,
    text,
)
from bot.store.answers import HistoryItem
from bot.streaks import Streak
from handlers.slack.translate import (
    MAX_BLOCKS,
    MAX_SECTION_CHARS,
    answer_from_event,
    command_from_text,
    command_syntax,
    direct_message_from_event,
    home_view,
    notification,
    readable,
    reply_blocks,
)

PINGS = "<!channel> <!here> <@U999> <https://evil.example|click me> & friends"


def body(event: dict[str, object], team: str = "T1") -> dict[str, object]:
    return {"team_id": team, "event_id": "Ev1", "event": event}


def test_a_thread_reply_is_an_answer_and_chatter_is_not() -> None:
    reply = {
        "type": "message",
        "channel": "C1",
        "user": "U1",
        "text": "I decided <@U2> was right",
        "ts": "2.0",
        "thread_ts": "1.0",
    }
    command = answer_from_event(body(reply))
    assert command is not None
    assert (command.member.workspace, command.member.user_id, command.message_id) == ("slack:T1", "U1", "2.0")
    assert command.thread is not None and command.thread.thread_id == "1.0"
    assert command.text == "I decided @U2 was right", "mentions become plain text before scoring"
    assert answer_from_event(body(reply | {"thread_ts": "2.0"})) is None, "a thread's root is not an answer"
    assert answer_from_event(body(reply | {"bot_id": "B1"})) is None
    assert answer_from_event(body({k: v for k, v in reply.items() if k != "thread_ts"})) is None
    assert answer_from_event(body(reply | {"subtype": "channel_join"})) is None


def test_an_edit_is_read_from_the_changed_message() -> None:
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": "C1",
        "event_ts": "3.0",
        "message": {"user": "U1", "text": "edited", "ts": "2.0", "thread_ts": "1.0"},
    }
    command = answer_from_event(body(edit))
    assert command is not None and command.text == "edited" and command.message_id == "2.0"
    assert command.at == datetime.fromtimestamp(3.0, UTC)


def test_direct_messages_are_mock_answers() -> None:
    dm = {"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "text": "my answer"}
    found = direct_message_from_event(body(dm))
    assert found is not None and found[1:] == ("D1", "my answer", "Ev1")
    assert direct_message_from_event(body(dm | {"thread_ts": "1.0"})) is None


def test_readable_turns_markup_into_words() -> None:
    assert (
        readable("<!channel> <@U1|ann> <#C1|general> <https://x.y|site> &lt;b&gt;") == "@channel @ann #general site <b>"
    )


def test_member_text_never_pings_or_links_anywhere_in_a_reply() -> None:
    reply = Reply(
        PINGS,
        title=PINGS,
        body=(text(PINGS),),
        sections=(Section(PINGS, (text(PINGS, kind=Kind.QUOTES), text(PINGS, kind=Kind.NOTE))),),
        buttons=(Button(PINGS, "act"),),
    )
    marked_up = [el["text"] for block in reply_blocks(reply) for el in _mrkdwn(block)]
    rendered = json.dumps(marked_up) + notification(reply)
    for live in ("<!channel>", "<!here>", "<@U999>", "<https://"):
        assert live not in rendered
    assert "&lt;!channel&gt;" in rendered


def _mrkdwn(block: dict[str, object]) -> list[dict[str, str]]:
    """Every mrkdwn text object of a block (plain_text, such as button labels, is never parsed for mentions)."""
    found = [block["text"]] if isinstance(block.get("text"), dict) else []
    found += [e for e in block.get("elements", []) if isinstance(e, dict) and e.get("type") == "mrkdwn"]  # type: ignore[union-attr]
    return [t for t in found if t.get("type") == "mrkdwn"]


def test_styles_commands_and_settings_use_slack_syntax() -> None:
    reply = say(
        strong("bold"),
        " ",
        emphasis("soft"),
        " ",
        code("id"),
        " ",
        Command("setup", settings=(("time", "09:00"),)),
        " ",
        Setting("tz", "UTC"),
        " ",
        ChannelMention("C123"),
    )
    (section,) = reply_blocks(reply)
    assert section["text"]["text"] == "*bold* _soft_ `id` `/debrief setup time=09:00` `tz=UTC` <#C123>"
    assert command_syntax(Command("mock", ("abandon", "loop"))) == "/debrief mock abandon loop"


def test_lists_quotes_and_notes() -> None:
    reply = Reply(
        "s",
        body=(
            text("a", "b", kind=Kind.BULLETS),
            text("c", kind=Kind.NUMBERED),
            text("d", kind=Kind.QUOTES),
            text("e", kind=Kind.NOTE),
        ),
    )
    blocks = reply_blocks(reply)
    assert blocks[0]["text"]["text"] == "• a\n• b\n1. c\n> \u201cd\u201d"
    assert blocks[1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "e"}]}


def test_limits_hold_for_huge_replies() -> None:
    huge = Reply(
        "s",
        sections=tuple(Section(f"s{i}", (text("x" * 5000),)) for i in range(80)),
        buttons=tuple(Button(f"b{i}", f"a{i}") for i in range(40)),
    )
    blocks = reply_blocks(huge)
    assert len(blocks) <= MAX_BLOCKS and blocks[-1]["type"] == "actions"
    assert all(len(b["text"]["text"]) <= MAX_SECTION_CHARS for b in blocks if b["type"] == "section")
    assert len(blocks[-1]["elements"]) <= 25
    assert len(notification(huge)) < 4000


def test_home_view_shows_streak_points_history_and_links_channels() -> None:
    item = HistoryItem("C1:2026-03-02", "beh-001", datetime(2026, 3, 2, tzinfo=UTC), 1, 3.4, "hire", 22, False, 3.4)
    view = home_view(HomeView(Streak(3, 5, 1), 66, (item,), (("C1", "Tell me <!here> about it"),)))
    rendered = json.dumps(view)
    assert view["type"] == "home" and "3-day streak" in rendered and "*Points:* 66" in rendered
    assert "<#C1>" in rendered and "<!here>" not in rendered and "`beh-001` 3.4/5" in rendered


def test_a_plain_summary_is_used_when_a_reply_has_no_body() -> None:
    assert reply_blocks(Reply("only <@U1> summary"))[0]["text"]["text"] == "only &lt;@U1&gt; summary"
    assert line("a", "b") == ("a", "b")


def test_command_mentions_become_user_ids_and_the_rest_reads_as_typed() -> None:
    assert command_from_text("forget-me <@U0123ABC|fran>") == ("forget-me", (), ("U0123ABC",))
    assert command_from_text("FORGET-ME confirm") == ("forget-me", ("confirm",), ())
    assert command_from_text("setup tz=Europe/Berlin &lt;x&gt;") == ("setup", ("tz=Europe/Berlin", "<x>"), ())
    assert command_from_text("forget-me <@U1> <@U2> <@U1>") == ("forget-me", (), ("U1", "U2"))
