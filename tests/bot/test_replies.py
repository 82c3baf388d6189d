"""Neutral replies read as plain text the same way everywhere (terminal, notifications)."""

from __future__ import annotations

from bot.replies import Command, Kind, Reply, Section, Setting, code, plain_text, say, text


def test_plain_text_lays_out_every_kind_of_block() -> None:
    reply = Reply(
        "summary",
        title="Title",
        body=(text("one", "two", kind=Kind.BULLETS), text("three", kind=Kind.NUMBERED)),
        sections=(Section("Quoted", (text("said", kind=Kind.QUOTES), text("small", kind=Kind.NOTE))),),
    )
    assert plain_text(reply) == "Title\n- one\n- two\n1. three\nQuoted\n> \u201csaid\u201d\nsmall"


def test_commands_and_settings_have_a_neutral_plain_form() -> None:
    reply = say(
        "Run ", Command("setup", settings=(("tz", "UTC"),)), " or set ", Setting("time", "09:00"), " ", code("x")
    )
    assert reply.summary == "Run /debrief setup tz=UTC or set time=09:00 x"


def test_public_keeps_everything_else() -> None:
    reply = say("hi")
    assert reply.private and not reply.public().private and reply.public().body == reply.body
