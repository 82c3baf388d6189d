"""The core's ChatPort on Slack's Web API, and a cached view of Slack users."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.chat_port import FileToSend
from bot.errors import PlatformRefused
from bot.identities import Channel, Member, MessageRef, ThreadRef
from bot.replies import Image, Reply
from handlers.slack.translate import notification, reply_blocks

USER_CACHE_SECONDS = 300


@asynccontextmanager
async def refusals() -> AsyncIterator[None]:
    """Slack's refusal of a request becomes the core's PlatformRefused, naming Slack's error."""
    try:
        yield
    except SlackApiError as exc:
        raise PlatformRefused("Slack", str(exc.response.get("error", "unknown error"))) from exc


class SlackChatPort:
    """Posts through chat.postMessage / chat.postEphemeral; a Slack thread is its root message's ts."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, channel: Channel, reply: Reply) -> MessageRef:
        """Post a message in a channel."""
        async with refusals():
            response = await self.client.chat_postMessage(
                channel=channel.channel_id, text=notification(reply), blocks=reply_blocks(reply), unfurl_links=False
            )
        return MessageRef(channel, str(response["ts"]))

    async def post_image(self, channel: Channel, reply: Reply, image: bytes, filename: str) -> MessageRef:
        """The reply's text with the image uploaded into the channel (files.uploadV2 flow)."""
        async with refusals():
            response = await self.client.files_upload_v2(
                channel=channel.channel_id,
                content=image,
                filename=filename,
                title=filename,
                initial_comment=notification(reply),
            )
        files = response.get("files") or [{}]
        return MessageRef(channel, str(files[0].get("id", "")))

    async def send_private_files(self, member: Member, reply: Reply, files: Sequence[FileToSend]) -> bool:
        """The files uploaded into the member's DM with the bot, the reply's text as their comment."""
        return await self._upload_to_dm(member, reply, files) is not None

    async def send_private_image(self, member: Member, reply: Reply, image: Image) -> str | None:
        """The reply's text with the image, in the member's DM with the app (Slack has no ephemeral files); the
        file's id, or None when Slack refuses."""
        ids = await self._upload_to_dm(member, reply, (FileToSend(image.filename, image.data, "image/png"),))
        return ids[0] if ids else None

    async def _upload_to_dm(self, member: Member, reply: Reply, files: Sequence[FileToSend]) -> list[str] | None:
        try:
            opened = await self.client.conversations_open(users=member.user_id)
            response = await self.client.files_upload_v2(
                channel=opened["channel"]["id"],
                file_uploads=[{"content": f.content, "filename": f.filename, "title": f.filename} for f in files],
                initial_comment=notification(reply),
            )
        except SlackApiError:
            return None
        return [str(f.get("id", "")) for f in response.get("files") or []]

    async def open_private_thread(self, channel: Channel, member: Member, reply: Reply) -> ThreadRef | None:
        """Slack apps can always open a DM, so there is no private-thread fallback."""
        return None

    async def open_thread(self, message: MessageRef, title: str) -> ThreadRef:
        """Slack threads need no creating: replies to the message's ts form the thread."""
        return ThreadRef(message.channel, message.message_id)

    async def reply_in_thread(self, thread: ThreadRef, reply: Reply) -> MessageRef:
        """Reply under a thread's root message."""
        async with refusals():
            response = await self.client.chat_postMessage(
                channel=thread.channel.channel_id,
                thread_ts=thread.thread_id,
                text=notification(reply),
                blocks=reply_blocks(reply),
            )
        return MessageRef(thread.channel, str(response["ts"]))

    async def send_private(self, member: Member, reply: Reply, *, thread: ThreadRef | None = None) -> bool:
        """An ephemeral message in the thread's channel, or a DM when there is no thread."""
        try:
            if thread is not None:
                await self.client.chat_postEphemeral(
                    channel=thread.channel.channel_id,
                    user=member.user_id,
                    thread_ts=thread.thread_id,
                    text=notification(reply),
                    blocks=reply_blocks(reply),
                )
            else:
                opened = await self.client.conversations_open(users=member.user_id)
                await self.client.chat_postMessage(
                    channel=opened["channel"]["id"], text=notification(reply), blocks=reply_blocks(reply)
                )
        except SlackApiError:
            return False
        return True


@dataclass(frozen=True)
class SlackUser:
    """What debrief needs to know about a Slack user."""

    name: str
    is_admin: bool


class SlackDirectory:
    """users.info with a short cache, for display names and the admin check."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._cache: dict[str, tuple[float, SlackUser]] = {}

    def cached(self, user_id: str) -> SlackUser | None:
        """The user if looked up recently, without calling Slack."""
        cached = self._cache.get(user_id)
        return cached[1] if cached and time.monotonic() - cached[0] < USER_CACHE_SECONDS else None

    async def user(self, user_id: str) -> SlackUser:
        """The user's display name and whether they are a workspace admin or owner."""
        cached = self._cache.get(user_id)
        if cached and time.monotonic() - cached[0] < USER_CACHE_SECONDS:
            return cached[1]
        response = await self.client.users_info(user=user_id)
        data = response["user"]
        profile = data.get("profile") or {}
        name = profile.get("display_name") or data.get("real_name") or data.get("name") or user_id
        user = SlackUser(
            name=str(name),
            is_admin=bool(data.get("is_admin") or data.get("is_owner") or data.get("is_primary_owner")),
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[user_id] = (time.monotonic(), user)
        return user
