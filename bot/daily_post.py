"""The daily question: choosing it, posting it exactly once per channel and local date, skipping a day,
showing it again, and opening a practice question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.channel_settings import ChannelSettings, known_zone
from bot.channel_status import channel_status_reply
from bot.channels import Channels
from bot.chat_port import ChatPort
from bot.clock import Clock
from bot.identities import Channel
from bot.metrics import Metrics, NoMetrics, platform_of
from bot.prompts import DailyPrompt, new_prompt
from bot.replies import Button, Command, Kind, Line, Reply, Section, code, line, say, text
from bot.scoring.engine import UnknownQuestion
from bot.scoring.text import SPEAKING_GUIDELINE_SECONDS, WORDS_PER_MINUTE
from bot.store.channels import ChannelStore
from bot.store.members import MemberStore
from bot.store.prompts import PromptStore
from bot.store.schedule import DueEvent, ScheduleStore
from bot.window_close import REMINDER_HOURS_BEFORE_CLOSE, private_reminder_at
from content.loader import Bank
from content.rotation import next_question
from content.schema import Question

GUIDELINE_WORDS = SPEAKING_GUIDELINE_SECONDS * WORDS_PER_MINUTE // 60
PRACTICE_BACKFILL_DAYS = 400


class PostStatus(StrEnum):
    """What happened when a channel's question was due."""

    POSTED = "posted"
    ALREADY_POSTED = "already_posted"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class PostOutcome:
    """The result of trying to post a channel's question for a date."""

    status: PostStatus
    local_date: date
    prompt: DailyPrompt | None = None

    def reply(self) -> Reply:
        """What the admin who asked for the post is told."""
        if self.status is PostStatus.POSTED:
            return say("Posted today's question (", code(self.prompt.question_id if self.prompt else ""), ").")
        if self.status is PostStatus.SKIPPED:
            return say("Today was skipped in this channel, so nothing was posted.")
        return say("Today's question is already posted in this channel; there is one a day.")


def category_label(value: str) -> str:
    """`cross_functional` -> `Cross-functional`."""
    return value.replace("_", " ").capitalize().replace("Cross functional", "Cross-functional")


def question_reply(bank: Bank, question: Question, *, window: timedelta | None = None, private: bool = False) -> Reply:
    """The question as members see it: text, round, criteria, time budget and how to answer."""
    round_ = bank.rounds[question.round]
    rubric = bank.rubric_for(question)
    closes = ""
    if window is not None:
        hours = int(window.total_seconds() // 3600)
        closes = f" Answers count toward streaks for {hours} hours."
    about = line(
        f"{round_.name} ({round_.minutes} min) · {category_label(question.category)} · "
        f"difficulty {question.difficulty}/3 · ",
        code(question.id),
    )
    return Reply(
        f"Today's question: {question.text}",
        title="Today's question",
        body=(text(question.text),),
        sections=(
            _paragraph("Round", about),
            _paragraph("Judged on", line(" · ".join(c.name for c in rubric.criteria))),
            _paragraph("Time budget", line(f"About 2.5 minutes spoken (~{GUIDELINE_WORDS} words).")),
            _paragraph(
                None,
                line(
                    "Reply in this thread to answer. Feedback arrives in seconds; a later reply or an edit "
                    f"revises your answer.{closes}"
                ),
            ),
        ),
        buttons=(Button("Show today's question privately", "today"), Button("Review an answer", "review")),
        private=private,
    )


def _paragraph(title: str | None, words: Line) -> Section:
    return Section(title, (text(words),))


class DailyPosts:
    """Everything about a channel's question of the day."""

    def __init__(
        self,
        bank: Bank,
        channels: Channels,
        channel_store: ChannelStore,
        prompts: PromptStore,
        schedule: ScheduleStore,
        clock: Clock,
        members: MemberStore | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.bank = bank
        self.metrics: Metrics = metrics or NoMetrics()
        self.channels = channels
        self.channel_store = channel_store
        self.prompts = prompts
        self.schedule = schedule
        self.clock = clock
        self.members = members

    def local_date(self, settings: ChannelSettings, at: datetime | None = None) -> date:
        """The channel's local date at `at` (default: now)."""
        return (at or self.clock()).astimezone(settings.zone).date()

    def due_date(self, settings: ChannelSettings, at: datetime | None = None) -> date:
        """The local date of the channel's latest post time at or before `at`: a post that runs late, past
        local midnight, is still the previous day's."""
        local = (at or self.clock()).astimezone(settings.zone)
        return local.date() if local.time() >= settings.post_time else local.date() - timedelta(days=1)

    async def todays(self, channel: Channel, settings: ChannelSettings) -> list[DailyPrompt]:
        """The prompts the channel has for its local today."""
        return await self.prompts.on_day(channel, self.local_date(settings).toordinal())

    async def today_reply(self, channel: Channel) -> Reply:
        """Today's question in this channel, privately, or why there is none."""
        settings = await self.channels.settings(channel)
        if settings is None:
            return say("This channel has no daily question yet. An admin can start one with ", Command("post"), ".")
        prompts = await self.todays(channel, settings)
        if not prompts and self.local_date(settings) in settings.skip_dates:
            return say("No question here today: it is one of this channel's skip dates.")
        if not prompts:
            at = settings.post_time.strftime("%H:%M")
            return say(f"No question here yet today. It is due at {at} ({settings.timezone}).")
        question = self.bank.question(prompts[0].question_id)
        return question_reply(self.bank, question, window=timedelta(hours=settings.window_hours), private=True)

    async def status_reply(self, channel: Channel) -> Reply:
        """`/debrief status`: whether the channel posts, when its next question is due, and its settings."""
        settings = await self.channels.settings(channel)
        if settings is None:
            return say(
                "This channel is not set up. An admin can start daily questions with ",
                Command("setup", settings=(("time", "09:00"), ("tz", "Europe/Berlin"))),
                ".",
            )
        now = self.clock()
        return channel_status_reply(
            settings, now, await self.schedule.post_claim(channel, self.local_date(settings, now))
        )

    async def post(
        self, channel: Channel, settings: ChannelSettings, port: ChatPort, *, local_date: date | None = None
    ) -> PostOutcome:
        """Post the channel's question for its local date exactly once, however many callers race for it."""
        outcome = await self._post(channel, settings, port, local_date)
        self.metrics.daily_post(platform_of(channel.workspace), outcome.status.value)
        return outcome

    async def _post(
        self, channel: Channel, settings: ChannelSettings, port: ChatPort, local_date: date | None
    ) -> PostOutcome:
        today = local_date or self.local_date(settings)
        if today in settings.skip_dates:
            existing = await self.prompts.on_day(channel, today.toordinal())
            return PostOutcome(PostStatus.SKIPPED, today, existing[0] if existing else None)
        won = await self.schedule.claim_post(channel, today)
        self.metrics.post_claim(platform_of(channel.workspace), won)
        if not won:
            state = await self.schedule.post_claim(channel, today)
            existing = await self.prompts.on_day(channel, today.toordinal())
            status = PostStatus.SKIPPED if state == "skipped" else PostStatus.ALREADY_POSTED
            return PostOutcome(status, today, existing[0] if existing else None)
        try:
            question = await self._rotate(channel, settings.tracks, settings.difficulty)
            window = timedelta(hours=settings.window_hours)
            prompt = new_prompt(channel, question.id, today, self.clock(), window)
            message = await port.post(channel, question_reply(self.bank, question, window=window))
            thread = await port.open_thread(message, f"{today.isoformat()} · {question.id}")
            prompt = prompt.model_copy(update={"message_id": message.message_id, "thread_id": thread.thread_id})
            await self.prompts.save(prompt)
        except BaseException:
            await self.schedule.release_post(channel, today)
            raise
        await self.schedule.schedule_due(DueEvent("close", channel.workspace, prompt.id, prompt.closes_at))
        if settings.reminders:
            remind_at = prompt.closes_at - timedelta(hours=REMINDER_HOURS_BEFORE_CLOSE)
            if remind_at > prompt.posted_at:
                await self.schedule.schedule_due(DueEvent("remind", channel.workspace, prompt.id, remind_at))
            await self._schedule_private_reminders(prompt)
        return PostOutcome(PostStatus.POSTED, today, prompt)

    async def _schedule_private_reminders(self, prompt: DailyPrompt) -> None:
        """Members with their own timezone are reminded privately, at an hour of their own day."""
        if self.members is None:
            return
        events = []
        for user, zone in (await self.members.zones(prompt.workspace)).items():
            if not known_zone(zone):  # a zone this machine's tz database lacks: the thread reminder still names them
                continue
            due = private_reminder_at(prompt.posted_at, prompt.closes_at, ZoneInfo(zone))
            if due is not None:
                events.append(DueEvent("remind_member", prompt.workspace, prompt.id, due, user))
        await self.schedule.schedule_private_reminders(prompt.workspace, prompt.id, events)

    async def post_now(self, channel: Channel, port: ChatPort) -> Reply:
        """An admin's `post`: today's question here now (setting the channel up with defaults if needed)."""
        new = await self.channels.settings(channel) is None
        settings = await self.channels.ensure(channel)
        reply = (await self.post(channel, settings, port)).reply()
        if not new:
            return reply
        schedule = dict(settings.describe())
        started = line(
            f"This channel was not set up, so it now gets a question {schedule['days']} at {schedule['time']} "
            f"({schedule['tz']}). ",
            Command("setup", settings=(("time", "09:00"), ("tz", "Europe/Berlin"))),
            " changes that; ",
            Command("setup", settings=(("posting", "off"),)),
            " stops it.",
        )
        return replace(reply, body=(*reply.body, text(started, kind=Kind.NOTE)))

    async def skip_today(self, channel: Channel) -> Reply:
        """Skip the channel's question today; if it was already posted, missing it breaks no streak."""
        settings = await self.channels.settings_or_defaults(channel)
        today = self.local_date(settings)
        posted = await self.prompts.on_day(channel, today.toordinal())
        others = [c for c in await self.channel_store.channels(channel.workspace) if c != channel.channel_id]
        other_posts = [
            p for c in others for p in await self.prompts.on_day(Channel(channel.workspace, c), today.toordinal())
        ]
        await self.schedule.skip_day(channel, today, unmark_question_day=bool(posted) and not other_posts)
        if posted:
            return say("Skipped. Today's question stays up, but not answering it will not break anyone's streak.")
        return say("Skipped. No question will be posted here today.")

    async def open_practice(
        self,
        channel: Channel,
        settings: ChannelSettings,
        *,
        category: str | None = None,
        question_id: str | None = None,
    ) -> DailyPrompt:
        """Today's practice question: the day's rotation pick, or a chosen category or question (UnknownQuestion
        for an id the bank lacks)."""
        now = self.clock()
        today = self.local_date(settings, now)
        existing = await self.prompts.on_day(channel, today.toordinal())
        if question_id is not None:
            if question_id not in self.bank.questions:
                raise UnknownQuestion(f"unknown question id '{question_id}'")
            match = [p for p in existing if p.question_id == question_id]
            if match:
                return match[0]
            return await self._open(channel, settings, question_id, today, now, adhoc=True)
        if category is None:
            daily = [p for p in existing if p.id.count(":") == 1]
            if daily:
                return daily[0]
            question = await self._rotate(channel, settings.tracks, settings.difficulty)
            return await self._open(channel, settings, question.id, today, now, adhoc=False)
        same = [p for p in existing if self.bank.question(p.question_id).category == category]
        if same:
            return same[0]
        question = await self._rotate(channel, (category,), settings.difficulty)
        return await self._open(channel, settings, question.id, today, now, adhoc=True)

    async def _rotate(self, channel: Channel, tracks: Sequence[str], difficulty: tuple[int, int]) -> Question:
        history = await self.channel_store.asked_questions(channel)
        seed = f"{channel.workspace}/{channel.channel_id}"
        return next_question(
            list(self.bank.questions.values()), tracks=tracks, difficulty=difficulty, history=history, seed=seed
        )

    async def _open(
        self, channel: Channel, settings: ChannelSettings, question_id: str, today: date, now: datetime, *, adhoc: bool
    ) -> DailyPrompt:
        prompt = new_prompt(channel, question_id, today, now, timedelta(hours=settings.window_hours), adhoc=adhoc)
        # Practice runs every day: days since the last practice count as question days, so skipping breaks streaks.
        last = await self.prompts.last_question_day(channel.workspace)
        first = max((last or today.toordinal()) + 1, today.toordinal() - PRACTICE_BACKFILL_DAYS)
        await self.prompts.save(prompt, question_days=range(first, today.toordinal() + 1))
        return prompt
