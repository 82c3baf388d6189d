"""The rubric engine: specific, honest and stable feedback, never a crash or a flattering score."""

from __future__ import annotations

import pytest

from bot.scoring.engine import FeedbackEngine, UnknownCategory, UnknownQuestion
from bot.scoring.feedback import Verdict
from content.loader import Bank

STRONG_BEHAVIORAL = """\
In March I owned the rollout of our new annotation QA pipeline and had two weeks before the renewal call.
I decided to ship a reduced-scope version with only the bounding-box workflow, because waiting for full
integration would have cost us two enterprise renewals worth about $1.2M.
I considered two other options: adding more reviewers, which would have raised cost per label by 35%, and
delaying the launch by six weeks, which the customer had already said they would not accept.
I said no to the polygon workflow and to the custom dashboard the sales team wanted, and I told the sales
lead directly that it would slip to Q3.
The trade-off was real: polygon customers waited an extra month and one of them escalated.
I wrote the SQL to pull rework rates myself and set a QA threshold of 95% agreement with the gold set.
As a result, rework dropped from 18% to 7% in three weeks and both renewals closed.
If I did it again I would make the same cut, but I would warn the polygon customers a week earlier.
"""

WEAK_BEHAVIORAL = """\
I collaborated with stakeholders to deliver the project on time.
We discussed a lot of options as a team and aligned on the best path forward.
Everyone worked really hard and the launch went very well overall.
I think the customers were happy and it was basically a great success for the whole team.
"""

BUZZWORDS = (
    "Synergy, data-driven, scalable, AI-first, end-to-end ownership, best-in-class, north star, "
    "move the needle, customer-centric, innovative, holistic, agile, leverage, robust, seamless, impactful."
)


@pytest.fixture(scope="module")
def question_id(bank: Bank) -> str:
    return bank.in_category("behavioral")[0].id


def test_strong_answer_outscores_weak_one(engine: FeedbackEngine, question_id: str) -> None:
    strong = engine.score(STRONG_BEHAVIORAL, question_id=question_id)
    weak = engine.score(WEAK_BEHAVIORAL, question_id=question_id)
    assert strong.overall >= 3.8
    assert strong.verdict in (Verdict.HIRE, Verdict.STRONG_HIRE)
    assert weak.overall <= 2.5
    assert weak.verdict in (Verdict.NO_HIRE, Verdict.LEAN_NO_HIRE)


def test_evidence_is_exact_sentences_from_the_answer(engine: FeedbackEngine, question_id: str) -> None:
    feedback = engine.score(STRONG_BEHAVIORAL, question_id=question_id)
    evidence = [quote for c in feedback.criteria for quote in c.evidence]
    assert evidence
    flat = " ".join(STRONG_BEHAVIORAL.split())
    for quote in evidence:
        assert " ".join(quote.split()) in flat


def test_every_criterion_under_four_gets_a_suggestion(engine: FeedbackEngine, question_id: str) -> None:
    feedback = engine.score(WEAK_BEHAVIORAL, question_id=question_id)
    for criterion in feedback.criteria:
        assert (criterion.suggestion is not None) == (criterion.score < 4)


def test_anti_pattern_is_quoted_with_why_and_better(engine: FeedbackEngine, question_id: str) -> None:
    feedback = engine.score(WEAK_BEHAVIORAL, question_id=question_id)
    hit = next(h for h in feedback.anti_patterns if h.id == "collaborated_with_stakeholders")
    assert hit.quote == "I collaborated with stakeholders to deliver the project on time."
    assert hit.why and hit.better


def test_contrasted_anti_pattern_is_not_flagged(engine: FeedbackEngine) -> None:
    answer = (
        "Instead of adding more reviewers, I rewrote the guideline with twelve worked edge cases and "
        "re-ran the gold set; disagreement fell from 22% to 9% in a week."
    )
    feedback = engine.score(answer, category="technical")
    assert not any("reviewer" in h.quote.lower() and "instead" not in h.quote.lower() for h in feedback.anti_patterns)
    assert all("Instead of adding more reviewers" not in h.quote for h in feedback.anti_patterns)


MEASURED = "I measured the error rate on a gold set of 500 items every week and set a QA threshold."
NEGATED = "We never measured the error rate on a gold set and we did not set a QA threshold."


def test_negated_measurement_earns_nothing(engine: FeedbackEngine) -> None:
    b = engine.score(NEGATED * 3, category="metrics")
    assert b.language.negated_claims
    assert "gold set" not in b.language.mechanisms


@pytest.mark.xfail(
    strict=True,
    reason="known defect: the learned score reads the words of a claim and the reading's negation only as one "
    "feature among many, so this short, repeated denial scores as high as the claim",
)
def test_a_negated_measurement_scores_below_the_measurement(engine: FeedbackEngine) -> None:
    assert (
        engine.score(MEASURED * 3, category="metrics").overall > engine.score(NEGATED * 3, category="metrics").overall
    )


def test_an_answer_that_fits_another_bank_question_far_better_is_told_which(engine: FeedbackEngine) -> None:
    """A member who pastes the answer they prepared for another question hears which question it answers."""
    prepared = engine.bank.question("met-001")
    answer = " ".join(point.point for point in prepared.covers)
    assert engine.score(answer, question_id=prepared.id).off_question is None
    feedback = engine.score(answer, question_id="lead-007")
    assert feedback.off_question is not None
    assert prepared.text[:60] in feedback.off_question.reason
    assert feedback.verdict in (Verdict.NO_HIRE, Verdict.LEAN_NO_HIRE)


def test_structure_detects_what_is_missing(engine: FeedbackEngine, question_id: str) -> None:
    full = engine.score(STRONG_BEHAVIORAL, question_id=question_id)
    assert {p.id for p in full.structure if p.present} >= {"decision", "alternatives", "result", "trade_off"}
    partial = engine.score("I decided to ship the smaller version first. Then we launched it.", question_id=question_id)
    assert "Trade-off" in partial.missing_structure


def test_empty_answer(engine: FeedbackEngine, question_id: str) -> None:
    for text in ("", "   \n\t  "):
        feedback = engine.score(text, question_id=question_id)
        assert feedback.overall == 1.0 and feedback.verdict is Verdict.NO_HIRE
        assert feedback.word_count == 0
        assert "empty" in feedback.notes[0]


def test_one_line_answer_is_capped_with_a_message(engine: FeedbackEngine, question_id: str) -> None:
    feedback = engine.score("I decided to cut scope and we shipped 30% faster.", question_id=question_id)
    assert feedback.overall <= 2.0
    assert any("headline" in note for note in feedback.notes)


def test_buzzword_list_scores_low(engine: FeedbackEngine, question_id: str) -> None:
    feedback = engine.score(BUZZWORDS, question_id=question_id)
    assert feedback.overall <= 1.5
    assert any("buzzwords" in note for note in feedback.notes)


def test_off_topic_answer_scores_low(engine: FeedbackEngine, question_id: str) -> None:
    recipe = (
        "Preheat the oven to a moderate heat and butter a round tin. Whisk the eggs with sugar until pale, "
        "then fold in the flour gently so the batter stays light. Bake until golden and let it cool on a rack "
        "before slicing. Dust with icing sugar and serve with fresh berries and cream on the side. "
    ) * 2
    feedback = engine.score(recipe, question_id=question_id)
    assert feedback.overall <= 1.5
    assert any("does not answer" in note for note in feedback.notes)


def test_pasted_essay_is_flagged_and_capped(engine: FeedbackEngine, question_id: str) -> None:
    essay = (STRONG_BEHAVIORAL + "\n") * 12
    feedback = engine.score(essay, question_id=question_id)
    assert feedback.over_time
    assert feedback.overall <= 2.5
    assert any("2.5-minute guideline" in note for note in feedback.notes)


def test_huge_input_is_scored_quickly_without_crashing(engine: FeedbackEngine, question_id: str) -> None:
    feedback = engine.score("word " * 200_000, question_id=question_id)
    assert feedback.word_count == 200_000
    assert feedback.overall <= 1.5


def test_speaking_time_uses_140_words_a_minute(engine: FeedbackEngine, question_id: str) -> None:
    feedback = engine.score("I decided to ship. " * 70, question_id=question_id)
    assert feedback.word_count == 280
    assert feedback.speaking_seconds == 120
    assert not feedback.over_time


def test_same_input_same_feedback(engine: FeedbackEngine, question_id: str) -> None:
    assert engine.score(STRONG_BEHAVIORAL, question_id=question_id) == engine.score(
        STRONG_BEHAVIORAL, question_id=question_id
    )


def test_hedging_is_named_and_never_helps(engine: FeedbackEngine, question_id: str) -> None:
    hedged = (
        STRONG_BEHAVIORAL.replace("I decided", "I think maybe I kind of decided")
        .replace("I said no", "I guess I probably said no")
        .replace("I wrote", "I sort of tried to write")
    )
    feedback = engine.score(hedged, question_id=question_id)
    assert feedback.overall <= engine.score(STRONG_BEHAVIORAL, question_id=question_id).overall
    assert any(note.startswith("Hedging (i think, maybe") for note in feedback.notes), feedback.notes


def test_category_only_scoring_and_unknown_ids(engine: FeedbackEngine) -> None:
    feedback = engine.score(STRONG_BEHAVIORAL, category="behavioral")
    assert feedback.question_id is None and feedback.category == "behavioral"
    assert feedback.coverage == ()
    with pytest.raises(UnknownQuestion):
        engine.score("x", question_id="nope-001")
    with pytest.raises(UnknownCategory):
        engine.score("x", category="astrology")
    with pytest.raises(UnknownCategory):
        engine.score("x")


THROUGHPUT_PLAN = """\
To hit the deadline I'd add 40 more annotators from our vendor and move the team to 12-hour shifts.
I'd drop QA sampling from 10% to 2% so reviewers can label too, and set a target of 90 images per hour.
Any errors that slip through we can fix later once the customer flags them; they have a validation step.
That gets us from 6,000 to 14,000 images a day, which beats the deadline by four days.
"""

INFRA_ONLY = """\
I'd put the ingest behind an API gateway feeding Kafka, with 12 consumer nodes on Kubernetes autoscaling
at 70% CPU. Redis caches hot items, Postgres stores metadata sharded by customer, and S3 holds the raw
frames. We target 5,000 QPS with p99 latency under 200 ms and a 99.9% availability SLO, with blue-green
deploys and Grafana dashboards for the SLOs. Load balancers sit in front of every service.
"""


def test_buying_throughput_with_quality_is_never_a_hire(engine: FeedbackEngine) -> None:
    feedback = engine.score(THROUGHPUT_PLAN, category="technical")
    assert feedback.verdict in (Verdict.NO_HIRE, Verdict.LEAN_NO_HIRE)
    hit = next(h for h in feedback.anti_patterns if h.id == "throughput_for_quality")
    assert hit.quote in THROUGHPUT_PLAN.replace("\n", " ")


def test_infrastructure_without_correctness_is_never_a_hire(engine: FeedbackEngine) -> None:
    feedback = engine.score(INFRA_ONLY, category="system_design")
    assert feedback.verdict in (Verdict.NO_HIRE, Verdict.LEAN_NO_HIRE)
    assert any("ground truth" in note for note in feedback.notes)


def test_a_story_question_answered_with_a_plan_is_off_the_question(engine: FeedbackEngine) -> None:
    plan = (
        "I would start by meeting each stakeholder to understand their goals. Then I would write a short plan "
        "with the options and the trade-offs, and I'd share it for comments. I would pick the option with the "
        "best impact for the effort and I'd check in weekly to make sure it lands, and I'd adjust if needed."
    )
    feedback = engine.score(
        plan, question_text="Tell me about a time you killed a project you had championed.", category="behavioral"
    )
    assert feedback.off_question is not None and "what you would do" in feedback.off_question.reason
    assert feedback.overall <= 2.0


def test_feedback_names_the_question_it_was_scored_against(engine: FeedbackEngine) -> None:
    asked = "How would you decide whether to trust a new vendor's labels on a medical project?"
    feedback = engine.score(STRONG_BEHAVIORAL, question_text=asked, category="technical")
    assert feedback.question_text == asked and feedback.question_id is None
    assert engine.score(STRONG_BEHAVIORAL, question_id="beh-001").question_text is None


def test_a_follow_up_the_answer_already_took_up_is_not_suggested(engine: FeedbackEngine, bank: Bank) -> None:
    question = bank.question("beh-001")
    probe = next(p for p in question.follow_ups if p.criterion == "decision_ownership")
    assert engine.open_follow_up(question, ["decision_ownership"], WEAK_BEHAVIORAL) == probe.text
    took_it_up = WEAK_BEHAVIORAL + "My director could have overruled me, and she didn't because the data was clear."
    assert engine.open_follow_up(question, ["decision_ownership"], took_it_up) is None
    suggestions = [c.suggestion or "" for c in engine.score(took_it_up, question_id="beh-001").criteria]
    assert not any(probe.text in s for s in suggestions)
    suggestions = [c.suggestion or "" for c in engine.score(WEAK_BEHAVIORAL, question_id="beh-001").criteria]
    assert any(probe.text in s for s in suggestions)


def test_counts_in_the_feedback_read_as_plain_english(engine: FeedbackEngine) -> None:
    from bot.scoring.feedback_reply import feedback_reply
    from bot.scoring.render_text import render_feedback

    one = engine.score("Yes.", question_id="beh-001")
    shown = render_feedback(one)
    assert "1 word," in shown and "1 words" not in shown and "0 sentences of yours" in shown
    assert any("1 word \u00b7" in str(block) for block in feedback_reply(one).body)


def test_the_missed_part_of_the_question_is_quoted_without_a_doubled_full_stop(engine: FeedbackEngine) -> None:
    asked = "Describe how you chose the quality bar for a labeling project. Say why it actually mattered."
    pivot = (
        "Let me tell you about my biggest product launch instead. I decided to ship the mobile onboarding flow "
        "two weeks early because the sales team needed it for a conference, and sign-ups rose from 200 to 340 "
        "a week. I said no to the dark mode work to make room for it."
    )
    feedback = engine.score(pivot, question_text=asked, category="metrics")
    assert feedback.off_question is not None
    notes = " ".join(feedback.notes)
    assert "\u201d. Answer that first" in notes and ".\u201d." not in notes
