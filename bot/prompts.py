"""Daily prompts: which question a channel got on which local date, where it was posted, when it closes."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from bot.identities import Channel, ThreadRef


class DailyPrompt(BaseModel):
    """One question posted (or opened, in practice mode) in one channel for one local date."""

    model_config = ConfigDict(frozen=True)

    id: str
    workspace: str
    channel_id: str
    question_id: str
    local_date: date
    posted_at: datetime
    closes_at: datetime
    message_id: str | None = None
    thread_id: str | None = None

    @property
    def channel(self) -> Channel:
        """The channel it was posted in."""
        return Channel(self.workspace, self.channel_id)

    @property
    def day(self) -> int:
        """The local date as a day number (streaks compare these)."""
        return self.local_date.toordinal()

    @property
    def thread(self) -> ThreadRef | None:
        """The thread answers go to, once posted."""
        return ThreadRef(self.channel, self.thread_id) if self.thread_id else None

    def is_open(self, at: datetime) -> bool:
        """Whether an answer at `at` is inside the answer window."""
        return at <= self.closes_at


def prompt_id(channel: Channel, local_date: date, question_id: str | None = None) -> str:
    """The id of a channel's prompt for a date (ad-hoc practice prompts add the question id)."""
    base = f"{channel.channel_id}:{local_date.isoformat()}"
    return f"{base}:{question_id}" if question_id else base


def new_prompt(
    channel: Channel,
    question_id: str,
    local_date: date,
    posted_at: datetime,
    window: timedelta,
    *,
    adhoc: bool = False,
) -> DailyPrompt:
    """A prompt opening now with the channel's answer window."""
    return DailyPrompt(
        id=prompt_id(channel, local_date, question_id if adhoc else None),
        workspace=channel.workspace,
        channel_id=channel.channel_id,
        question_id=question_id,
        local_date=local_date,
        posted_at=posted_at,
        closes_at=posted_at + window,
    )
