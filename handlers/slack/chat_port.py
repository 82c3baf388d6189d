"""The core's ChatPort on Slack's Web API, and a cached view of Slack users; each workspace through its own client."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from bot.chat_port import FileToSend
from bot.errors import PlatformRefused
from bot.identities import Channel, Member, MessageRef, ThreadRef
from bot.replies import Image, Reply
from handlers.slack.clients import WorkspaceClients
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
    """Posts through chat.postMessage / chat.postEphemeral with the workspace's client; a Slack thread is its root
    message's ts."""

    def __init__(self, clients: WorkspaceClients) -> None:
        self.clients = clients

    async def reaches(self, workspace: str) -> bool:
        """Whether debrief can post in the workspace (with the install flow: it has an installation)."""
        return await self.clients.installed(workspace)

    async def post(self, channel: Channel, reply: Reply) -> MessageRef:
        """Post a message in a channel."""
        async with refusals():
            client = await self.clients.for_workspace(channel.workspace)
            response = await client.chat_postMessage(
                channel=channel.channel_id, text=notification(reply), blocks=reply_blocks(reply), unfurl_links=False
            )
        return MessageRef(channel, str(response["ts"]))

    async def post_image(self, channel: Channel, reply: Reply, image: bytes, filename: str) -> MessageRef:
        """The reply's text with the image uploaded into the channel (files.uploadV2 flow)."""
        async with refusals():
            client = await self.clients.for_workspace(channel.workspace)
            response = await client.files_upload_v2(
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
            client = await self.clients.for_workspace(member.workspace)
            opened = await client.conversations_open(users=member.user_id)
            response = await client.files_upload_v2(
                channel=opened["channel"]["id"],
                file_uploads=[{"content": f.content, "filename": f.filename, "title": f.filename} for f in files],
                initial_comment=notification(reply),
            )
        except (SlackApiError, PlatformRefused):
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
            client = await self.clients.for_workspace(thread.channel.workspace)
            response = await client.chat_postMessage(
                channel=thread.channel.channel_id,
                thread_ts=thread.thread_id,
                text=notification(reply),
                blocks=reply_blocks(reply),
            )
        return MessageRef(thread.channel, str(response["ts"]))

    async def send_private(self, member: Member, reply: Reply, *, thread: ThreadRef | None = None) -> bool:
        """An ephemeral message in the thread's channel, or a DM when there is no thread."""
        try:
            client = await self.clients.for_workspace(member.workspace)
            if thread is not None:
                await client.chat_postEphemeral(
                    channel=thread.channel.channel_id,
                    user=member.user_id,
                    thread_ts=thread.thread_id,
                    text=notification(reply),
                    blocks=reply_blocks(reply),
                )
            else:
                opened = await client.conversations_open(users=member.user_id)
                await client.chat_postMessage(
                    channel=opened["channel"]["id"], text=notification(reply), blocks=reply_blocks(reply)
                )
        except (SlackApiError, PlatformRefused):
            return False
        return True


@dataclass(frozen=True)
class SlackUser:
    """What debrief needs to know about a Slack user."""

    name: str
    is_admin: bool


class SlackDirectory:
    """users.info (with the workspace's client) with a short cache, for display names and the admin check."""

    def __init__(self, clients: WorkspaceClients) -> None:
        self.clients = clients
        self._cache: dict[tuple[str, str], tuple[float, SlackUser]] = {}

    def cached(self, workspace: str, user_id: str) -> SlackUser | None:
        """The user if looked up recently, without calling Slack."""
        cached = self._cache.get((workspace, user_id))
        return cached[1] if cached and time.monotonic() - cached[0] < USER_CACHE_SECONDS else None

    async def user(self, workspace: str, user_id: str) -> SlackUser:
        """The user's display name and whether they are a workspace admin or owner."""
        cached = self._cache.get((workspace, user_id))
        if cached and time.monotonic() - cached[0] < USER_CACHE_SECONDS:
            return cached[1]
        client = await self.clients.for_workspace(workspace)
        response = await client.users_info(user=user_id)
        data = response["user"]
        profile = data.get("profile") or {}
        name = profile.get("display_name") or data.get("real_name") or data.get("name") or user_id
        user = SlackUser(
            name=str(name),
            is_admin=bool(data.get("is_admin") or data.get("is_owner") or data.get("is_primary_owner")),
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[(workspace, user_id)] = (time.monotonic(), user)
        return user
