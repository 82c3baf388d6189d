"""`/debrief stats` through the real core on Redis: the chart plots the member's stored scores."""

from __future__ import annotations

from datetime import date, timedelta

from bot.app.bootstrap import Core
from bot.commands import CommandRequest, parse_command_text
from bot.identities import Channel, Member
from bot.replies import Reply, plain_text
from tests.bot.scenario import GOOD_ANSWER, Scenario
from tests.conftest import FakeClock
from tests.png import assert_sensible_chart
from tests.scheduler.replicas import RecordingPlatform

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ADA, BEN = Member(WS, "UADA", "Ada"), Member(WS, "UBEN", "Ben")
WEAK = "We shipped it and it went fine. The team liked the result a lot overall, I think."


async def stats(core: Core, member: Member, text: str = "stats") -> Reply:
    name, args = parse_command_text(text)

    async def is_admin() -> bool:
        return False

    return await core.commands.run(CommandRequest(member, CHANNEL, name, args, is_admin, RecordingPlatform()))


async def answer_three_days(core: Core, clock: FakeClock) -> None:
    scenario = Scenario(core, CHANNEL)
    for offset, text in ((14, WEAK), (7, GOOD_ANSWER), (0, WEAK + " " + GOOD_ANSWER)):
        prompt = await scenario.post(date(2026, 3, 2) - timedelta(days=offset))
        await scenario.answer(prompt, ADA, text=text)


async def test_the_chart_plots_the_members_stored_scores(core: Core, clock: FakeClock) -> None:
    await answer_three_days(core, clock)
    series = await core.progress.series(ADA)
    history = await core.answers.history(ADA)
    assert [score for _, score in series.overall] == [item.score for item in reversed(history)]
    assert [at for at, _ in series.overall] == [item.first_at for item in reversed(history)]
    for criterion in series.criteria:
        stored = []
        for item in history:
            (latest,) = (await core.stores.answers.revisions(WS, item.prompt_id, ADA.user_id))[-1:]
            stored += [c["score"] for c in latest["feedback"]["criteria"] if c["id"] == criterion.criterion_id]
        assert criterion.answers == len(stored) == 3
        assert criterion.mean == round(sum(stored) / len(stored), 2)
        assert [v for v in criterion.weekly if v is not None] == [float(s) for s in reversed(stored)]


async def test_stats_replies_with_a_chart_and_the_weakest_criterions_level_five(core: Core, clock: FakeClock) -> None:
    await answer_three_days(core, clock)
    reply = await stats(core, ADA)
    assert reply.private and reply.image is not None and reply.image.filename.endswith(".png")
    assert_sensible_chart(reply.image.data)
    weakest = (await core.progress.series(ADA)).weakest
    assert weakest is not None
    said = plain_text(reply)
    assert weakest.name in said and weakest.five in said and "3 answers" in said


async def test_stats_before_any_answer_is_a_clear_note_without_an_image(core: Core) -> None:
    reply = await stats(core, BEN)
    assert reply.image is None and "No answers yet" in plain_text(reply)


async def test_stats_takes_no_words(core: Core, clock: FakeClock) -> None:
    await answer_three_days(core, clock)
    reply = await stats(core, ADA, "stats everyone")
    assert reply.image is None and "takes no words" in plain_text(reply)


async def test_a_withdrawn_answer_leaves_the_chart(core: Core, clock: FakeClock) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(date(2026, 3, 2))
    await scenario.answer(prompt, ADA, message_id="m1")
    assert len((await core.progress.series(ADA)).overall) == 1
    assert prompt.thread is not None
    assert await core.answers.withdraw(prompt.thread, "m1", ADA)
    assert (await stats(core, ADA)).image is None
