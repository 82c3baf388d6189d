"""`/debrief` commands through the real core on Redis: who may, what is said, and that bad input changes nothing."""

from __future__ import annotations

import pytest

from bot.app.bootstrap import Core
from bot.commands import CommandRequest, parse_command_text, usage
from bot.identities import Channel, Member
from bot.replies import Command, Reply, Setting, plain_text
from tests.scheduler.replicas import RecordingPlatform

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ADMIN, MEMBER = Member(WS, "UADMIN", "Ada"), Member(WS, "UMEMBER", "Ben")


async def run(core: Core, member: Member, text: str, port: RecordingPlatform | None = None) -> Reply:
    name, args = parse_command_text(text)

    async def is_admin() -> bool:
        return member.user_id == "UADMIN"

    request = CommandRequest(member, CHANNEL, name, args, is_admin, port or RecordingPlatform())
    return await core.commands.run(request)


def inlines(reply: Reply) -> list[object]:
    return [part for block in reply.body for line in block.lines for part in line]


def test_parse_command_text() -> None:
    assert parse_command_text("") == ("help", ())
    assert parse_command_text("  SETUP time=09:00  tz=UTC ") == ("setup", ("time=09:00", "tz=UTC"))


def test_help_names_commands_as_commands_so_each_platform_writes_its_own_syntax() -> None:
    reply = usage()
    commands = [p for s in reply.sections for b in s.blocks for line in b.lines for p in line if isinstance(p, Command)]
    assert {c.name for c in commands} >= {
        "today",
        "streak",
        "stats",
        "leaderboard",
        "review",
        "mock",
        "setup",
        "post",
        "skip",
    }
    assert any(c.settings for c in commands), "the setup example carries settings, not Slack's key=value text"
    assert "=" not in "".join(
        p
        for s in reply.sections
        for b in s.blocks
        for line in b.lines
        for p in line
        if isinstance(p, str) and "Settings:" not in p
    )


async def test_admins_set_up_members_are_refused_and_nothing_changes(core: Core) -> None:
    refused = await run(core, MEMBER, "setup time=07:00")
    assert "Only workspace admins can use" in refused.summary and Command("setup") in inlines(refused)
    assert await core.channels.settings(CHANNEL) is None
    saved = await run(core, ADMIN, "setup time=07:30 tz=Europe/Berlin")
    assert saved.summary.startswith("Saved.")
    assert Setting("time", "07:30") in [p for b in saved.body for line in b.lines for p in line]
    settings = await core.channels.settings(CHANNEL)
    assert settings is not None and settings.timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "setting"),
    [("setup time=25:99", Setting("time", "25:99")), ("setup tz=" + "x" * 300, Setting("tz", "x" * 300))],
)
async def test_a_bad_setting_is_named_as_a_setting_and_changes_nothing(core: Core, text: str, setting: Setting) -> None:
    reply = await run(core, ADMIN, text)
    assert reply.summary.startswith("Nothing was changed.") and setting in inlines(reply)
    assert await core.channels.settings(CHANNEL) is None


@pytest.mark.parametrize(
    "text", ["dance", "help me", "post now", "skip it", "leaderboard fastest", "mock a b c", "today " + "x " * 30]
)
async def test_garbage_gets_a_clear_private_reply(core: Core, text: str) -> None:
    reply = await run(core, ADMIN, text)
    assert reply.private and plain_text(reply)


async def test_post_and_skip_go_through_the_port_once(core: Core) -> None:
    port = RecordingPlatform()
    first = await run(core, ADMIN, "post", port)
    again = await run(core, ADMIN, "post", port)
    assert first.summary.startswith("Posted today's question") and "already posted" in again.summary
    assert len(port.posts) == 1
    skipped = await run(core, ADMIN, "skip", port)
    assert "not answering it will not break anyone's streak" in skipped.summary


async def test_today_streak_and_boards_for_a_fresh_channel(core: Core) -> None:
    assert "no daily question yet" in (await run(core, MEMBER, "today")).summary
    assert (await run(core, MEMBER, "streak")).summary.startswith("Your streak: No active streak")
    assert "Nobody is on this leaderboard yet" in (await run(core, MEMBER, "leaderboard streak")).summary


async def test_a_mock_started_from_a_command_runs_privately(core: Core) -> None:
    port = RecordingPlatform()
    started = await run(core, MEMBER, "mock behavioral", port)
    assert "continues in your direct messages" in started.summary
    ((member, turn),) = port.private
    assert member.user_id == "UMEMBER" and "Question 1 of" in plain_text(turn)
    assert "Unknown round" in (await run(core, MEMBER, "mock karaoke", port)).summary
