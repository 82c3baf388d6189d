"""Platform-qualified identities that cross the adapter boundary; ids are opaque strings."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Member:
    """A person in a workspace (`slack:T0123`, `discord:8138…`, `console:local`)."""

    workspace: str
    user_id: str
    display_name: str = field(default="", compare=False)

    @property
    def label(self) -> str:
        """A name to show without pinging anyone."""
        return self.display_name or self.user_id


@dataclass(frozen=True)
class Channel:
    """A channel in a workspace."""

    workspace: str
    channel_id: str


@dataclass(frozen=True)
class ThreadRef:
    """A thread: the channel and the id of its root message (Slack ts, Discord thread id)."""

    channel: Channel
    thread_id: str


@dataclass(frozen=True)
class MessageRef:
    """A message in a channel."""

    channel: Channel
    message_id: str


def personal(member: Member) -> Member:
    """The member as a person rather than a workspace seat: Discord user ids are the same in every server
    (and in DMs, which belong to no server), so a Discord member's personal things use one scope."""
    if member.workspace.startswith("discord:"):
        return Member("discord:users", member.user_id, member.display_name)
    return member
