"""A member's home: streak, points, recent answers and today's questions across the workspace."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers import Answers
from bot.channel_settings import ChannelSettings
from bot.channels import Channels
from bot.daily_post import DailyPosts
from bot.identities import Channel, Member
from bot.standings import Standings
from bot.store.answers import HistoryItem
from bot.store.channels import ChannelStore
from bot.store.standings import StandingsStore
from bot.streaks import Streak
from content.loader import Bank


@dataclass(frozen=True)
class HomeView:
    """What a member's home shows."""

    streak: Streak
    points: int
    history: tuple[HistoryItem, ...]
    today: tuple[tuple[str, str], ...]  # channel id, question text


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
    ) -> None:
        self.bank = bank
        self.channels = channels
        self.channel_store = channel_store
        self.posts = posts
        self.standings = standings
        self.standings_store = standings_store
        self.answers = answers

    async def view(self, member: Member) -> HomeView:
        """The member's streak, points, ten recent answers and today's questions in their workspace."""
        today: list[tuple[str, str]] = []
        settings = None
        for channel_id in await self.channel_store.channels(member.workspace):
            channel = Channel(member.workspace, channel_id)
            found = await self.channels.settings(channel)
            if found is None:
                continue
            settings = found
            for prompt in await self.posts.todays(channel, found):
                today.append((channel_id, self.bank.question(prompt.question_id).text))
        streak = await self.standings.streak(member, settings or ChannelSettings())
        points = await self.standings_store.points(member)
        history = await self.answers.history(member, 10)
        return HomeView(streak, points, tuple(history), tuple(today))
