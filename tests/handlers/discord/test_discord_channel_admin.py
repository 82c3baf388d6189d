"""Running a channel on Discord: the `posting` setup option and `/debrief status`."""

from __future__ import annotations

from bot.identities import Channel
from tests.handlers.discord.fake_discord import EPHEMERAL
from tests.handlers.discord.harness import WORKSPACE, DiscordHarness
from tests.handlers.discord.harness import F as Fake
from tests.handlers.discord.test_discord_bot import embed_text

CHANNEL = Channel(WORKSPACE, str(Fake.TEXT_CHANNEL_ID))


async def test_posting_off_then_on_with_status_between(discord_bot: DiscordHarness) -> None:
    await discord_bot.command(Fake.ADMIN_ID, "setup", {"time": "07:45", "tz": "Asia/Tokyo", "days": "daily"})
    _, off = await discord_bot.command(Fake.ADMIN_ID, "setup", {"posting": False})
    assert "Posting is off" in embed_text(off.json)
    settings = await discord_bot.app.channels.settings(CHANNEL)
    assert settings is not None and not settings.active and settings.timezone == "Asia/Tokyo"

    _, status = await discord_bot.command(Fake.MEMBER_ID, "status")
    shown = embed_text(status.json)
    assert status.json["flags"] & EPHEMERAL and "Posting is off" in shown and "setup" in shown

    _, refused = await discord_bot.command(Fake.MEMBER_ID, "setup", {"posting": True})
    assert "Only" in embed_text(refused.json)
    await discord_bot.command(Fake.ADMIN_ID, "setup", {"posting": True})
    _, status = await discord_bot.command(Fake.MEMBER_ID, "status")
    assert "Posting is on" in embed_text(status.json) and "07:45 (Asia/Tokyo)" in embed_text(status.json)


async def test_joining_a_server_posts_one_welcome_where_the_bot_may_write(discord_bot: DiscordHarness) -> None:
    fake = discord_bot.fake
    joined = {k: v for k, v in fake.guild_payload().items() if k != "unavailable"}  # a join, not an outage ending
    await fake.dispatch("GUILD_DELETE", {"id": str(Fake.GUILD_ID)})  # removed from the server...
    await fake.dispatch("GUILD_CREATE", joined)  # ...and invited again
    (welcome,) = await fake.wait_for("POST", rf"/channels/{Fake.TEXT_CHANNEL_ID}/messages")
    shown = embed_text(welcome.json)
    assert "Hi, I'm debrief" in shown and "/debrief setup" in shown
    assert welcome.json["allowed_mentions"] == {"parse": []}
    await fake.dispatch("GUILD_DELETE", {"id": str(Fake.GUILD_ID)})
    await fake.dispatch("GUILD_CREATE", joined)
    await discord_bot.command(Fake.MEMBER_ID, "help")
    assert len(fake.of("POST", rf"/channels/{Fake.TEXT_CHANNEL_ID}/messages")) == 1, "welcomed once"


async def test_a_weekly_board_is_set_up_with_its_option(discord_bot: DiscordHarness) -> None:
    _, saved = await discord_bot.command(Fake.ADMIN_ID, "setup", {"board": "weekly"})
    assert "board:weekly" in embed_text(saved.json)
    settings = await discord_bot.app.channels.settings(CHANNEL)
    assert settings is not None and settings.board == "weekly"
    _, board = await discord_bot.command(Fake.MEMBER_ID, "leaderboard", {"board": "points"})
    assert "weekly board" in embed_text(board.json)
