"""The graded sets are what they claim to be, the fitted data never touches the held-out part, and the shipped
engine's agreement with the held-out grades does not slip."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from bot.scoring.engine import FeedbackEngine
from bot.scoring.model import shipped_model
from content.loader import load_bank
from tests.calibration.agreement import agreement, pairs, score, scored, words
from tests.calibration.dataset import fitting_answers, hard_answers, holdout_answers, load_set

# Kinds of answer the evaluation set must cover in every category (infrastructure dumps where they fit).
EVERY_CATEGORY = (
    "plain_words",
    "chat_style",
    "non_native",
    "activity_numbers",
    "quality_for_throughput",
    "off_question",
    "we_story",
    "polished_strong",
    "terse_strong",
)


def test_the_evaluation_set_has_the_promised_shape() -> None:
    answers = load_set("eval")
    bank = load_bank()
    questions = {a.question for a in answers}
    assert len(answers) >= 240 and len(questions) >= 48
    assert len({a.question for a in answers if a.question not in bank.questions}) >= 24
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    for answer in answers:
        by_category[answer.category][answer.kind] += 1
    assert set(by_category) == set(bank.categories)
    for category, kinds in by_category.items():
        missing = [k for k in EVERY_CATEGORY if not kinds[k]]
        assert not missing, (category, missing)
    assert sum(by_category[c]["infra_dump"] for c in ("system_design", "technical")) >= 2
    graded = [(a.question, a.grade, words(a.text)) for a in answers]
    per_question: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for question, grade, length in graded:
        per_question[question].append((grade, length))
    total = shorter = 0
    for group in per_question.values():
        for i, (g1, l1) in enumerate(group):
            for g2, l2 in group[i + 1 :]:
                if g1 != g2:
                    total += 1
                    shorter += (l1 < l2) if g1 > g2 else (l2 < l1)
    assert shorter / total >= 0.25
    high = [a for a in answers if a.grade >= 4]
    assert sum(not re.search(r"\d", a.text) for a in high) / len(high) >= 0.2


def test_the_split_is_by_question_and_nothing_fitted_shares_a_question_with_the_holdout() -> None:
    held = holdout_answers()
    assert len(held) >= 96
    held_questions = {a.question for a in held}
    tune_questions = {a.question for a in load_set("eval") if a.split == "tune"}
    assert not held_questions & tune_questions
    fitted = fitting_answers()
    assert not held_questions & {a.question for a in fitted}
    held_texts = {a.question_text for a in held if a.question_text}
    assert not held_texts & {a.question_text for a in fitted if a.question_text}
    assert not {a.text for a in held} & {a.text for a in fitted}


def test_the_shipped_model_reads_exactly_the_features_the_engine_produces(engine: FeedbackEngine) -> None:
    produced = engine.read("I decided to cut scope because the gold set showed errors.", category="behavioral")
    assert set(shipped_model().features) == set(produced)


def test_held_out_agreement_does_not_slip(engine: FeedbackEngine) -> None:
    result = agreement(scored(engine, holdout_answers()))
    assert len(pairs(scored(engine, holdout_answers()))) == result.pairs
    # Floors a little under what the shipped model measures (see the README's scoring section for the figures
    # and the targets); a change that drops below them made the coaching worse on answers it never saw.
    assert result.pairwise >= 0.84
    assert result.shorter_better >= 0.84
    assert result.spearman >= 0.74
    assert result.high_hired >= 0.58
    assert result.low_hired <= 0.08


def test_adversarial_answers_never_get_flattering_scores(engine: FeedbackEngine) -> None:
    for item in scored(engine, fitting_answers() + holdout_answers()):
        kind = item.answer.kind
        if kind in ("buzzwords", "one_line"):
            assert item.overall <= 2.0, item.answer.id
        if kind in ("quality_for_throughput", "infra_dump", "off_question") and item.off_question:
            assert item.verdict in ("no_hire", "lean_no_hire"), item.answer.id


def test_the_criteria_shown_agree_with_the_overall_score(engine: FeedbackEngine) -> None:
    """A member reads the criterion scores beside the overall one: their weighted mean stays near it (measured on
    the fitted answers; while a criterion with no quotable sentence was held at 2 even in a strong answer, 181 of
    1,296 were more than a point apart, then 34; with the written set's strong answers in plain words, 44 of 1,626,
    the widest 1.7: a 5.0 whose criteria find no quotable sentence for two of five, held at 3; since the wording
    model credits strong answers the rubric's signals cannot quote, 104 of 1,908, the widest 1.8: strong answers
    with no quotable sentence for most criteria, each held at 3 rather than praised without a quote)."""
    gaps = []
    for answer in fitting_answers():
        feedback = score(engine, answer)
        weights = sum(c.weight for c in feedback.criteria) or 1.0
        mean = sum(c.weight * c.score for c in feedback.criteria) / weights
        gaps.append(abs(mean - feedback.overall))
    assert max(gaps) <= 1.8 + 1e-9
    assert sum(gap > 1.0 for gap in gaps) <= 0.06 * len(gaps)


def test_the_hard_set_is_never_fitted_and_shares_no_question_with_the_holdout() -> None:
    hard = hard_answers()
    assert len(hard) >= 300 and {a.split for a in hard} == {"hard"}
    fitted_texts = {a.text for a in fitting_answers()}
    assert not {a.text for a in hard} & fitted_texts
    assert not {a.question for a in hard} & {a.question for a in holdout_answers()}
