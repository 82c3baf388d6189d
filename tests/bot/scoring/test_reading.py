"""What the engine reads in an answer: who acted, what is weighed and paid, outcomes apart from activity, and
nothing that depends on casing, bullets or shorthand."""

from __future__ import annotations

from bot.scoring.engine import FeedbackEngine

CATEGORY = "behavioral"


def read(engine: FeedbackEngine, text: str) -> dict[str, float]:
    return engine.read(text, category=CATEGORY)


def test_activity_numbers_are_not_outcomes(engine: FeedbackEngine) -> None:
    activity = read(engine, "We held 14 standups, closed 312 tickets and ran 6 training sessions for 40 annotators.")
    outcome = read(engine, "Rework fell from 18% to 7% in three weeks, and the renewal worth $1.2M closed.")
    assert activity["activity_numbers"] > 0 and activity["outcome_numbers"] == 0
    assert outcome["outcome_numbers"] > 0 and outcome["activity_numbers"] == 0


def test_ownership_is_read_from_who_acted(engine: FeedbackEngine) -> None:
    mine = read(engine, "I decided to cut the polygon work. I told the sales lead myself. I rewrote the guideline.")
    ours = read(engine, "We decided to cut the polygon work. The team told sales. We rewrote the guideline.")
    stance = read(engine, "I think it went well. I believe the team was happy. I feel we learned a lot.")
    assert mine["owned_share"] == 1.0 and mine["shared_share"] == 0.0
    assert ours["owned_share"] == 0.0 and ours["shared_share"] > 0.5
    assert stance["owned_share"] == 0.0, "thinking and feeling are not acting"


def test_an_alternative_counts_with_the_reason_it_lost(engine: FeedbackEngine) -> None:
    bare = read(engine, "Another option was adding reviewers.")
    reasoned = read(
        engine, "Another option was adding reviewers, but that would have raised cost per label by a third."
    )
    assert bare["alternatives"] == 1 and bare["alternatives_with_reason"] == 0
    assert reasoned["alternatives_with_reason"] == 1


def test_casing_bullets_and_shorthand_change_nothing(engine: FeedbackEngine) -> None:
    prose = (
        "I decided to pause the delivery because the gold set showed the customer's classes were mislabelled. "
        "Engineering wanted to ship anyway; I said no and paid for it with a two-week slip. "
        "Rework fell from 30% to 9% and the customer renewed."
    )
    chat = (
        "- i decided to pause the delivery b/c the gold set showed the customer's classes were mislabelled\n"
        "- eng wanted to ship anyway; i said no & paid for it w/ a two-week slip\n"
        "- rework fell from 30% to 9% and the customer renewed"
    )
    a, b = read(engine, prose), read(engine, chat)
    for name in ("owned_share", "decisions", "causal", "contrast", "costs", "outcome_numbers", "before_after"):
        assert a[name] == b[name], name


def test_a_throughput_move_is_seen_unless_weighed_and_rejected(engine: FeedbackEngine) -> None:
    plan = read(engine, "To hit the date I'd add 30 more annotators, move to 12-hour shifts and fix errors later.")
    weighed = read(engine, "I considered adding more annotators, but I ruled it out because new people raise errors.")
    checked = read(engine, "I cut review to a sampled 10%, with hidden gold items to catch any rater who slips.")
    assert plan["throughput_moves"] >= 1 and plan["unguarded_throughput"] >= 1
    assert weighed["throughput_moves"] == 0
    assert checked["unguarded_throughput"] == 0, "a named quality check makes it a weighed trade"
