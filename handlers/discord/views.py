"""Persistent buttons: stable custom ids, no timeout, registered at start-up so they survive restarts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.chat_port import Reply

if TYPE_CHECKING:
    from handlers.discord.bot import DebriefBot


def reply_view(reply: Reply) -> discord.ui.View | None:
    """Buttons of a neutral reply; their custom ids are routed by the persistent views below."""
    if not reply.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in reply.buttons[:5]:
        view.add_item(discord.ui.Button(label=button.label[:80], custom_id=button.action_id, style=discord.ButtonStyle.secondary))
    return view


class TodayView(discord.ui.View):
    """The daily post's "Show today's question privately" button."""

    def __init__(self, bot: DebriefBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Show today's question privately", custom_id="today", style=discord.ButtonStyle.secondary)
    async def today(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        """Answer with the channel's question, ephemerally."""
        await self.bot.show_today(interaction)


class ShowFeedbackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"feedback:(?P<channel>\d+):(?P<date>[0-9-]+):(?P<user>\d+)"):
    """"Show my feedback", for members whose DMs are closed; only the answer's author can open it."""

    def __init__(self, channel_id: str, local_date: str, user_id: str) -> None:
        self.channel_id, self.local_date, self.user_id = channel_id, local_date, user_id
        super().__init__(
            discord.ui.Button(
                label="Show my feedback",
                style=discord.ButtonStyle.primary,
                custom_id=f"feedback:{channel_id}:{local_date}:{user_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ShowFeedbackButton:
        """Rebuild the button from its custom id (after a restart too)."""
        return cls(match["channel"], match["date"], match["user"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the stored answer's feedback to its author only."""
        bot: DebriefBot = interaction.client  # type: ignore[assignment]
        await bot.show_feedback(interaction, f"{self.channel_id}:{self.local_date}", self.user_id)
