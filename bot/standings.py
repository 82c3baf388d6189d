"""Where members stand: streaks as of a channel's today, and the leaderboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.channel_settings import ChannelSettings, known_zone
from bot.channels import Channels
from bot.clock import Clock
from bot.identities import Channel, Member
from bot.replies import Command, Kind, Reply, Section, counted, say, text
from bot.store.answers import week_of
from bot.store.members import MemberStore
from bot.store.standings import BoardRow, StandingsStore
from bot.streaks import Streak

BOARDS = ("points", "streak", "longest", "reviewers")
UNITS = {"points": "point", "streak": "day", "longest": "day", "reviewers": "review point"}
FIRST_STEP = {"reviewers": "Review a peer's answer with /debrief review to be first."}
TITLES = {"points": "Points", "streak": "Current streaks", "longest": "Longest streaks", "reviewers": "Top reviewers"}


@dataclass(frozen=True)
class Leaderboard:
    """The top members of a workspace on one board."""

    board: str
    rows: tuple[BoardRow, ...]


class Standings:
    """Streaks and leaderboards as of each channel's local today."""

    def __init__(
        self, store: StandingsStore, channels: Channels, clock: Clock, members: MemberStore | None = None
    ) -> None:
        self.store = store
        self.channels = channels
        self.clock = clock
        self.members = members

    def _today(self, settings: ChannelSettings) -> int:
        return self.clock().astimezone(settings.zone).date().toordinal()

    async def _member_today(self, member: Member, settings: ChannelSettings) -> int:
        own = await self.members.zone(member) if self.members is not None else None
        if own is not None and known_zone(own):
            return self.clock().astimezone(ZoneInfo(own)).date().toordinal()
        return self._today(settings)

    async def streak(self, member: Member, settings: ChannelSettings) -> Streak:
        """The member's streak as of their own local today (their timezone, else their channel's)."""
        return await self.store.streak(member, await self._member_today(member, settings))

    async def leaderboard(self, workspace: str, board: str, settings: ChannelSettings, limit: int = 10) -> Leaderboard:
        """Top members by points (this week's with `board=weekly`), current streak (broken streaks drop out),
        longest streak or reviews."""
        if board == "points" and settings.board == "weekly":
            week = week_of(self._today(settings))
            return Leaderboard(board, tuple(await self.store.week_leaderboard(workspace, week, limit)))
        if board != "streak":
            return Leaderboard(board, tuple(await self.store.leaderboard(workspace, board, limit)))
        today = self._today(settings)
        live = []
        for row in await self.store.leaderboard(workspace, "streak", limit * 3):
            current = (await self.store.streak(Member(workspace, row.user_id), today)).current
            if current > 0:
                live.append(BoardRow(row.user_id, row.name, current))
        live.sort(key=lambda r: -r.value)
        return Leaderboard(board, tuple(live[:limit]))

    async def remember(self, member: Member) -> None:
        """Keep a member's display name for the boards."""
        await self.store.remember_name(member)

    async def streak_reply(self, member: Member, channel: Channel) -> Reply:
        """`/debrief streak`."""
        settings = await self.channels.settings_or_defaults(channel)
        today = await self._member_today(member, settings)
        described = (await self.store.streak(member, today)).describe()
        pause = await self.members.pause_of(member) if self.members is not None else None
        if pause is not None and pause.covers(today):
            ending = "" if described.endswith(".") else "."
            return say(f"Your streak: {described}{ending} Paused through {pause.last_date.isoformat()}.")
        return say(f"Your streak: {described}")

    async def leaderboard_reply(self, member: Member, channel: Channel, words: tuple[str, ...]) -> Reply:
        """`/debrief leaderboard [board]`."""
        board = words[0].lower() if words else "points"
        if board not in BOARDS or len(words) > 1:
            return say(f"Leaderboards: {', '.join(BOARDS)}. Try ", Command("leaderboard", ("streak",)), ".")
        settings = await self.channels.settings_or_defaults(channel)
        result = await self.leaderboard(member.workspace, board, settings)
        weekly = board == "points" and settings.board == "weekly"
        monday = date.fromordinal(week_of(self._today(settings)))
        title = "This week's points" if weekly else TITLES[board]
        if not result.rows:
            fresh = " The weekly board started again on Monday." if weekly else ""
            first = FIRST_STEP.get(board, "Answer today's question to be first.")
            return say(f"Nobody is on this leaderboard yet.{fresh} {first}")
        lines = [f"{row.name}: {counted(row.value, UNITS[board])}" for row in result.rows]
        body = [text(f"{title} leaderboard")]
        if weekly:
            since = f"{monday:%a} {monday.day} {monday:%b}"
            body.append(
                text(f"Since {since}; the board starts again every Monday, all-time points are kept.", kind=Kind.NOTE)
            )
        return Reply(
            f"{title} leaderboard",
            body=tuple(body),
            sections=(Section(title, (text(*lines, kind=Kind.NUMBERED),)),),
        )
