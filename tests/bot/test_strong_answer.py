""" "See a strong answer": the exemplar for the question, the clicker's weakest criterion at level 5."""

from __future__ import annotations

from datetime import date

from bot.answers import AnswerStatus, SubmitAnswer
from bot.app.bootstrap import Core
from bot.identities import Channel, Member
from bot.replies import plain_text
from bot.strong_answer import UNKNOWN_BUTTON, strong_answer_button, strong_exemplar, weakest_criterion
from tests.bot.scenario import GOOD_ANSWER, Scenario
from tests.shipped import shipped_bank

WS = "slack:T1"
CHANNEL = Channel(WS, "C1")
ADA, BEN = Member(WS, "UADA", "Ada"), Member(WS, "UBEN", "Ben")


def test_the_questions_own_strong_exemplar_comes_first_else_one_of_its_category() -> None:
    bank = shipped_bank()
    own = strong_exemplar(bank, bank.question("beh-003"))
    assert own is not None and own.kind == "strong" and own.question == "beh-003"
    other = strong_exemplar(bank, bank.question("beh-001"))
    assert other is not None and other.kind == "strong"
    assert bank.question(other.question).category == "behavioral" and other.question != "beh-001"


def test_the_weakest_criterion_is_the_lowest_score_the_heavier_one_on_a_tie() -> None:
    rubric = shipped_bank().rubrics["behavioral"]
    weights = {c.id: c.weight for c in rubric.criteria}
    light, heavy = "alternatives", "trade_offs"
    assert weights[light] < weights[heavy]
    scores = [(cid, 4) for cid in weights if cid not in (light, heavy)] + [(light, 2), (heavy, 2)]
    assert weakest_criterion(rubric, scores) == (heavy, 2)
    assert weakest_criterion(rubric, [*scores, ("decision_ownership", 1)]) == ("decision_ownership", 1)
    assert weakest_criterion(rubric, [("unknown", 1)]) is None


async def test_feedback_carries_the_button_and_a_click_shows_exemplar_and_level_five(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(date(2026, 3, 2), "beh-003")
    outcome = await scenario.answer(prompt, ADA, text=GOOD_ANSWER)
    assert outcome.status is AnswerStatus.RECORDED and outcome.feedback is not None
    thread = prompt.thread
    assert thread is not None
    result = await core.answers.in_thread(
        SubmitAnswer(ADA, "m-again", GOOD_ANSWER + " More.", prompt.posted_at, thread=thread)
    )
    assert result.reply is not None and strong_answer_button(prompt.id) in result.reply.buttons
    button = strong_answer_button(prompt.id)

    reply = await core.strong_answers.show(ADA, button.action_id)
    said = plain_text(reply)
    bank = shipped_bank()
    exemplar = strong_exemplar(bank, bank.question("beh-003"))
    assert exemplar is not None and exemplar.text in said and exemplar.why in said
    feedback = await core.answers.current_feedback(ADA, prompt.id)
    assert feedback is not None
    rubric = bank.rubrics["behavioral"]
    weakest = weakest_criterion(rubric, [(c.id, c.score) for c in feedback.criteria])
    assert weakest is not None
    assert rubric.criterion(weakest[0]).levels.five in said and f"{weakest[1]}/5" in said
    assert reply.private and not reply.buttons


async def test_a_click_without_an_answer_or_on_a_garbage_id_is_told_and_changes_nothing(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(date(2026, 3, 2), "beh-003")
    await scenario.answer(prompt, ADA)
    before = sorted(await core.stores.answers.redis.keys("*"))
    no_answer = await core.strong_answers.show(BEN, strong_answer_button(prompt.id).action_id)
    assert "no answer to this question yet" in plain_text(no_answer)
    for garbage in ("strong:", "strong:C1:1999-01-01", "strong:" + "x" * 500, "nonsense", "strong:<!channel>"):
        assert plain_text(await core.strong_answers.show(ADA, garbage)) == UNKNOWN_BUTTON
    assert sorted(await core.stores.answers.redis.keys("*")) == before


async def test_the_show_my_feedback_button_reply_also_offers_a_strong_answer(core: Core) -> None:
    scenario = Scenario(core, CHANNEL)
    prompt = await scenario.post(date(2026, 3, 2), "beh-003")
    await scenario.answer(prompt, ADA)
    reply = await core.answers.feedback_for(ADA, prompt.id, ADA.user_id)
    assert strong_answer_button(prompt.id) in reply.buttons
