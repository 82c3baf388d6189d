"""`/debrief status`: on or off, the next question in the channel's own zone, today's state and the settings."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.channel_settings import ChannelSettings
from bot.channel_status import channel_status_reply
from bot.replies import plain_text

TUESDAY_0800_UTC = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_an_active_channel_says_when_the_next_question_comes_in_its_zone() -> None:
    settings = ChannelSettings(post_time=time(9, 30), timezone="America/New_York", weekdays=(0, 1, 2, 3, 4))
    said = plain_text(channel_status_reply(settings, TUESDAY_0800_UTC, None))
    assert "Posting is on" in said and "Tue 1 Dec at 09:30 (America/New_York), in 6 h" in said
    assert "Today's question: not yet" in said and "tz=America/New_York" in said


def test_once_today_is_posted_the_next_question_is_the_next_weekday() -> None:
    settings = ChannelSettings(post_time=time(7, 0), timezone="UTC", weekdays=(1, 3))  # tue, thu
    said = plain_text(channel_status_reply(settings, TUESDAY_0800_UTC, "posted"))
    assert "Thu 3 Dec at 07:00 (UTC), in 47 h" in said and "Today's question: posted" in said


def test_a_channel_switched_off_says_how_to_resume() -> None:
    settings = ChannelSettings(active=False)
    said = plain_text(channel_status_reply(settings, TUESDAY_0800_UTC, "skipped"))
    assert "Posting is off" in said and "setup posting=on" in said and "Next question" not in said
