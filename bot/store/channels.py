"""Channels in Redis: each channel's settings, the channels of a workspace, and its question history."""

from __future__ import annotations

from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.store import keys
from bot.store.client import RedisClient
from bot.store.guard import lua, store_errors


class ChannelStore:
    """Reads and writes of channel settings."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._save = redis.register_script(lua("bot.store", "save_channel.lua"))

    async def settings(self, channel: Channel) -> ChannelSettings | None:
        """A channel's settings, or None when it was never set up."""
        async with store_errors("read the channel settings"):
            raw = await self.redis.get(keys.channel_settings(channel))
        return ChannelSettings.model_validate_json(raw) if raw else None

    async def save(self, channel: Channel, settings: ChannelSettings) -> None:
        """Store a channel's settings and list it among the configured channels."""
        async with store_errors("save the channel settings"):
            # No skip dates are left out, so replicas from before skip dates still read the settings.
            unused = {"skip_dates"} if not settings.skip_dates else None
            await self._save(
                keys=[keys.channel_settings(channel), keys.channels(channel.workspace)],
                args=[settings.model_dump_json(exclude=unused), channel.channel_id],
            )
            # The workspace registry lives in a shard of its own slot; adding to it again is harmless.
            await self.redis.sadd(keys.workspaces(keys.shard_of(channel.workspace)), channel.workspace)

    async def claim_welcome(self, channel: Channel, ttl_seconds: int) -> bool:
        """True for exactly one caller per channel within `ttl_seconds`: the one that posts the welcome."""
        async with store_errors("note the welcome"):
            return bool(await self.redis.set(keys.welcomed(channel), "1", nx=True, ex=ttl_seconds))

    async def release_welcome(self, channel: Channel) -> None:
        """Give the welcome back (it could not be posted), so the next invitation tries again."""
        async with store_errors("note the welcome"):
            await self.redis.delete(keys.welcomed(channel))

    async def channels(self, workspace: str) -> list[str]:
        """The workspace's configured channel ids."""
        async with store_errors("read the channels"):
            return sorted(str(c) for c in await self.redis.smembers(keys.channels(workspace)))

    async def configured(self) -> list[tuple[Channel, ChannelSettings]]:
        """Every configured channel of every workspace with its settings (one pipeline per workspace)."""
        async with store_errors("read the channels"):
            workspaces = sorted(await self.workspaces())
            found: list[tuple[Channel, ChannelSettings]] = []
            for workspace in workspaces:
                ids = sorted(str(c) for c in await self.redis.smembers(keys.channels(workspace)))
                if not ids:
                    continue
                raws = await self.redis.mget([keys.channel_settings(Channel(workspace, c)) for c in ids])
                found += [
                    (Channel(workspace, c), ChannelSettings.model_validate_json(raw))
                    for c, raw in zip(ids, raws, strict=True)
                    if raw
                ]
        return found

    async def workspaces(self) -> set[str]:
        """Every workspace with configured channels, from all shards of the registry."""
        async with store_errors("read the workspaces"), self.redis.pipeline(transaction=False) as pipe:
            for shard in keys.shards():
                pipe.smembers(keys.workspaces(shard))
            return {str(w) for members in await pipe.execute() for w in members}

    async def asked_questions(self, channel: Channel) -> list[str]:
        """The channel's rotation history, oldest first."""
        async with store_errors("read the question history"):
            return [str(q) for q in await self.redis.lrange(keys.channel_asked(channel), 0, -1)]
