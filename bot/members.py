"""A member's own settings: their timezone (`me tz=`) and pausing their streak (`pause`, `resume`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bot.channel_settings import known_zone
from bot.channels import Channels
from bot.clock import Clock
from bot.identities import Channel, Member
from bot.pause import MAX_PAUSE_DAYS, PauseError, last_paused_day
from bot.replies import Command, Kind, Reply, Setting, line, say, text
from bot.store.members import MemberStore

FOLLOW_CHANNEL_WORDS = ("channel", "none", "default")
ZONE_EXAMPLE = (("tz", "Europe/Berlin"),)


class Members:
    """What members set for themselves; their own day is in their timezone, else their channel's."""

    def __init__(self, store: MemberStore, channels: Channels, clock: Clock) -> None:
        self.store = store
        self.channels = channels
        self.clock = clock

    async def zone(self, member: Member, channel: Channel) -> ZoneInfo:
        """The member's timezone: their own, or the channel's."""
        own = await self.store.zone(member)
        if own is not None and known_zone(own):
            return ZoneInfo(own)
        return (await self.channels.settings_or_defaults(channel)).zone

    async def today(self, member: Member, channel: Channel) -> date:
        """The member's local date now."""
        return self.clock().astimezone(await self.zone(member, channel)).date()

    async def me_reply(self, member: Member, channel: Channel, words: Sequence[str]) -> Reply:
        """`/debrief me` shows the member's settings; `me tz=Area/City` (or `tz=channel`) changes their timezone."""
        if not words:
            return await self._settings_reply(member, channel, "Your settings:")
        key, sep, value = words[0].partition("=")
        if len(words) > 1 or not sep or key.strip().lower() != "tz" or not value.strip():
            return say(
                "Nothing was changed. Use ",
                Command("me", settings=ZONE_EXAMPLE),
                " to set your timezone, or ",
                Command("me", settings=(("tz", "channel"),)),
                " to follow the channel's.",
            )
        value = value.strip()
        if value.lower() in FOLLOW_CHANNEL_WORDS:
            await self.store.set_zone(member, None)
            return await self._settings_reply(member, channel, "Saved. You now follow this channel's timezone:")
        if not known_zone(value):
            return say(
                "Nothing was changed. ",
                Setting("tz", value[:60]),
                ": unknown timezone (use Area/City, e.g. America/New_York).",
            )
        await self.store.set_zone(member, value)
        return await self._settings_reply(member, channel, "Saved. Your settings are now:")

    async def _settings_reply(self, member: Member, channel: Channel, headline: str) -> Reply:
        own = await self.store.zone(member)
        zone = await self.zone(member, channel)
        today = self.clock().astimezone(zone).date()
        pause = await self.store.pause_of(member)
        paused = pause is not None and pause.covers(today.toordinal())
        lines = [
            line(Setting("tz", own or f"channel ({zone.key})")),
            line(f"Your today: {today.isoformat()}"),
            line(f"Streak paused through {pause.last_date.isoformat()}" if pause and paused else "Streak not paused"),
        ]
        return Reply(headline, body=(text(headline), text(*lines, kind=Kind.BULLETS)))

    async def pause_reply(self, member: Member, channel: Channel, words: Sequence[str]) -> Reply:
        """`/debrief pause 7d` or `pause until=YYYY-MM-DD`: question days until then neither break nor extend
        the streak. Bad words change nothing."""
        today = await self.today(member, channel)
        try:
            until = last_paused_day(words, today)
        except PauseError as exc:
            return say(
                f"Nothing was changed: {exc}. Use ",
                Command("pause", ("7d",)),
                " or ",
                Command("pause", settings=(("until", "YYYY-MM-DD"),)),
                f", at most {MAX_PAUSE_DAYS} days from today.",
            )
        pause = await self.store.pause(member, today.toordinal(), until)
        return say(
            f"Paused through {pause.last_date.isoformat()}. Your streak waits for you: missed questions until then "
            "do not break it. Answering a question ends the pause; so does ",
            Command("resume"),
            ".",
        )

    async def resume_reply(self, member: Member, channel: Channel) -> Reply:
        """`/debrief resume`: end the pause; today's question counts again."""
        today = await self.today(member, channel)
        if not await self.store.resume(member, today.toordinal()):
            return say("You are not paused, so nothing changed.")
        return say("Welcome back. Your pause has ended and today's question counts toward your streak again.")
