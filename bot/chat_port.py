"""How the core posts what nobody asked for (the daily question, summaries, review requests): each adapter
implements this port."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.identities import Channel, Member, MessageRef, ThreadRef
from bot.replies import Reply


@dataclass(frozen=True)
class FileToSend:
    """A file sent with a message: its name, its bytes and their media type."""

    filename: str
    content: bytes
    media_type: str = "application/octet-stream"


class ChatPort(Protocol):
    """Posting into a platform, implemented by each adapter."""

    async def post(self, channel: Channel, reply: Reply) -> MessageRef:
        """Post a message in a channel."""
        ...

    async def open_thread(self, message: MessageRef, title: str) -> ThreadRef:
        """Start (or name) the thread that replies to `message` go to."""
        ...

    async def reply_in_thread(self, thread: ThreadRef, reply: Reply) -> MessageRef:
        """Reply inside a thread."""
        ...

    async def send_private(self, member: Member, reply: Reply, *, thread: ThreadRef | None = None) -> bool:
        """Send something only `member` sees; False when the platform will not deliver it (closed DMs)."""
        ...

    async def post_image(self, channel: Channel, reply: Reply, image: bytes, filename: str) -> MessageRef:
        """Post a message with an image file attached."""
        ...

    async def send_private_files(self, member: Member, reply: Reply, files: Sequence[FileToSend]) -> bool:
        """Send files with a message only `member` sees (a DM); False when the platform will not deliver them."""
        ...

    async def open_private_thread(self, channel: Channel, member: Member, reply: Reply) -> ThreadRef | None:
        """A thread only `member` (and the bot) can see, starting with `reply`; None if the platform has none."""
        ...
