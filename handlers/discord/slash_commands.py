"""The `/debrief` slash command group: each subcommand defers and hands its words to the bot."""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from handlers.discord.actions import CommandActions


def command_group(bot: CommandActions) -> app_commands.Group:
    """`/debrief` and its subcommands; `setup` options mirror Slack's key=value words."""
    group = app_commands.Group(name="debrief", description="Interview practice: daily questions, feedback, streaks")

    @group.command(name="help", description="What debrief can do")
    async def help_(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "help", [])

    @group.command(name="today", description="Today's question in this channel, privately")
    async def today(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "today", [])

    @group.command(name="status", description="Whether this channel posts, when the next question is due")
    async def status(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "status", [])

    @group.command(name="streak", description="Your streak and freezes")
    async def streak(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "streak", [])

    @group.command(name="stats", description="A chart of your scores over time, privately")
    async def stats(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "stats", [])

    @group.command(name="leaderboard", description="The top 10 in this server")
    @app_commands.describe(board="points, streak, longest or reviewers")
    async def leaderboard(interaction: discord.Interaction, board: str = "points") -> None:
        await bot.run_command(interaction, "leaderboard", [board])

    @group.command(name="setup", description="Admins: show or change this channel's settings")
    @app_commands.describe(
        time="Post time, HH:MM (24-hour)",
        tz="Timezone, Area/City",
        days="mon,tue,... or daily or weekdays",
        tracks="Categories, comma-separated, or all",
        difficulty="1, 2, 3 or a range like 1-3",
        feedback="private or public",
        window="Answer window, e.g. 24h",
        reminders="Streak-at-risk reminders",
        digest="Weekly digest",
        review="Peer review assignments",
        reviewers="named or anonymous",
        board="Points board: all-time, or weekly (starts again every Monday)",
        skip="Dates with no question, YYYY-MM-DD comma-separated, or none",
        posting="Post questions here (off keeps history and streaks)",
        coach="Who judges answers in this server: rules, or model (answers then go to the deployment's model)",
    )
    async def setup(
        interaction: discord.Interaction,
        time: str | None = None,
        tz: str | None = None,
        days: str | None = None,
        tracks: str | None = None,
        difficulty: str | None = None,
        feedback: str | None = None,
        window: str | None = None,
        reminders: bool | None = None,
        digest: bool | None = None,
        review: bool | None = None,
        reviewers: str | None = None,
        board: str | None = None,
        skip: str | None = None,
        posting: bool | None = None,
        coach: Literal["rules", "model"] | None = None,
    ) -> None:
        given: dict[str, Any] = {
            "time": time,
            "tz": tz,
            "days": days,
            "tracks": tracks,
            "difficulty": difficulty,
            "feedback": feedback,
            "window": window,
            "reminders": reminders,
            "digest": digest,
            "review": review,
            "reviewers": reviewers,
            "board": board,
            "posting": posting,
            "skip": skip,
            "coach": coach,
        }
        words = [f"{k}={_option_word(v)}" for k, v in given.items() if v is not None]
        await bot.run_command(interaction, "setup", words)

    @group.command(name="mock", description="A private mock interview: a round, or the whole loop")
    @app_commands.describe(
        round="recruiter, behavioral, technical, xfn, leadership, metrics, system_design or loop; "
        "or skip, repeat, stop, resume, abandon",
        then="with abandon: the round to start instead",
    )
    async def mock(interaction: discord.Interaction, round: str = "behavioral", then: str | None = None) -> None:
        await bot.run_command(interaction, "mock", [round, *([then] if then else [])])

    @group.command(name="review", description="Review a peer's answer on the same rubric")
    async def review(interaction: discord.Interaction) -> None:
        await bot.show_review_task(interaction, None)

    @group.command(name="pause", description="Pause your streak for up to 30 days")
    @app_commands.describe(length="How long, e.g. 7d", until="Or the last paused date, YYYY-MM-DD")
    async def pause(interaction: discord.Interaction, length: str | None = None, until: str | None = None) -> None:
        words = [*([_option_word(length)] if length else []), *([f"until={_option_word(until)}"] if until else [])]
        await bot.run_command(interaction, "pause", words)

    @group.command(name="resume", description="End your pause; today's question counts again")
    async def resume(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "resume", [])

    @group.command(name="me", description="Your own settings; tz sets your timezone")
    @app_commands.describe(tz="Your timezone, Area/City (or channel to follow the channel's)")
    async def me(interaction: discord.Interaction, tz: str | None = None) -> None:
        await bot.run_command(interaction, "me", [f"tz={_option_word(tz)}"] if tz is not None else [])

    @group.command(name="export", description="All your data, sent to you by DM as JSON and CSV files")
    async def export(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "export", [])

    @group.command(name="forget-me", description="Delete all your data here (asks first)")
    @app_commands.describe(
        step="confirm the deletion you asked for, or cancel it",
        member="Admins: a member who left (or their user id)",
    )
    async def forget_me(
        interaction: discord.Interaction,
        step: Literal["confirm", "cancel"] | None = None,
        member: discord.User | None = None,
    ) -> None:
        users = [str(member.id)] if member is not None else []
        await bot.run_command(interaction, "forget-me", [step] if step else [], users)

    @group.command(name="post", description="Admins: post today's question here now")
    async def post(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "post", [])

    @group.command(name="skip", description="Admins: skip today's question here")
    async def skip(interaction: discord.Interaction) -> None:
        await bot.run_command(interaction, "skip", [])

    return group


def _option_word(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return "".join(str(value).split())  # a typed option is one word, whatever spaces were typed
