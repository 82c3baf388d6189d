"""A member's home: streak, points, recent answers and today's questions across the workspace."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers import Answers
from bot.channel_settings import ChannelSettings
from bot.channel_status import next_post_words
from bot.channels import Channels
from bot.daily_post import DailyPosts
from bot.identities import Channel, Member
from bot.standings import Standings
from bot.store.answers import HistoryItem
from bot.store.channels import ChannelStore
from bot.store.members import MemberStore
from bot.store.standings import StandingsStore
from bot.streaks import Streak
from content.loader import Bank


@dataclass(frozen=True)
class ChannelLine:
    """One set-up channel as an admin's home lists it."""

    channel_id: str
    schedule: str  # e.g. "weekdays at 09:00 (Europe/Berlin)"
    next_post: str | None  # None while posting is off


@dataclass(frozen=True)
class HomeView:
    """What a member's home shows; `channels` only for admins (None for everyone else)."""

    streak: Streak
    points: int
    history: tuple[HistoryItem, ...]
    today: tuple[tuple[str, str], ...]  # channel id, question text
    channels: tuple[ChannelLine, ...] | None = None
    chart: str | None = None  # the platform's id of their latest progress chart


class Home:
    """Building a member's home view."""

    def __init__(
        self,
        bank: Bank,
        channels: Channels,
        channel_store: ChannelStore,
        posts: DailyPosts,
        standings: Standings,
        standings_store: StandingsStore,
        answers: Answers,
        members: MemberStore | None = None,
    ) -> None:
        self.bank = bank
        self.channels = channels
        self.channel_store = channel_store
        self.posts = posts
        self.standings = standings
        self.standings_store = standings_store
        self.answers = answers
        self.members = members

    async def view(self, member: Member, *, admin: bool = False) -> HomeView:
        """The member's streak, points, ten recent answers and today's questions in their workspace; for an
        admin also every set-up channel with its schedule."""
        today: list[tuple[str, str]] = []
        lines: list[ChannelLine] = []
        settings = None
        now = self.posts.clock()
        for channel_id in await self.channel_store.channels(member.workspace):
            channel = Channel(member.workspace, channel_id)
            found = await self.channels.settings(channel)
            if found is None:
                continue
            settings = found
            posted = await self.posts.todays(channel, found)
            for prompt in posted:
                today.append((channel_id, self.bank.question(prompt.question_id).text))
            if admin:
                due = found.next_post(now, today_done=bool(posted))
                words = next_post_words(due, now) if due is not None else None
                lines.append(ChannelLine(channel_id, schedule_words(found), words))
        streak = await self.standings.streak(member, settings or ChannelSettings())
        points = await self.standings_store.points(member)
        history = await self.answers.history(member, 10)
        chart = await self.members.chart(member) if self.members is not None and history else None
        return HomeView(streak, points, tuple(history), tuple(today), tuple(lines) if admin else None, chart)

    async def remember_chart(self, member: Member, ref: str) -> None:
        """The member's latest progress chart went out as platform file `ref`: their home shows it from now on."""
        if self.members is not None:
            await self.members.set_chart(member, ref)


def schedule_words(settings: ChannelSettings) -> str:
    """`weekdays at 09:00 (Europe/Berlin)`: when a channel posts, in the words admins type."""
    days = dict(settings.describe())["days"]
    return f"{days} at {settings.post_time.strftime('%H:%M')} ({settings.timezone})"
