"""APScheduler wiring: one cron job per channel for its daily post (and one for its weekly digest),
rebuilt from Redis every refresh; window closes and reminders are swept from a due queue.

Every replica runs the same jobs; the Redis claim on (channel, local date) makes each post happen once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.channel_settings import WEEKDAY_NAMES, ChannelSettings
from bot.chat_port import ChatPort
from bot.clock import Clock
from bot.daily_post import DailyPosts, PostOutcome
from bot.errors import PlatformRefused, StoreUnavailable, log_failure
from bot.identities import Channel, Member
from bot.store.channels import ChannelStore
from bot.store.prompts import PromptStore
from bot.store.schedule import DueEvent, ScheduleStore
from bot.weekly_digest import Digests, participation_chart
from bot.window_close import WindowCloses
from scheduler.fan_out import FanOut

log = logging.getLogger(__name__)
DIGEST_WEEKDAY = 0  # Monday


def platform_of(workspace: str) -> str:
    """`slack:T1` -> `slack`."""
    return workspace.split(":", 1)[0]


@runtime_checkable
class WorkspaceReach(Protocol):
    """A port that can tell whether it still reaches a workspace (Slack with the install flow: the workspace has an
    installation). Ports without it reach every workspace."""

    async def reaches(self, workspace: str) -> bool:
        """Whether the bot can post in the workspace now."""
        ...


@dataclass(frozen=True)
class ScheduledWork:
    """What the scheduler runs: the core's daily posts, window closes and digests, and where their state is."""

    posts: DailyPosts
    closes: WindowCloses
    digests: Digests
    channels: ChannelStore
    prompts: PromptStore
    schedule: ScheduleStore
    clock: Clock


class ChannelJobs:
    """Keeps APScheduler's jobs in step with the channels configured in Redis, and runs them."""

    def __init__(
        self,
        work: ScheduledWork,
        ports: Mapping[str, ChatPort],
        *,
        scheduler: AsyncIOScheduler | None = None,
        refresh_seconds: float = 30,
        sweep_seconds: float = 30,
        misfire_grace: timedelta = timedelta(hours=1),
        retry_delay: timedelta = timedelta(minutes=1),
        concurrency: int = 16,
    ) -> None:
        self.work = work
        self.posts = work.posts
        self.clock = work.clock
        self.schedule = work.schedule
        self.ports = dict(ports)
        self.scheduler = scheduler or AsyncIOScheduler(timezone=UTC)
        self.refresh_seconds = refresh_seconds
        self.sweep_seconds = sweep_seconds
        self.misfire_grace = misfire_grace
        self.retry_delay = retry_delay
        self.concurrency = concurrency
        self._specs: dict[str, tuple[Any, ...]] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self._fan_out: FanOut | None = None

    # lifecycle ------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Build the jobs from Redis and start the scheduler (call inside the running loop)."""
        self._fan_out = FanOut(self.concurrency)
        await self.refresh()
        self.scheduler.add_job(
            self.refresh,
            IntervalTrigger(seconds=self.refresh_seconds),
            id="refresh",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        self.scheduler.add_job(
            self.sweep,
            IntervalTrigger(seconds=self.sweep_seconds),
            id="sweep",
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        self.scheduler.start()

    @property
    def running(self) -> bool:
        """Whether the scheduler is started and not paused."""
        return bool(self.scheduler.running) and self.scheduler.state == STATE_RUNNING

    async def stop(self, grace: float | None = None) -> None:
        """Stop starting jobs and let running ones finish (shutdown would cancel them mid-post); with `grace`,
        jobs still running after that many seconds are cancelled, and a cancelled post releases its claim."""
        if self.scheduler.running:
            self.scheduler.pause()
            try:
                await asyncio.wait_for(self.idle(), grace)
            except TimeoutError:
                log.warning("stopping with %d job(s) still running; they are cancelled", len(self._running))
                await self._cancel_running()
            self.scheduler.shutdown(wait=False)

    async def _cancel_running(self) -> None:
        me = asyncio.current_task()
        running = [t for t in self._running if t is not me and not t.done()]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until no job started by this scheduler is still running."""
        me = asyncio.current_task()
        for _ in range(5):  # let jobs the scheduler is handing to the loop start
            await asyncio.sleep(0)
        while others := [t for t in self._running if t is not me and not t.done()]:
            await asyncio.gather(*others, return_exceptions=True)
            for _ in range(5):
                await asyncio.sleep(0)

    def _track(self) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    # jobs from settings ---------------------------------------------------------------------------

    async def refresh(self) -> None:
        """Add, change or drop jobs so they match every configured channel's settings."""
        self._track()
        try:
            # During a rolling upgrade, replicas of an earlier version still write the unsharded keys.
            await self.work.schedule.move_legacy_keys()
            configured = await self.work.channels.configured()
        except StoreUnavailable as exc:
            log.warning("schedule not refreshed: %s", exc)
            return
        wanted: dict[str, tuple[str, Channel, ChannelSettings]] = {}
        reached: dict[str, bool] = {}
        for channel, settings in configured:
            if platform_of(channel.workspace) not in self.ports or not settings.active:
                continue
            if channel.workspace not in reached:
                try:
                    reached[channel.workspace] = await self.reaches(channel.workspace)
                except StoreUnavailable as exc:
                    log.warning("schedule not refreshed: %s", exc)
                    return
            if not reached[channel.workspace]:  # the app was removed from that workspace: its channels wait
                continue
            wanted[f"post:{channel.workspace}:{channel.channel_id}"] = ("post", channel, settings)
            if settings.digest:
                wanted[f"digest:{channel.workspace}:{channel.channel_id}"] = ("digest", channel, settings)
        for job_id in [j for j in self._specs if j not in wanted]:
            self._remove(job_id)
        for job_id, (kind, channel, settings) in wanted.items():
            days = settings.weekdays if kind == "post" else (DIGEST_WEEKDAY,)
            spec = (kind, settings.post_time, settings.timezone, days)
            if self._specs.get(job_id) == spec:
                continue
            self._schedule(job_id, kind, channel, settings, days)
            self._specs[job_id] = spec

    async def reaches(self, workspace: str) -> bool:
        """Whether the workspace's platform port can post there now."""
        port = self.ports.get(platform_of(workspace))
        if port is None:
            return False
        return await port.reaches(workspace) if isinstance(port, WorkspaceReach) else True

    def _remove(self, job_id: str) -> None:
        if self.scheduler.get_job(job_id):
            self.scheduler.remove_job(job_id)
        self._specs.pop(job_id, None)

    def _schedule(
        self, job_id: str, kind: str, channel: Channel, settings: ChannelSettings, days: tuple[int, ...]
    ) -> None:
        trigger = CronTrigger(
            day_of_week=",".join(WEEKDAY_NAMES[d] for d in days),
            hour=settings.post_time.hour,
            minute=settings.post_time.minute,
            timezone=settings.zone,
        )
        options: dict[str, Any] = {}
        catch_up = self._missed_today(settings, days)
        if catch_up is not None and kind == "post":
            options["next_run_time"] = catch_up  # started late: run now; the claim stops a second post
        func = self.post_channel if kind == "post" else self.post_digest
        self.scheduler.add_job(
            func,
            trigger,
            args=[channel.workspace, channel.channel_id],
            id=job_id,
            replace_existing=True,
            misfire_grace_time=int(self.misfire_grace.total_seconds()),
            coalesce=True,
            max_instances=1,
            **options,
        )

    def _missed_today(self, settings: ChannelSettings, days: tuple[int, ...]) -> datetime | None:
        """Today's post time if it passed less than the misfire grace ago."""
        now = self.clock().astimezone(settings.zone)
        due = now.replace(hour=settings.post_time.hour, minute=settings.post_time.minute, second=0, microsecond=0)
        if now.weekday() in days and timedelta(0) <= now - due <= self.misfire_grace:
            return due
        return None

    # the daily post -------------------------------------------------------------------------------

    async def post_channel(self, workspace: str, channel_id: str) -> PostOutcome | None:
        """Post one channel's question for its local today (once, whichever replica gets here first)."""
        self._track()
        channel = Channel(workspace, channel_id)
        port = self.ports[platform_of(workspace)]
        assert self._fan_out is not None
        async with self._fan_out.slot(workspace):
            try:
                settings = await self.work.channels.settings(channel)
                if settings is None or not settings.active:  # `setup off` since the job was scheduled
                    return None
                day = self.posts.due_date(settings)
                if day.weekday() not in settings.weekdays:
                    return None
                if not await self.reaches(workspace):  # removed since the last refresh
                    log.info("daily post for %s skipped: the app is not installed in %s", channel_id, workspace)
                    return None
                return await self.posts.post(channel, settings, port, local_date=day)
            except (StoreUnavailable, PlatformRefused, ConnectionError, TimeoutError) as exc:
                log_failure(log, "daily post for %s failed; retrying in %s", exc, channel_id, self.retry_delay)
                self._retry(workspace, channel_id)
                return None
            except Exception:
                log.exception("daily post for %s failed; retrying in %s", channel_id, self.retry_delay)
                self._retry(workspace, channel_id)
                return None

    def _retry(self, workspace: str, channel_id: str) -> None:
        run_at = self.clock() + self.retry_delay
        self.scheduler.add_job(
            self.post_channel,
            DateTrigger(run_date=run_at),
            args=[workspace, channel_id],
            id=f"retry:{workspace}:{channel_id}",
            replace_existing=True,
            misfire_grace_time=int(self.misfire_grace.total_seconds()),
        )

    async def post_digest(self, workspace: str, channel_id: str) -> bool:
        """The Monday digest with its participation chart, once per channel and week."""
        self._track()
        channel = Channel(workspace, channel_id)
        try:
            settings = await self.work.channels.settings(channel)
            if settings is None or not settings.digest or not settings.active:
                return False
            if not await self.reaches(workspace):
                return False
            today = self.posts.local_date(settings)
            item = f"{channel_id}:{today.isoformat()}"
            if not await self.schedule.claim_done(workspace, "digest", item):
                return False
        except StoreUnavailable as exc:
            log.warning("digest for %s skipped: %s", channel_id, exc)
            return False
        try:
            digest = await self.work.digests.weekly(channel, today, weekly_board=settings.board == "weekly")
            image = await asyncio.to_thread(participation_chart, digest.days)
            await self.ports[platform_of(workspace)].post_image(channel, digest.reply, image, "participation.png")
        except Exception:
            log.exception("digest for %s failed", channel_id)
            await self.schedule.release_done(workspace, "digest", item)
            return False
        return True

    # window closes and reminders ------------------------------------------------------------------

    async def sweep(self) -> int:
        """Handle every due window close and reminder this replica can claim; returns how many it handled."""
        self._track()
        try:
            events = await self.schedule.due(self.clock())
        except StoreUnavailable as exc:
            log.warning("follow-ups not swept: %s", exc)
            return 0
        handled = 0
        for event in events:
            if platform_of(event.workspace) not in self.ports:
                continue
            if not await self.schedule.claim_done(event.workspace, event.kind, event.item):
                continue
            try:
                await self._handle(event)
                await self.schedule.finish_due(event)
                handled += 1
            except Exception:
                log.exception("%s of %s failed; it will be retried", event.kind, event.prompt_id)
                await self.schedule.release_done(event.workspace, event.kind, event.item)
        return handled

    async def _handle(self, event: DueEvent) -> None:
        prompt = await self.work.prompts.get(event.workspace, event.prompt_id)
        if prompt is None or prompt.thread is None:
            return
        port = self.ports[platform_of(event.workspace)]
        reached = await self.reaches(event.workspace)
        if event.kind == "close":
            closed = await self.work.closes.close(prompt)
            if not reached:  # streaks are settled all the same; there is nobody to tell
                return
            await port.reply_in_thread(prompt.thread, closed.summary)
            for member, nudge in closed.nudges:
                await port.send_private(member, nudge)
        elif not reached:
            return  # a reminder for a workspace that removed the app is dropped
        elif event.kind == "remind":
            settings = await self.work.channels.settings(prompt.channel)
            if settings is not None and not settings.active:
                return  # posting was switched off after the question went up
            reply = await self.work.closes.reminder(prompt, self.clock())
            if reply is not None:
                await port.reply_in_thread(prompt.thread, reply)
        elif event.kind == "remind_member" and event.user_id is not None:
            member = Member(event.workspace, event.user_id)
            private = await self.work.closes.private_reminder(prompt, member, self.clock())
            if private is not None:
                await port.send_private(member, private)
