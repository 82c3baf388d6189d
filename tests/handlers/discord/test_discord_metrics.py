"""/metrics after real traffic through the Discord bot and the fake Discord: the counters move by what happened."""

from __future__ import annotations

from tests.bot.scenario import GOOD_ANSWER
from tests.handlers.discord.harness import DiscordHarness, F
from tests.metrics import metrics_url, sample, scrape, scrape_until

DISCORD = {"platform": "discord"}


async def test_answers_latency_posts_and_a_429_are_counted(discord_bot: DiscordHarness) -> None:
    async with metrics_url(discord_bot.app, ["discord"]) as url:
        assert sample("debrief_answers_total", status="recorded", **DISCORD) not in await scrape(url)
        thread_id = await discord_bot.post_today()
        # the first DM channel Discord is asked to open answers 429 once; discord.py waits and retries
        discord_bot.fake.rate_limit_once.add(("POST", r"/users/@me/channels"))
        first = await discord_bot.say(thread_id, F.MEMBER_ID, "I decided to cut scope.")
        await discord_bot.say(thread_id, F.MEMBER_ID, GOOD_ANSWER)
        await discord_bot.say(thread_id, F.OTHER_ID, GOOD_ANSWER)
        await discord_bot.fake.dispatch("MESSAGE_CREATE", first)  # the same message again: a duplicate

        samples = await scrape_until(
            url,
            lambda s: (
                s.get(sample("debrief_feedback_latency_seconds_count", **DISCORD)) == 3
                and s.get(sample("debrief_answers_total", status="duplicate", **DISCORD)) == 1
            ),
        )
    assert samples[sample("debrief_answers_total", status="recorded", **DISCORD)] == 3
    assert samples[sample("debrief_answers_total", status="duplicate", **DISCORD)] == 1
    assert samples[sample("debrief_feedback_latency_seconds_count", **DISCORD)] == 3
    assert samples[sample("debrief_daily_posts_total", status="posted", **DISCORD)] == 1
    assert samples[sample("debrief_post_claims_total", result="won", **DISCORD)] == 1
    assert samples[sample("debrief_platform_rate_limited_total", **DISCORD)] == 1
    assert samples[sample("debrief_platform_api_errors_total", error="429", **DISCORD)] == 1
    assert samples[sample("debrief_outbox_depth", **DISCORD)] == 0
