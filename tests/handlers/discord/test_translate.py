"""Discord translation without a network: messages in, embeds out, within Discord's limits, nothing pings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
import pytest

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
    say,
    strong,
    text,
)
from handlers.discord.translate import (
    DESCRIPTION_LIMIT,
    FIELD_LIMIT,
    MAX_FIELDS,
    TOTAL_LIMIT,
    answer_from_edit,
    command_syntax,
    reply_embeds,
)
from tests.handlers.fuzz.payloads import discord_live_tokens

USER, ROLE = "123456789012345678", "876543210987654321"
PINGS = f"@everyone @here <@{USER}> <@&{ROLE}> **bold** [link](https://evil.example)"


def test_commands_use_discord_options() -> None:
    assert command_syntax(Command("setup", settings=(("time", "09:00"), ("tz", "UTC")))) == (
        "/debrief setup time:09:00 tz:UTC"
    )
    assert command_syntax(Command("mock", ("abandon", "loop"))) == "/debrief mock round:abandon then:loop"
    assert command_syntax(Command("leaderboard", ("streak",))) == "/debrief leaderboard board:streak"
    assert command_syntax(Command("post")) == "/debrief post"
    assert command_syntax(Command("forget-me", ("confirm",))) == "/debrief forget-me step:confirm"
    assert command_syntax(Command("forget-me", ("@member",))) == "/debrief forget-me member:@member"


def test_styles_settings_and_channel_mentions() -> None:
    (embed,) = reply_embeds(
        say(strong("b"), " ", emphasis("e"), " ", code("id"), " ", Setting("tz", "UTC"), " ", ChannelMention("42"))
    )
    assert embed.description == "**b** *e* `id` `tz:UTC` <#42>"


def test_member_text_is_inert_in_every_place() -> None:
    reply = Reply(PINGS, title=PINGS, body=(text(PINGS),), sections=(Section(PINGS, (text(PINGS, kind=Kind.QUOTES),)),))
    rendered = str([e.to_dict() for e in reply_embeds(reply)])
    assert "@everyone" not in rendered.replace("@\u200beveryone", "")
    assert "<@123>" not in rendered.replace("<@\u200b123>", "") and "<@&456>" not in rendered.replace(
        "<@\u200b&456>", ""
    )
    assert "**bold**" not in rendered, "member markdown is escaped"


def test_long_replies_split_into_embeds_within_limits() -> None:
    sections = tuple(Section(f"Section {i}", (text("word " * 400),)) for i in range(40))
    embeds = reply_embeds(Reply("s", title="T", body=(text("x" * 9000),), sections=sections))
    assert len(embeds) > 1
    for embed in embeds:
        assert len(embed) <= TOTAL_LIMIT and len(embed.fields) <= MAX_FIELDS
        assert len(embed.description or "") <= DESCRIPTION_LIMIT
        assert all(len(field.value or "") <= FIELD_LIMIT for field in embed.fields)
    total_words = sum(str(f.value).count("word") for e in embeds for f in e.fields)
    assert total_words == 40 * 400, "nothing is lost, long sections continue in further fields"


@pytest.mark.parametrize("offset", range(6))
def test_a_long_field_is_never_cut_between_an_escape_and_what_it_escapes(offset: int) -> None:
    link = "[click](<https://evil.example>)"
    body = "w" * (FIELD_LIMIT - offset - 1) + " " + link * 40
    (embed, *rest) = reply_embeds(Reply("s", sections=(Section("Quote", (text(body),)),)))
    values = [str(f.value) for e in (embed, *rest) for f in e.fields]
    assert len(values) > 1
    for value in values:
        assert not discord_live_tokens(value), value[:80]


def test_verdict_accent_colours_the_embed() -> None:
    (strong_hire,) = reply_embeds(Reply("s", accent="strong_hire", body=(text("a"),)))
    (plain,) = reply_embeds(Reply("s", body=(text("a"),)))
    assert strong_hire.colour != plain.colour
    assert reply_embeds(Reply("s", buttons=(Button("b", "x"),)))[0].description == "s"


def edit_payload(data: dict[str, Any]) -> Any:
    return SimpleNamespace(data=data, guild_id=1, message_id=10, channel_id=20)


def test_only_a_real_text_edit_by_a_person_is_a_revision() -> None:
    data = {
        "id": "10",
        "content": "new text",
        "edited_timestamp": "2026-03-02T10:00:00+00:00",
        "author": {"id": "7", "username": "ann"},
    }
    command = answer_from_edit(edit_payload(data), parent_id=5)
    assert command is not None and command.text == "new text" and command.thread is not None
    assert command.thread.thread_id == "20" and command.thread.channel.channel_id == "5"
    assert answer_from_edit(edit_payload(data | {"edited_timestamp": None}), parent_id=5) is None
    assert answer_from_edit(edit_payload({k: v for k, v in data.items() if k != "content"}), parent_id=5) is None
    assert answer_from_edit(edit_payload(data | {"author": {"id": "7", "bot": True}}), parent_id=5) is None
    assert isinstance(discord.utils.escape_mentions("@everyone"), str)
