"""What `/debrief status` says about a channel: whether it posts, when the next question is due, its settings."""

from __future__ import annotations

from datetime import datetime

from bot.channel_settings import ChannelSettings
from bot.replies import Command, Kind, Reply, Section, Setting, line, text


def next_post_words(due: datetime, now: datetime) -> str:
    """`Wed 2 Dec at 09:00 (Europe/Berlin), in 17 h`: a due time in the channel's zone and how far off it is."""
    hours = max(0, round((due - now).total_seconds() / 3600))
    away = "within the hour" if hours == 0 else f"in {hours} h" if hours < 48 else f"in {round(hours / 24)} days"
    return f"{due.strftime('%a')} {due.day} {due.strftime('%b')} at {due.strftime('%H:%M')} ({due.tzinfo}), {away}"


def channel_status_reply(settings: ChannelSettings, now: datetime, today_state: str | None) -> Reply:
    """The status of a set-up channel; `today_state` is how its local today stands (posted, skipped, or None)."""
    today = {"posted": "posted", "posting": "being posted", "skipped": "skipped"}.get(today_state or "", "not yet")
    due = settings.next_post(now, today_done=today_state is not None)
    if due is not None:
        posting = line("Posting is on. Next question: ", next_post_words(due, now), ".")
    else:
        posting = line(
            "Posting is off here: no questions, reminders or digests until an admin types ",
            Command("setup", settings=(("posting", "on"),)),
            ".",
        )
    facts = text(posting, line(f"Today's question: {today}."))
    settings_lines = text(*(line(Setting(key, value)) for key, value in settings.describe()), kind=Kind.BULLETS)
    summary = "Posting is on" if due is not None else "Posting is off"
    return Reply(
        summary, title="debrief in this channel", body=(facts,), sections=(Section("Settings", (settings_lines,)),)
    )
