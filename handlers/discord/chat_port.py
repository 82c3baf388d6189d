"""The core's ChatPort on Discord: embeds in text channels, threads from posts, forum posts, DMs."""

from __future__ import annotations

import io
from typing import Any

import discord

from bot.chat_port import Reply
from bot.identities import Channel, Member, MessageRef, ThreadRef
from handlers.discord.translate import reply_embed
from handlers.discord.views import reply_view

THREAD_ARCHIVE_MINUTES = 1440


class DiscordChatPort:
    """Posts through discord.py; in a forum channel the daily post is a new forum post (its own thread)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._forum_threads: dict[int, discord.Thread] = {}

    async def resolve(self, channel_id: str) -> Any:
        """A channel or thread by id, from the cache or the API."""
        channel = self.client.get_channel(int(channel_id))
        return channel if channel is not None else await self.client.fetch_channel(int(channel_id))

    async def post(self, channel: Channel, reply: Reply) -> MessageRef:
        """An embed in a text channel, or a new post in a forum channel."""
        target = await self.resolve(channel.channel_id)
        embed, view = reply_embed(reply), reply_view(reply)
        if isinstance(target, discord.ForumChannel):
            title = " ".join(reply.text.removeprefix("Today's question:").split())[:95] or "Today's question"
            created = await (
                target.create_thread(name=title, embed=embed, view=view) if view else target.create_thread(name=title, embed=embed)
            )
            self._forum_threads[created.message.id] = created.thread
            return MessageRef(channel, str(created.message.id))
        message = await _send(target, embed, view)
        return MessageRef(channel, str(message.id))

    async def open_thread(self, message: MessageRef, title: str) -> ThreadRef:
        """The thread answers go to: the forum post itself, or a thread started from the message."""
        forum_thread = self._forum_threads.pop(int(message.message_id), None)
        if forum_thread is not None:
            return ThreadRef(message.channel, str(forum_thread.id))
        target = await self.resolve(message.channel.channel_id)
        partial = target.get_partial_message(int(message.message_id))
        thread = await partial.create_thread(name=title[:100], auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        return ThreadRef(message.channel, str(thread.id))

    async def post_image(self, channel: Channel, reply: Reply, image: bytes, filename: str) -> MessageRef:
        """An embed with the image attached (in a forum channel, a new post)."""
        target = await self.resolve(channel.channel_id)
        embed = reply_embed(reply).set_image(url=f"attachment://{filename}")
        file = discord.File(io.BytesIO(image), filename=filename)
        if isinstance(target, discord.ForumChannel):
            created = await target.create_thread(name="Weekly digest", embed=embed, file=file)
            return MessageRef(channel, str(created.message.id))
        message = await target.send(embed=embed, file=file)
        return MessageRef(channel, str(message.id))

    async def open_private_thread(self, channel: Channel, member: Member, reply: Reply) -> ThreadRef | None:
        """A private thread in the channel with only the member added, starting with `reply`."""
        target = await self.resolve(channel.channel_id)
        if not isinstance(target, discord.TextChannel):
            return None
        thread = await target.create_thread(
            name=f"Mock interview · {member.label}"[:100], type=discord.ChannelType.private_thread, invitable=False
        )
        await thread.add_user(discord.Object(id=int(member.user_id)))
        await send_text(thread, reply.text)
        return ThreadRef(channel, str(thread.id))

    async def reply_in_thread(self, thread: ThreadRef, reply: Reply) -> MessageRef:
        """A message inside the thread."""
        target = await self.resolve(thread.thread_id)
        message = await _send(target, reply_embed(reply), reply_view(reply))
        return MessageRef(thread.channel, str(message.id))

    async def send_private(self, member: Member, reply: Reply, *, thread: ThreadRef | None = None) -> bool:
        """A DM; False when the member's DMs are closed."""
        try:
            user = self.client.get_user(int(member.user_id)) or await self.client.fetch_user(int(member.user_id))
            if reply.sections or reply.buttons:
                await _send(user, reply_embed(reply), reply_view(reply))
            else:
                await send_text(user, reply.text)
        except (discord.Forbidden, discord.NotFound):
            return False
        return True


async def _send(target: discord.abc.Messageable, embed: discord.Embed, view: discord.ui.View | None) -> discord.Message:
    """Send an embed, with buttons when there are any."""
    if view is None:
        return await target.send(embed=embed)
    return await target.send(embed=embed, view=view)


EMBED_TEXT_LIMIT = 3900


async def send_text(target: discord.abc.Messageable, text: str) -> None:
    """Send long core text as one or more embeds, split on line boundaries."""
    chunk: list[str] = []
    size = 0
    for line in text.split("\n"):
        line = line[:EMBED_TEXT_LIMIT]
        if size + len(line) + 1 > EMBED_TEXT_LIMIT and chunk:
            await target.send(embed=discord.Embed(description="\n".join(chunk), colour=0x3949AB))
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        await target.send(embed=discord.Embed(description="\n".join(chunk), colour=0x3949AB))
