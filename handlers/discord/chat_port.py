"""The core's ChatPort on Discord: embeds in text channels, threads from posts, forum posts, DMs."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import discord
from discord.http import Route

from bot.chat_port import FileToSend
from bot.errors import PlatformRefused
from bot.identities import Channel, Member, MessageRef, ThreadRef
from bot.outbox import Undeliverable
from bot.replies import Reply
from handlers.discord.translate import reply_embeds
from handlers.discord.views import reply_view

THREAD_ARCHIVE_MINUTES = 1440
log = logging.getLogger(__name__)


@asynccontextmanager
async def refusals() -> AsyncIterator[None]:
    """Discord's refusal of a request (no permission, unknown channel) becomes the core's PlatformRefused."""
    try:
        yield
    except discord.HTTPException as exc:
        raise PlatformRefused("Discord", f"{exc.status} {exc.text or exc.__class__.__name__}"[:120]) from exc


async def send_reply(target: discord.abc.Messageable, reply: Reply, **extra: Any) -> discord.Message:
    """Send a reply as embeds (several messages when it is long), buttons on the last; the last message."""
    return (await send_reply_messages(target, reply, **extra))[-1]


async def send_reply_messages(
    target: discord.abc.Messageable, reply: Reply, **extra: Any
) -> tuple[discord.Message, ...]:
    """Send a reply as `send_reply` does; every message sent, in order (one per embed)."""
    embeds = reply_embeds(reply)
    view = reply_view(reply)
    messages: list[discord.Message] = []
    for index, embed in enumerate(embeds):
        last = index == len(embeds) - 1
        options: dict[str, Any] = {"embed": embed, **(extra if index == 0 else {})}
        if last and view is not None:
            options["view"] = view
        messages.append(await target.send(**options))
    assert messages
    return tuple(messages)


async def edit_reply(messages: Sequence[discord.Message], reply: Reply) -> bool:
    """Put `reply` in place of the one `messages` hold (as `send_reply_messages` sent it): each message edited to
    its embed, the buttons on the last, mentions off. False, with nothing edited, when the reply needs another
    number of messages; False too when Discord refuses an edit."""
    embeds = reply_embeds(reply)
    if not messages or len(embeds) != len(messages):
        return False
    try:
        for index, (message, embed) in enumerate(zip(messages, embeds, strict=True)):
            options: dict[str, Any] = {"embed": embed, "allowed_mentions": discord.AllowedMentions.none()}
            if index == len(embeds) - 1:
                options["view"] = reply_view(reply)  # None takes away buttons the new reply does not have
            await message.edit(**options)
    except discord.HTTPException as exc:
        log.warning("could not edit message %s: %s %s", message.id, exc.status, exc.text[:120])
        return False
    return True


def message_payloads(reply: Reply, *, reference: str | None = None) -> list[dict[str, Any]]:
    """The Create Message requests `send_reply` makes for a reply, as JSON (kept to send again later)."""
    embeds = reply_embeds(reply)
    view = reply_view(reply)
    payloads: list[dict[str, Any]] = []
    for index, embed in enumerate(embeds):
        payload: dict[str, Any] = {"embeds": [embed.to_dict()], "allowed_mentions": {"parse": []}}
        if index == 0 and reference is not None:
            payload["message_reference"] = {"message_id": reference, "fail_if_not_exists": False}
        if index == len(embeds) - 1 and view is not None:
            payload["components"] = view.to_components()
        payloads.append(payload)
    return payloads


async def send_kept(client: discord.Client, request: dict[str, Any]) -> None:
    """Send one kept Create Message request again (to a DM or a channel); Undeliverable when Discord never will."""
    try:
        if request["to"] == "dm":
            channel_id = (await client.create_dm(discord.Object(id=int(request["id"])))).id
        else:
            channel_id = int(request["id"])
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
        await client.http.request(route, json=request["message"])
    except (discord.Forbidden, discord.NotFound) as exc:
        raise Undeliverable(f"{exc.status} {exc.text}"[:120]) from None


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
        async with refusals():
            target = await self.resolve(channel.channel_id)
            if isinstance(target, discord.ForumChannel):
                title = " ".join((reply.title or reply.summary).split())[:95] or "Today's question"
                if reply.title == "Today's question":
                    title = " ".join(reply.summary.removeprefix("Today's question:").split())[:95] or title
                view = reply_view(reply)
                embed = reply_embeds(reply)[0]
                created = await (
                    target.create_thread(name=title, embed=embed, view=view)
                    if view
                    else target.create_thread(name=title, embed=embed)
                )
                self._forum_threads[created.message.id] = created.thread
                return MessageRef(channel, str(created.message.id))
            message = await send_reply(target, reply)
        return MessageRef(channel, str(message.id))

    async def open_thread(self, message: MessageRef, title: str) -> ThreadRef:
        """The thread answers go to: the forum post itself, or a thread started from the message."""
        forum_thread = self._forum_threads.pop(int(message.message_id), None)
        if forum_thread is not None:
            return ThreadRef(message.channel, str(forum_thread.id))
        async with refusals():
            target = await self.resolve(message.channel.channel_id)
            partial = target.get_partial_message(int(message.message_id))
            thread = await partial.create_thread(name=title[:100], auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        return ThreadRef(message.channel, str(thread.id))

    async def post_image(self, channel: Channel, reply: Reply, image: bytes, filename: str) -> MessageRef:
        """An embed with the image attached (in a forum channel, a new post)."""
        async with refusals():
            target = await self.resolve(channel.channel_id)
            embed = reply_embeds(reply)[0].set_image(url=f"attachment://{filename}")
            file = discord.File(io.BytesIO(image), filename=filename)
            if isinstance(target, discord.ForumChannel):
                created = await target.create_thread(name="Weekly digest", embed=embed, file=file)
                return MessageRef(channel, str(created.message.id))
            message = await target.send(embed=embed, file=file)
        return MessageRef(channel, str(message.id))

    async def send_private_files(self, member: Member, reply: Reply, files: Sequence[FileToSend]) -> bool:
        """A DM with the reply's embed and the files attached; False when the member's DMs are closed,
        PlatformRefused for any other refusal."""
        try:
            async with refusals():  # anything else Discord refuses (a file over its size limit) is said as such
                user = self.client.get_user(int(member.user_id)) or await self.client.fetch_user(int(member.user_id))
                attached = [discord.File(io.BytesIO(f.content), filename=f.filename) for f in files]
                await user.send(embeds=reply_embeds(reply)[:10], files=attached)
        except PlatformRefused as exc:
            if isinstance(exc.__cause__, discord.Forbidden | discord.NotFound):
                return False
            raise
        return True

    async def open_private_thread(self, channel: Channel, member: Member, reply: Reply) -> ThreadRef | None:
        """A private thread in the channel with only the member added, starting with `reply`."""
        async with refusals():
            target = await self.resolve(channel.channel_id)
            if not isinstance(target, discord.TextChannel):
                return None
            thread = await target.create_thread(
                name=f"Mock interview · {member.label}"[:100], type=discord.ChannelType.private_thread, invitable=False
            )
            await thread.add_user(discord.Object(id=int(member.user_id)))
            await send_reply(thread, reply)
        return ThreadRef(channel, str(thread.id))

    async def reply_in_thread(self, thread: ThreadRef, reply: Reply) -> MessageRef:
        """A message inside the thread."""
        async with refusals():
            target = await self.resolve(thread.thread_id)
            message = await send_reply(target, reply)
        return MessageRef(thread.channel, str(message.id))

    async def reply_to(self, thread: ThreadRef, message_id: str, reply: Reply) -> MessageRef:
        """A reply to one message in a thread (no ping: mentions are off on the bot)."""
        messages = await self.reply_to_messages(thread, message_id, reply)
        return MessageRef(thread.channel, str(messages[-1].id))

    async def reply_to_messages(self, thread: ThreadRef, message_id: str, reply: Reply) -> tuple[discord.Message, ...]:
        """`reply_to`, giving every message sent (to edit later)."""
        async with refusals():
            target = await self.resolve(thread.thread_id)
            partial = target.get_partial_message(int(message_id))
            return await send_reply_messages(target, reply, reference=partial, mention_author=False)

    async def send_private(self, member: Member, reply: Reply, *, thread: ThreadRef | None = None) -> bool:
        """A DM; False when the member's DMs are closed."""
        return await self.send_private_messages(member, reply) is not None

    async def send_private_messages(self, member: Member, reply: Reply) -> tuple[discord.Message, ...] | None:
        """A DM, giving every message sent (to edit later); None when the member's DMs are closed."""
        try:
            user = self.client.get_user(int(member.user_id)) or await self.client.fetch_user(int(member.user_id))
            return await send_reply_messages(user, reply)
        except (discord.Forbidden, discord.NotFound):
            return None
