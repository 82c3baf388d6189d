"""Running a channel on Slack: switching posting off and on, and `/debrief status`."""

from __future__ import annotations

from bot.identities import Channel
from tests.handlers.slack.harness import SlackHarness

CHANNEL = Channel("slack:T1", "C1")


async def test_setup_off_keeps_the_settings_and_status_says_so(slack: SlackHarness) -> None:
    await slack.command("setup time=07:45 tz=Asia/Tokyo days=daily", "UADMIN", key="s1")
    await slack.command("setup off", "UADMIN", key="s2")
    saved = (await slack.responses(2))[-1]
    assert "Posting is off" in saved["text"] and "history and streaks stay" in saved["text"]
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None and not settings.active and settings.timezone == "Asia/Tokyo"

    await slack.command("status", "UMEMBER", key="s3")
    status = (await slack.responses(3))[-1]
    shown = str(status["blocks"])
    assert status["response_type"] == "ephemeral" and "Posting is off" in shown and "setup on" in shown
    assert "tz=Asia/Tokyo" in shown

    await slack.command("setup off", "UMEMBER", key="s4")
    assert "Only workspace admins" in (await slack.responses(4))[-1]["text"]
    await slack.command("setup on", "UADMIN", key="s5")
    await slack.responses(5)
    await slack.command("status", "UMEMBER", key="s6")
    shown = str((await slack.responses(6))[-1]["blocks"])
    assert "Posting is on" in shown and "07:45 (Asia/Tokyo)" in shown


async def test_status_of_a_channel_nobody_set_up_says_how_to_start(slack: SlackHarness) -> None:
    await slack.command("status", "UMEMBER", key="s1")
    said = (await slack.responses())[0]["text"]
    assert "not set up" in said and "/debrief setup time=09:00" in said
    await slack.command("status now please", "UMEMBER", key="s2")
    assert "takes no words" in (await slack.responses(2))[-1]["text"]
