"""The one place that builds the core: bank, engine, Redis (given, from REDIS_URL, or embedded), stores and every
use case, each once; adapters then receive the use cases they need."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry

from bot.answers import Answers
from bot.app.embedded_redis import EmbeddedRedis
from bot.app.metrics import PrometheusMetrics
from bot.app.settings import SettingError, Settings
from bot.channels import Channels
from bot.clock import Clock, utc_now
from bot.coach.coach import ModelCoach
from bot.coach.openai_model import OpenAIChatModel
from bot.coach.port import ModelPort
from bot.commands import ChatCommands
from bot.daily_post import DailyPosts
from bot.data_export import DataExports
from bot.forget_me import ForgetMe
from bot.home import Home
from bot.members import Members
from bot.mock.rounds import MockInterviews
from bot.mock.store import MockStore
from bot.onboarding import Onboarding
from bot.outbox import Outbox
from bot.progress import Progress
from bot.review.peer_review import PeerReviews
from bot.review.store import ReviewStore
from bot.scoring.engine import FeedbackEngine
from bot.standings import Standings
from bot.store import Stores
from bot.store.client import RedisClient, redis_client
from bot.store.coach import CoachStore
from bot.store.guard import observing_store_errors
from bot.store.member_data import MemberDataStore
from bot.store.outbox import OutboxStore
from bot.strong_answer import StrongAnswers
from bot.weekly_digest import Digests
from bot.window_close import WindowCloses
from content.loader import Bank, load_bank
from scheduler.channel_jobs import ScheduledWork


@dataclass(frozen=True)
class Core:
    """Every use case of the process, built once."""

    settings: Settings
    bank: Bank
    engine: FeedbackEngine
    stores: Stores
    clock: Clock
    channels: Channels
    posts: DailyPosts
    answers: Answers
    standings: Standings
    home: Home
    mocks: MockInterviews
    reviews: PeerReviews
    progress: Progress
    strong_answers: StrongAnswers
    commands: ChatCommands
    scheduled: ScheduledWork
    outbox: Outbox
    onboarding: Onboarding
    exports: DataExports
    forget_me: ForgetMe
    metrics: PrometheusMetrics
    coach: ModelCoach


def build_core(
    settings: Settings,
    bank: Bank,
    redis: RedisClient,
    clock: Clock = utc_now,
    engine: FeedbackEngine | None = None,
    metrics: PrometheusMetrics | None = None,
    model: ModelPort | None = None,
) -> Core:
    """Wire the use cases over one Redis client (the engine is built from the bank unless one is given; the
    metrics get a registry of their own unless given; without a model every workspace gets the rules' feedback)."""
    engine = engine or FeedbackEngine(bank)
    metrics = metrics or PrometheusMetrics()
    stores = Stores.over(redis)
    coach = ModelCoach(
        CoachStore(redis),
        clock,
        model,
        timeout=settings.llm_timeout_seconds,
        daily_budget=settings.llm_daily_budget,
        metrics=metrics,
    )
    channels = Channels(stores.channels, bank.categories)
    posts = DailyPosts(
        bank, channels, stores.channels, stores.prompts, stores.schedule, clock, stores.members, metrics=metrics
    )
    answers = Answers(engine, stores.prompts, stores.answers, channels, clock, metrics=metrics, coach=coach)
    standings = Standings(stores.standings, channels, clock, stores.members)
    members = Members(stores.members, channels, clock)
    mocks = MockInterviews(bank, engine, MockStore(redis), stores.events, clock, coach=coach)
    reviews = PeerReviews(
        bank, answers, stores.answers, stores.prompts, stores.standings, channels, ReviewStore(redis), clock
    )
    closes = WindowCloses(
        stores.answers, stores.standings, channels, reviews.nudges, members=stores.members, schedule=stores.schedule
    )
    outbox = Outbox(OutboxStore(redis), clock, metrics=metrics)
    progress = Progress(bank, stores.answers, clock)
    member_data = MemberDataStore(redis)
    exports = DataExports(member_data, stores.prompts, bank, clock)
    forget_me = ForgetMe(member_data)
    scheduled = ScheduledWork(
        posts,
        closes,
        Digests(stores.prompts, stores.standings),
        stores.channels,
        stores.prompts,
        stores.schedule,
        clock,
    )
    return Core(
        settings=settings,
        bank=bank,
        engine=engine,
        stores=stores,
        clock=clock,
        channels=channels,
        posts=posts,
        answers=answers,
        standings=standings,
        home=Home(bank, channels, stores.channels, posts, standings, stores.standings, answers, stores.members),
        mocks=mocks,
        reviews=reviews,
        progress=progress,
        strong_answers=StrongAnswers(bank, stores.prompts, stores.answers),
        commands=ChatCommands(
            channels, posts, standings, mocks, progress, members, settings.admins, outbox, exports, forget_me, coach
        ),
        scheduled=scheduled,
        outbox=outbox,
        onboarding=Onboarding(stores.channels, channels),
        exports=exports,
        forget_me=forget_me,
        metrics=metrics,
        coach=coach,
    )


def configured_model(settings: Settings) -> ModelPort | None:
    """The model workspaces may choose, from the DEBRIEF_LLM_ settings; None when none is set up."""
    if settings.llm_base_url is None or settings.llm_model is None:
        return None
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else None
    model = OpenAIChatModel(settings.llm_base_url, key, settings.llm_model, timeout=settings.llm_timeout_seconds)
    model.prepare()
    return model


def usable_data_dir(settings: Settings) -> Path:
    """DEBRIEF_DATA_DIR, created if needed; SettingError when it cannot be created or written."""
    folder = settings.data_dir.expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".debrief-write-check"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise SettingError("DEBRIEF_DATA_DIR", f"cannot use {folder} ({exc.strerror or exc})") from None
    return folder


@asynccontextmanager
async def bootstrap(
    settings: Settings,
    *,
    redis: RedisClient | None = None,
    clock: Clock = utc_now,
    engine: FeedbackEngine | None = None,
    model: ModelPort | None = None,
) -> AsyncIterator[Core]:
    """Build the core, with the process's one metrics registry; close Redis (and stop an embedded server) on exit.
    A given engine brings its bank; without a given model, the one the settings name (if any)."""
    bank = engine.bank if engine is not None else load_bank(settings.content_dirs)
    embedded = None
    owns_client = redis is None
    if redis is None:
        if settings.redis_url is not None:
            redis = redis_client(settings.redis_url.get_secret_value(), cluster=settings.redis_cluster)
        else:
            embedded = EmbeddedRedis(data_dir=usable_data_dir(settings) / "redis")
            await embedded.start()
            redis = redis_client(embedded.url)
    owned_model = configured_model(settings) if model is None else None
    try:
        metrics = PrometheusMetrics(CollectorRegistry())
        with observing_store_errors(metrics.store_error):
            yield build_core(settings, bank, redis, clock, engine, metrics, model or owned_model)
    finally:
        if isinstance(owned_model, OpenAIChatModel):
            await owned_model.aclose()
        if owns_client:
            await redis.aclose()
        if embedded is not None:
            await embedded.stop()
