"""What the core sends to chat platforms: neutral replies, and the port each adapter implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.identities import Channel, Member, MessageRef, ThreadRef


@dataclass(frozen=True)
class Section:
    """A titled block of text inside a reply; `from_members` text is escaped by every renderer."""

    title: str | None
    text: str
    from_members: bool = False


@dataclass(frozen=True)
class Button:
    """A button whose id is neutral, so both platforms route it back the same way after a restart."""

    label: str
    action_id: str
    value: str = ""


@dataclass(frozen=True)
class Reply:
    """Outbound content: a summary line, optional sections and buttons, private unless said otherwise."""

    text: str
    sections: tuple[Section, ...] = ()
    buttons: tuple[Button, ...] = ()
    private: bool = True
    fields: tuple[tuple[str, str], ...] = field(default=())


class ChatPort(Protocol):
    """Posting nobody asked for (the daily question, review requests), implemented by each adapter."""

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

    async def open_private_thread(self, channel: Channel, member: Member, reply: Reply) -> ThreadRef | None:
        """A thread only `member` (and the bot) can see, starting with `reply`; None if the platform has none."""
        ...
