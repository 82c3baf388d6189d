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
    assert status["response_type"] == "ephemeral" and "Posting is off" in shown and "setup posting=on" in shown
    assert "tz=Asia/Tokyo" in shown

    await slack.command("setup off", "UMEMBER", key="s4")
    assert "Only workspace admins" in (await slack.responses(4))[-1]["text"]
    await slack.command("setup posting=on", "UADMIN", key="s5")  # the long form of `setup on`
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


def joined(user: str, channel: str = "C7") -> dict[str, str]:
    return {"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": "C", "team": "T1"}


async def test_the_bot_says_hello_once_when_invited_and_ignores_other_joins(slack: SlackHarness) -> None:
    await slack.event(joined("UMEMBER"), "Ev-member-joins")
    await slack.event(joined("UBOT"), "Ev-bot-joins")
    (welcome,) = await slack.fake.wait_for("chat.postMessage")
    assert welcome["channel"] == "C7" and "Hi, I'm debrief" in welcome["text"]
    shown = str(welcome["blocks"])
    assert "/debrief setup time=09:00 tz=Europe/Berlin days=weekdays" in shown and "/debrief help" in shown
    await slack.event(joined("UBOT"), "Ev-bot-joins-again")  # removed and invited again the same week
    await slack.event(joined("UMEMBER", "C8"), "Ev-member-elsewhere")
    await slack.command("help", "UMEMBER", key="after")
    await slack.responses()
    assert len(slack.fake.of("chat.postMessage")) == 1, "one welcome, and nothing for a member joining"


def home_opened(user: str, stamp: str) -> dict[str, str]:
    return {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home", "event_ts": stamp}


async def test_app_home_lists_the_channels_an_admin_runs_and_nothing_of_it_for_members(slack: SlackHarness) -> None:
    await slack.command("setup time=07:45 tz=Asia/Tokyo days=daily", "UADMIN", key="s1")
    await slack.command("setup off", "UADMIN", channel_id="C2", key="s2")
    await slack.responses(2)
    await slack.event(home_opened("UADMIN", slack.fake.next_ts()), "Ev-home-admin")
    admin_home = str((await slack.fake.wait_for("views.publish"))[0]["view"])
    assert "Channels you run" in admin_home and "<#C1>: daily at 07:45 (Asia/Tokyo) · next:" in admin_home
    assert "<#C2>" in admin_home and "posting is off" in admin_home and "Set up this channel" in admin_home
    await slack.event(home_opened("UMEMBER", slack.fake.next_ts()), "Ev-home-member")
    member_home = str((await slack.fake.wait_for("views.publish", 2))[1]["view"])
    assert "Your interview practice" in member_home and "Channels you run" not in member_home


async def test_a_weekly_board_is_set_up_and_shown_as_this_weeks_points(slack: SlackHarness) -> None:
    await slack.command("setup board=weekly", "UADMIN", key="b1")
    assert "board=weekly" in str((await slack.responses())[0]["blocks"])
    await slack.command("setup board=monthly", "UADMIN", key="b2")
    assert "board is weekly or all-time" in (await slack.responses(2))[-1]["text"]
    await slack.command("leaderboard points", "UMEMBER", key="b3")
    said = (await slack.responses(3))[-1]["text"]
    assert "Nobody is on this leaderboard yet" in said and "weekly board" in said


async def test_a_skip_date_already_past_is_refused_and_the_list_stays(slack: SlackHarness) -> None:
    await slack.command("setup skip=2099-12-24,2099-12-25", "UADMIN", key="k1")
    await slack.command("setup skip=2025-01-01", "UADMIN", key="k2")
    refused = (await slack.responses(2))[-1]["text"]
    assert "Nothing was changed" in refused and "2025-01-01 has passed" in refused
    settings = await slack.app.channels.settings(CHANNEL)
    assert settings is not None and [d.isoformat() for d in settings.skip_dates] == ["2099-12-24", "2099-12-25"]


async def test_an_open_mock_offers_to_abandon_it_for_the_round_asked_for(slack: SlackHarness) -> None:
    for n, words in enumerate(("mock behavioral", "mock loop", "mock cooking"), start=1):
        await slack.command(words, "UMEMBER", key=f"m{n}")
        await slack.responses(n)  # one at a time: commands are handled concurrently and could answer out of order
    said = [r["text"] for r in await slack.responses(3)]
    assert "/debrief mock abandon loop" in said[1] and "abandon behavioral" not in said[1], said[1]
    assert "recruiter, behavioral, technical, xfn, leadership" in said[2] and "hiring_manager" not in said[2]
