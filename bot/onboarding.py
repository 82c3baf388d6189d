"""The bot's first words in a channel it was invited to: what it does, and the one command that sets it up."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from bot.channels import Channels
from bot.chat_port import ChatPort
from bot.errors import PlatformRefused, StoreUnavailable
from bot.identities import Channel
from bot.replies import Command, Kind, Reply, Section, line, text
from bot.store.channels import ChannelStore

REWELCOME_AFTER = timedelta(days=30)
log = logging.getLogger(__name__)
EXAMPLE_SETUP = (("time", "09:00"), ("tz", "Europe/Berlin"), ("days", "weekdays"))


def welcome_reply(set_up: bool) -> Reply:
    """The welcome, public in the channel; `set_up` when the channel already has a schedule."""
    intro = text(
        "I help you practise for product and program manager interview loops. Every question day I post one "
        "interview question here; answer in its thread and you get rubric feedback within seconds, privately: "
        "a score per criterion, what cost you points, and a hiring verdict.",
        line(
            "Streaks, a leaderboard and peer review come with it, and ",
            Command("mock", ("behavioral",)),
            " runs a private mock round any time.",
        ),
    )
    if set_up:
        admins = text(
            line("This channel is already set up; ", Command("status"), " shows when the next question comes.")
        )
    else:
        admins = text(
            line("Start daily questions here with ", Command("setup", settings=EXAMPLE_SETUP), "."),
            line(Command("post"), " posts today's question right away."),
            kind=Kind.BULLETS,
        )
    more = text(line(Command("help"), " lists everything."), kind=Kind.NOTE)
    return Reply(
        "Hi, I'm debrief: daily interview practice with rubric feedback",
        title="Hi, I'm debrief",
        body=(intro,),
        sections=(Section("Admins", (admins,)), Section(None, (more,))),
        private=False,
    )


class Onboarding:
    """Welcoming a channel once when the bot joins it."""

    def __init__(self, store: ChannelStore, channels: Channels) -> None:
        self.store = store
        self.channels = channels

    async def greet(self, channel: Channel, port: ChatPort) -> bool:
        """Post the welcome in `channel` unless it was welcomed lately; whether it went out. Never raises for a
        store or platform that cannot take it (the welcome is a courtesy): it logs why."""
        try:
            reply = await self.welcome(channel)
            if reply is None:
                return False
        except StoreUnavailable as exc:
            log.warning("could not welcome channel %s: %s", channel.channel_id, exc)
            return False
        try:
            await port.post(channel, reply)
        except (PlatformRefused, OSError, TimeoutError) as exc:
            log.warning("could not welcome channel %s: %s", channel.channel_id, exc)
            with contextlib.suppress(StoreUnavailable):
                await self.store.release_welcome(channel)
            return False
        return True

    async def welcome(self, channel: Channel) -> Reply | None:
        """The welcome to post in `channel`, or None when it was already welcomed in the last 30 days."""
        if not await self.store.claim_welcome(channel, int(REWELCOME_AFTER.total_seconds())):
            return None
        return welcome_reply(await self.channels.settings(channel) is not None)
