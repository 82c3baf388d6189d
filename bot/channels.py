"""Reading and changing a channel's settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.channel_settings import ChannelSettings, apply_setup_words
from bot.identities import Channel
from bot.store.channels import ChannelStore


class Channels:
    """Reading and changing a channel's settings."""

    def __init__(self, store: ChannelStore, categories: Sequence[str] = ()) -> None:
        self.store = store
        self.categories = tuple(categories)

    async def settings(self, channel: Channel) -> ChannelSettings | None:
        """A channel's settings, None when it was never set up."""
        return await self.store.settings(channel)

    async def settings_or_defaults(self, channel: Channel) -> ChannelSettings:
        """A channel's settings, or the defaults it would get."""
        return await self.store.settings(channel) or ChannelSettings()

    async def ensure(self, channel: Channel) -> ChannelSettings:
        """A channel's settings, saving the defaults first when it was never set up."""
        current = await self.store.settings(channel)
        if current is None:
            current = ChannelSettings()
            await self.store.save(channel, current)
        return current

    async def configure(self, channel: Channel, words: Sequence[str], today: date | None = None) -> ChannelSettings:
        """Apply `key=value` words to a channel's settings (raises SetupError and changes nothing on a bad word;
        skip dates before the channel's `today` are bad words)."""
        updated = apply_setup_words(await self.settings_or_defaults(channel), words, self.categories, today)
        await self.store.save(channel, updated)
        return updated
