"""The welcome when the bot joins a channel: what it does and how to set it up, once per channel."""

from __future__ import annotations

from bot.app.bootstrap import Core
from bot.channel_settings import ChannelSettings
from bot.identities import Channel
from bot.onboarding import welcome_reply
from bot.replies import plain_text
from tests.scheduler.replicas import RecordingPlatform

CHANNEL = Channel("slack:T1", "C9")


async def test_a_channel_is_welcomed_once_even_when_joined_twice(core: Core) -> None:
    first = await core.onboarding.welcome(CHANNEL)
    assert first is not None and not first.private
    assert await core.onboarding.welcome(CHANNEL) is None
    assert await core.onboarding.welcome(Channel("slack:T1", "C10")) is not None, "another channel gets its own"


async def test_the_welcome_tells_admins_the_one_setup_command_until_the_channel_is_set_up(core: Core) -> None:
    said = plain_text(welcome_reply(set_up=False))
    assert "/debrief setup time=09:00 tz=Europe/Berlin days=weekdays" in said and "rubric feedback" in said
    await core.stores.channels.save(CHANNEL, ChannelSettings())
    reply = await core.onboarding.welcome(CHANNEL)
    assert reply is not None and "already set up" in plain_text(reply) and "/debrief status" in plain_text(reply)


async def test_greeting_posts_once_and_a_platform_that_refuses_breaks_nothing(core: Core) -> None:
    platform = RecordingPlatform(fail_next=1)
    assert not await core.onboarding.greet(CHANNEL, platform), "the platform was down: logged, not raised"
    other = Channel("slack:T1", "C11")
    assert await core.onboarding.greet(other, platform)
    assert not await core.onboarding.greet(other, platform)
    assert await core.onboarding.greet(CHANNEL, platform), "a welcome that could not be posted is tried again"
    assert [channel for channel, _ in platform.posts] == [other, CHANNEL]
