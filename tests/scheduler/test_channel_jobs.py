"""Every channel's question on time, exactly once, across replicas, DST changes, restarts and failures."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from bot.answers import SubmitAnswer
from bot.app.bootstrap import build_core
from bot.app.settings import Settings
from bot.channel_settings import ChannelSettings
from bot.identities import Channel, Member
from bot.replies import plain_text
from bot.scoring.engine import FeedbackEngine
from bot.store import Stores, keys
from content.loader import Bank
from scheduler.channel_jobs import ChannelJobs
from tests.bot.scenario import GOOD_ANSWER
from tests.scheduler.replicas import RecordingPlatform, replica, tick
from tests.shipped import shipped_engine

WS = "slack:T1"
ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "America/Los_Angeles"]


async def configure(redis: Redis, channel: Channel, settings: ChannelSettings) -> None:
    await Stores.over(redis).channels.save(channel, settings)


def expected_posts(settings: ChannelSettings, start: datetime, end: datetime) -> set[date]:
    """The local dates whose post time falls in [start, end]."""
    zone = settings.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    found = set()
    while day <= end.astimezone(zone).date() + timedelta(days=1):
        at = datetime.combine(day, settings.post_time, zone)
        if day.weekday() in settings.weekdays and start <= at.astimezone(UTC) <= end:
            found.add(day)
        day += timedelta(days=1)
    return found


async def test_three_replicas_a_hundred_and_twenty_channels_two_days_exactly_once(
    redis: Redis, redis_url: str, bank: Bank, engine: FeedbackEngine
) -> None:
    rng = random.Random(7)
    platform = RecordingPlatform()
    channels: dict[str, ChannelSettings] = {}
    for i in range(120):
        settings = ChannelSettings(
            post_time=time(rng.randrange(24), rng.choice([0, 15, 30, 45])),
            timezone=rng.choice(ZONES),
            weekdays=tuple(sorted(rng.sample(range(7), rng.randint(3, 7)))),
        )
        channels[f"C{i:03d}"] = settings
        await configure(redis, Channel(WS, f"C{i:03d}"), settings)
    start = datetime(2026, 3, 7, 0, 5, tzinfo=UTC)  # spans the US spring-forward night (2026-03-08)
    end = start + timedelta(days=2)
    clients = [Redis.from_url(redis_url, decode_responses=True) for _ in range(3)]
    with time_machine.travel(start, tick=False) as traveller:
        replicas = [replica(c, bank, engine, {"slack": platform}) for c in clients]
        for r in replicas:
            await r.start()
        now = start
        while now < end:  # every half hour: posts due at :15 and :45 run late, within the misfire grace
            await tick(replicas)
            traveller.shift(timedelta(minutes=30))
            now += timedelta(minutes=30)
        for r in replicas:
            await r.stop()
    for c in clients:
        await c.aclose()
    posted = Counter((ch.channel_id, text) for ch, text in platform.posts)
    per_channel = platform.posts_per_channel()
    duplicates = sum(n - 1 for n in posted.values() if n > 1)
    missing = 0
    # Posts due up to an hour before the replicas started are caught up (misfire grace); the last tick
    # is 30 minutes before `end`.
    for channel_id, settings in channels.items():
        want = len(expected_posts(settings, start - timedelta(hours=1), end - timedelta(minutes=30)))
        missing += max(0, want - per_channel[channel_id])
        assert per_channel[channel_id] == want, (channel_id, settings.describe(), want, per_channel[channel_id])
    assert duplicates == 0 and missing == 0
    assert len(platform.posts) > 150, "the run exercised many posts"


async def test_dst_days_post_once_in_two_timezones(redis: Redis, bank: Bank, engine: FeedbackEngine) -> None:
    platform = RecordingPlatform()
    cases = {
        "gap-ny": ChannelSettings(post_time=time(2, 30), timezone="America/New_York", weekdays=tuple(range(7))),
        "fold-ny": ChannelSettings(post_time=time(1, 30), timezone="America/New_York", weekdays=tuple(range(7))),
        "gap-berlin": ChannelSettings(post_time=time(2, 30), timezone="Europe/Berlin", weekdays=tuple(range(7))),
        "fold-berlin": ChannelSettings(post_time=time(2, 30), timezone="Europe/Berlin", weekdays=tuple(range(7))),
    }
    for channel_id, settings in cases.items():
        await configure(redis, Channel(WS, channel_id), settings)
    windows = [  # (start, days): the day before each DST change and the day of it
        (datetime(2026, 3, 7, 0, 0, tzinfo=UTC), 2),  # US spring forward 03-08
        (datetime(2026, 10, 31, 0, 0, tzinfo=UTC), 2),  # US fall back 11-01, Europe 10-25 already past
        (datetime(2026, 3, 28, 0, 0, tzinfo=UTC), 2),  # Europe spring forward 03-29
        (datetime(2026, 10, 24, 0, 0, tzinfo=UTC), 2),  # Europe fall back 10-25
    ]
    for start, days in windows:
        platform.posts.clear()
        await redis.flushdb()
        for channel_id, settings in cases.items():
            await configure(redis, Channel(WS, channel_id), settings)
        with time_machine.travel(start, tick=False) as traveller:
            jobs = replica(redis, bank, engine, {"slack": platform})
            await jobs.start()
            for _ in range(days * 24 * 4):
                await tick([jobs])
                traveller.shift(timedelta(minutes=15))
            await jobs.stop()
        counts = platform.posts_per_channel()
        for channel_id in cases:
            assert counts[channel_id] == days, (start, channel_id, counts[channel_id])


async def test_restart_within_the_misfire_grace_still_posts_once(
    redis: Redis, bank: Bank, engine: FeedbackEngine
) -> None:
    platform = RecordingPlatform()
    settings = ChannelSettings(post_time=time(9, 0), timezone="Europe/Berlin", weekdays=tuple(range(7)))
    await configure(redis, Channel(WS, "C1"), settings)
    post_time = datetime(2026, 4, 1, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    with time_machine.travel(post_time + timedelta(minutes=12), tick=False) as traveller:
        jobs = replica(redis, bank, engine, {"slack": platform})
        await jobs.start()
        await tick([jobs])
        assert platform.posts_per_channel()["C1"] == 1, "a process started 12 minutes late still posts today"
        await jobs.stop()
        late = replica(redis, bank, engine, {"slack": platform})
        await late.start()
        traveller.shift(timedelta(minutes=5))
        await tick([late])
        await late.stop()
    assert platform.posts_per_channel()["C1"] == 1, "a second restart does not post again"
    with time_machine.travel(post_time + timedelta(hours=3), tick=False):
        platform.posts.clear()
        await redis.delete(f"debrief:{{{WS}}}:channel:C1:claim:2026-04-01")
        too_late = replica(redis, bank, engine, {"slack": platform})
        await too_late.start()
        await tick([too_late])
        await too_late.stop()
    assert not platform.posts, "past the misfire grace the day is not posted late"


async def test_failed_post_releases_the_claim_and_is_retried(redis: Redis, bank: Bank, engine: FeedbackEngine) -> None:
    platform = RecordingPlatform(fail_next=1)
    settings = ChannelSettings(post_time=time(8, 0), timezone="UTC", weekdays=tuple(range(7)))
    await configure(redis, Channel(WS, "C1"), settings)
    with time_machine.travel(datetime(2026, 4, 1, 7, 59, tzinfo=UTC), tick=False) as traveller:
        jobs = replica(redis, bank, engine, {"slack": platform}, retry_delay=timedelta(minutes=2))
        await jobs.start()
        traveller.shift(timedelta(minutes=1))
        await tick([jobs])
        assert platform.posts == []
        assert await Stores.over(redis).schedule.post_claim(Channel(WS, "C1"), date(2026, 4, 1)) is None, (
            "claim released"
        )
        traveller.shift(timedelta(minutes=2))
        await tick([jobs])
        await jobs.stop()
    assert platform.posts_per_channel()["C1"] == 1


async def test_settings_changed_by_another_replica_are_picked_up(
    redis: Redis, bank: Bank, engine: FeedbackEngine
) -> None:
    platform = RecordingPlatform()
    await configure(redis, Channel(WS, "C1"), ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7))))
    with time_machine.travel(datetime(2026, 4, 1, 6, 0, tzinfo=UTC), tick=False) as traveller:
        jobs = replica(redis, bank, engine, {"slack": platform}, refresh_seconds=30)
        await jobs.start()
        await configure(redis, Channel(WS, "C1"), ChannelSettings(post_time=time(7, 0), weekdays=tuple(range(7))))
        await configure(redis, Channel(WS, "C2"), ChannelSettings(post_time=time(7, 0), weekdays=tuple(range(7))))
        traveller.shift(timedelta(seconds=45))
        await tick([jobs])  # the refresh job runs
        traveller.shift(timedelta(hours=1, seconds=15))
        await tick([jobs])
        await jobs.stop()
    assert platform.posts_per_channel() == Counter({"C1": 1, "C2": 1})


async def test_window_close_settles_streaks_and_posts_a_summary(
    redis: Redis, bank: Bank, engine: FeedbackEngine
) -> None:
    platform = RecordingPlatform()
    channel = Channel(WS, "C1")
    settings = ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7)), window_hours=12, reminders=True)
    await configure(redis, channel, settings)
    alice, bob = Member(WS, "U1", "alice"), Member(WS, "U2", "bob")
    with time_machine.travel(datetime(2026, 4, 1, 8, 59, tzinfo=UTC), tick=False) as traveller:
        core = build_core(Settings.model_construct(), bank, redis, engine=shipped_engine())
        jobs = ChannelJobs(core.scheduled, {"slack": platform}, scheduler=AsyncIOScheduler(timezone="UTC"))
        await jobs.start()
        for day in range(2):
            traveller.shift(timedelta(minutes=2))
            await tick([jobs])
            prompt = (await jobs.posts.todays(channel, settings))[0]
            answerers = [alice, bob] if day == 0 else [alice]
            for member in answerers:
                await core.answers.submit(
                    SubmitAnswer(
                        member, f"m{day}{member.user_id}", GOOD_ANSWER, datetime.now(UTC), thread=prompt.thread
                    )
                )
            traveller.shift(timedelta(hours=9))  # reminder due 3 hours before the close
            await tick([jobs])
            traveller.shift(timedelta(hours=3, minutes=1))
            await tick([jobs])
            traveller.shift(timedelta(hours=24 - 12 - 2 / 60 - 1 / 60))
        await jobs.stop()
    summaries = [reply for _, reply in platform.thread_replies if "closed" in reply.summary]
    reminders = [reply for _, reply in platform.thread_replies if "Streaks at risk" in reply.summary]
    assert [s.summary for s in summaries] == [
        "This question is closed: 2 people answered.",
        "This question is closed: 1 person answered.",
    ]
    assert len(reminders) == 1 and "bob (1 day)" in plain_text(reminders[0])
    store = Stores.over(redis)
    assert (await store.standings.streak(bob, date(2026, 4, 3).toordinal())).current == 0
    assert [row.user_id for row in await store.standings.active_streaks(WS)] == ["U1"], (
        "bob's streak was settled at the close"
    )


async def test_monday_digest_with_chart_once(redis: Redis, bank: Bank, engine: FeedbackEngine) -> None:
    platform = RecordingPlatform()
    await configure(redis, Channel(WS, "C1"), ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7))))
    clients = [
        Redis.from_url(redis.connection_pool.connection_kwargs and _url(redis), decode_responses=True) for _ in range(2)
    ]
    with time_machine.travel(datetime(2026, 4, 5, 23, 0, tzinfo=UTC), tick=False) as traveller:  # Sunday night
        replicas = [replica(c, bank, engine, {"slack": platform}) for c in clients]
        for r in replicas:
            await r.start()
        traveller.shift(timedelta(hours=10, minutes=5))  # Monday 09:05
        await tick(replicas)
        for r in replicas:
            await r.stop()
    for c in clients:
        await c.aclose()
    assert len(platform.images) == 1
    channel, reply, image = platform.images[0]
    assert channel.channel_id == "C1" and reply.summary.startswith("Weekly digest:")
    assert image[:8] == b"\x89PNG\r\n\x1a\n"


def _url(redis: Redis) -> str:
    kwargs = redis.connection_pool.connection_kwargs
    return f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


async def test_a_channel_switched_off_gets_no_post_or_digest_until_switched_on(
    redis: Redis, bank: Bank, engine: FeedbackEngine
) -> None:
    platform = RecordingPlatform()
    daily = ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7)))
    await configure(redis, Channel(WS, "C1"), daily.model_copy(update={"active": False}))
    await configure(redis, Channel(WS, "C2"), daily)
    with time_machine.travel(datetime(2026, 4, 6, 8, 0, tzinfo=UTC), tick=False) as traveller:  # a Monday
        jobs = replica(redis, bank, engine, {"slack": platform}, refresh_seconds=30)
        await jobs.start()
        traveller.shift(timedelta(hours=1, minutes=1))
        await tick([jobs])
        assert platform.posts_per_channel() == Counter({"C2": 1}), "no question and no digest in C1"
        assert await jobs.post_channel(WS, "C1") is None, "a job that fires after `setup off` posts nothing"
        await configure(redis, Channel(WS, "C1"), daily)
        traveller.shift(timedelta(days=1))
        await tick([jobs])
        traveller.shift(timedelta(seconds=45))
        await tick([jobs])
        await jobs.stop()
    assert platform.posts_per_channel()["C1"] >= 1, "switched back on, C1 posts again"


async def test_a_reminder_run_skips_the_paused_member_and_the_close_keeps_their_streak(
    redis: Redis, bank: Bank, engine: FeedbackEngine
) -> None:
    platform = RecordingPlatform()
    channel = Channel(WS, "C1")
    settings = ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7)), window_hours=12, reminders=True)
    await configure(redis, channel, settings)
    alice, bob, carol = Member(WS, "U1", "alice"), Member(WS, "U2", "bob"), Member(WS, "U3", "carol")
    with time_machine.travel(datetime(2026, 4, 1, 8, 59, tzinfo=UTC), tick=False) as traveller:
        core = build_core(Settings.model_construct(), bank, redis, engine=shipped_engine())
        jobs = ChannelJobs(core.scheduled, {"slack": platform}, scheduler=AsyncIOScheduler(timezone="UTC"))
        await jobs.start()
        for day in range(2):
            traveller.shift(timedelta(minutes=2))
            await tick([jobs])
            prompt = (await jobs.posts.todays(channel, settings))[0]
            for member in [alice, bob, carol] if day == 0 else [alice]:
                await core.answers.submit(
                    SubmitAnswer(
                        member, f"m{day}{member.user_id}", GOOD_ANSWER, datetime.now(UTC), thread=prompt.thread
                    )
                )
            if day == 1:
                await core.stores.members.pause(bob, prompt.day, date(2026, 4, 5))
            traveller.shift(timedelta(hours=9))
            await tick([jobs])
            traveller.shift(timedelta(hours=3, minutes=1))
            await tick([jobs])
            traveller.shift(timedelta(hours=24 - 12 - 2 / 60 - 1 / 60))
        await jobs.stop()
    reminders = [plain_text(reply) for _, reply in platform.thread_replies if "Streaks at risk" in reply.summary]
    assert len(reminders) == 1 and "carol (1 day)" in reminders[0] and "bob" not in reminders[0]
    assert [row.user_id for row in await core.stores.standings.active_streaks(WS)] == ["U1", "U2"], (
        "carol's streak ended at the close; bob's waits for him"
    )


async def test_a_members_own_timezone_decides_when_their_reminder_is_due(
    redis: Redis, bank: Bank, engine: FeedbackEngine
) -> None:
    platform = RecordingPlatform()
    channel = Channel(WS, "C1")
    settings = ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7)), window_hours=12, reminders=True)
    await configure(redis, channel, settings)
    bob = Member(WS, "U2", "bob")
    seen: list[tuple[str, datetime]] = []
    with time_machine.travel(datetime(2026, 4, 1, 8, 59, tzinfo=UTC), tick=False) as traveller:
        core = build_core(Settings.model_construct(), bank, redis, engine=shipped_engine())
        jobs = ChannelJobs(core.scheduled, {"slack": platform}, scheduler=AsyncIOScheduler(timezone="UTC"))
        await jobs.start()
        traveller.shift(timedelta(minutes=2))
        await tick([jobs])
        prompt = (await jobs.posts.todays(channel, settings))[0]
        await core.answers.submit(SubmitAnswer(bob, "m0", GOOD_ANSWER, datetime.now(UTC), thread=prompt.thread))
        for zone in ("Europe/Berlin", "Asia/Kolkata"):  # 18:00 there is 16:00 and 12:30 UTC in April
            await core.commands.members.me_reply(bob, channel, [f"tz={zone}"])
            traveller.move_to(datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(9, 1), UTC))
            await tick([jobs])
            for _ in range(12 * 4):
                traveller.shift(timedelta(minutes=15))
                before = len(platform.private)
                await tick([jobs])
                if len(platform.private) > before:
                    seen.append((platform.private[-1][1].summary, datetime.now(UTC)))
                    today = (await jobs.posts.todays(channel, settings))[0]
                    await core.answers.submit(
                        SubmitAnswer(bob, f"m{zone}", GOOD_ANSWER, datetime.now(UTC), thread=today.thread)
                    )
        await jobs.stop()
    assert [(summary[:26], when.strftime("%H:%M")) for summary, when in seen] == [
        ("Your 1-day streak is at ri", "16:01"),
        ("Your 2-day streak is at ri", "12:31"),
    ]
    assert not [r for _, r in platform.thread_replies if "Streaks at risk" in r.summary], "bob was reminded privately"


class RemovablePlatform(RecordingPlatform):
    """A platform the app can be removed from, workspace by workspace (as Slack with the install flow)."""

    def __init__(self) -> None:
        super().__init__()
        self.removed: set[str] = set()

    async def reaches(self, workspace: str) -> bool:
        return workspace not in self.removed


async def test_a_workspace_that_removed_the_app_gets_nothing_and_its_close_still_settles(
    redis: Redis, bank: Bank, engine: FeedbackEngine
) -> None:
    platform = RemovablePlatform()
    kept, gone = Channel("slack:T2", "C2"), Channel(WS, "C1")
    settings = ChannelSettings(post_time=time(9, 0), weekdays=tuple(range(7)), window_hours=12, reminders=True)
    for channel in (kept, gone):
        await configure(redis, channel, settings)
    alice = Member(WS, "U1", "alice")
    with time_machine.travel(datetime(2026, 4, 1, 8, 59, tzinfo=UTC), tick=False) as traveller:
        core = build_core(Settings.model_construct(), bank, redis, engine=shipped_engine())
        jobs = ChannelJobs(core.scheduled, {"slack": platform}, scheduler=AsyncIOScheduler(timezone="UTC"))
        await jobs.start()
        traveller.shift(timedelta(minutes=2))  # Wednesday 09:01
        await tick([jobs])
        prompt = (await jobs.posts.todays(gone, settings))[0]
        await core.answers.submit(SubmitAnswer(alice, "m1", GOOD_ANSWER, datetime.now(UTC), thread=prompt.thread))
        traveller.shift(timedelta(hours=24))  # Thursday 09:01: both post again, then the app is removed from T1
        await tick([jobs])
        platform.removed.add(WS)
        replies_before = len(platform.thread_replies)
        await jobs.refresh()
        assert jobs.scheduler.get_job(f"post:{WS}:C1") is None and jobs.scheduler.get_job("post:slack:T2:C2")
        traveller.shift(timedelta(hours=12, minutes=1))  # Thursday's reminders and close are due
        await tick([jobs])
        traveller.shift(timedelta(hours=12))  # Friday morning
        await tick([jobs])
        assert await jobs.post_channel(WS, "C1") is None
        await jobs.stop()
    assert Counter(c.channel_id for c, _ in platform.posts) == {"C1": 2, "C2": 3}, "no post after the removal"
    after = platform.thread_replies[replies_before:]
    assert after and {t.channel.channel_id for t, _ in after} == {"C2"}, "no reminder or summary there either"
    assert jobs.scheduler.get_job(f"retry:{WS}:C1") is None, "and nothing is retried"
    due = await Stores.over(redis).schedule.due(datetime(2026, 4, 4, tzinfo=UTC))
    assert [e for e in due if e.workspace == WS] == [], "its follow-ups are done, not left to pile up"
    settled = await redis.hget(keys.streak(alice), "settled_through")
    assert settled == str(date(2026, 4, 2).toordinal()), "Thursday's close settled alice's miss, with nothing posted"
