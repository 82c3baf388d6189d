"""Wire the application: bank, engine, Redis (given, from REDIS_URL, or embedded), store and coach."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

from bot.coach import Clock, Coach, utc_now
from bot.app.embedded_redis import EmbeddedRedis
from bot.mock.rounds import MockInterviews
from bot.mock.store import MockStore
from bot.review.peer_review import PeerReviews
from bot.store.redis_store import RedisStore
from bot.review.store import ReviewStore
from bot.scoring.engine import FeedbackEngine
from bot.app.settings import SettingError, Settings
from content.loader import Bank, load_bank


@dataclass(frozen=True)
class App:
    """Everything an adapter needs, built once per process."""

    settings: Settings
    bank: Bank
    engine: FeedbackEngine
    store: RedisStore
    coach: Coach
    mocks: MockInterviews
    reviews: PeerReviews
    redis: Redis
    embedded: EmbeddedRedis | None


def redis_client(url: str) -> Redis:
    """A Redis client with the options debrief relies on (decoded strings, bounded timeouts)."""
    return Redis.from_url(
        url, decode_responses=True, socket_timeout=5, socket_connect_timeout=3, health_check_interval=30
    )


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
async def bootstrap(settings: Settings, *, redis: Redis | None = None, clock: Clock = utc_now) -> AsyncIterator[App]:
    """Build the app; close Redis (and stop an embedded server) on exit."""
    bank = load_bank(settings.content_dirs)
    engine = FeedbackEngine(bank)
    embedded = None
    owns_client = redis is None
    if redis is None:
        if settings.redis_url is not None:
            redis = redis_client(settings.redis_url.get_secret_value())
        else:
            embedded = EmbeddedRedis(data_dir=usable_data_dir(settings) / "redis")
            await embedded.start()
            redis = redis_client(embedded.url)
    store = RedisStore(redis)
    mocks = MockInterviews(bank, engine, MockStore(redis), clock)
    coach = Coach(bank, engine, store, clock)
    reviews = PeerReviews(coach, ReviewStore(redis), clock)
    try:
        yield App(settings, bank, engine, store, coach, mocks, reviews, redis, embedded)
    finally:
        if owns_client:
            await redis.aclose()
        if embedded is not None:
            await embedded.stop()
