"""Fit the shipped score model on the fitting answers (train, spoken, written, legacy, the eval set's tune part;
never holdout).

    python -m tests.calibration.fit            # fit, report cross-validated figures, write bot/scoring/model.json
    python -m tests.calibration.fit --check    # fit and fail if the result differs from the shipped model

Two tree ensembles are fitted over the same features: one predicts the grade (the score), one the odds that
the grade is 4-5 (the vote). Cross-validation is grouped by question, so a fold's answers never share a
question with what it was fitted on; the stretch that undoes the score's shrinkage, the vote's threshold and
the verdict cuts are all chosen on those cross-validated outputs, not on answers the trees saw.
"""

from __future__ import annotations

import argparse
import json
import sys
from array import array
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.scoring.engine import FeedbackEngine, verdict_for
from bot.scoring.model import MODEL_FILE, Ensemble, ScoreModel, Tree
from bot.scoring.wording import FEATURE as WORDING
from bot.scoring.wording import WordingModel
from content.loader import load_bank
from tests.calibration.agreement import Scored, agreement, scored
from tests.calibration.dataset import GradedAnswer, fitting_answers
from tests.calibration.pasted import pasted_copies
from tests.calibration.report import print_agreement, print_pasted

MODEL_PATH = Path(__file__).resolve().parents[2] / "bot" / "scoring" / MODEL_FILE
FOLDS = 8
# (trees, depth, learning rate) of the score and of the vote; chosen by grouped cross-validation on the
# fitting answers (the vote needs more trees: telling 4-5 from the rest is the harder question)
GRADE_TREES = (300, 8, 0.05)  # the grade: iterations, leaves per tree, learning rate
HIRE_TREES = (600, 3, 0.05)
SUBSAMPLE = 0.8
# The wording model: ridge strength, and how many of the commonest terms (seen in at least two answers) it keeps.
# Grouped cross-validation put the vote's recall within a point for 10,000 to 30,000 terms and ridge 1 to 10.
WORDING_RIDGE = 3.0
WORDING_TERMS = 10_000
# How much a pasted copy (pasted.py) counts against an answer as written. Grouped cross-validation on the fitting
# answers and their copies: at 1.0 the trees distrusted every strong answer that does not echo its question
# (4-5 voted hire 89%, Spearman 0.81, copies voted hire 16%); at 0.3, 92%, 0.84 and 22%. Without copies the
# figures were 96% and 0.87, but 85% of the hard set's copies were voted hire.
PASTED_WEIGHT = 0.3
CUTS = (2.5, 3.5, 4.2)
MIXED_GRADE = 3
# Features whose direction a grade must follow, whatever else the answer says: more hedging never raises the
# shown score, more evidence on the rubric never lowers it. Unconstrained trees broke this between near-identical
# answers (a hedged copy of a strong answer scored 0.1 higher), for no gain in cross-validated agreement.
RAISES_THE_GRADE = frozenset(
    {
        "rubric",
        "rubric_min",
        "criteria_evidenced",
        "decisions",
        "owned_decisions",
        "outcome_numbers",
        "alternatives_with_reason",
        "before_after",
        "covered",
        "past_in_story",
        WORDING,
    }
)
LOWERS_THE_GRADE = frozenset(
    {
        "hedges",
        "fillers",
        "buzzwords",
        "activity_numbers",
        "unguarded_throughput",
        "infrastructure_only",
        "anti_patterns",
        "hypothetical_in_story",
        "negated_claims",
    }
)  # until the fitted ones are chosen
# Verdict targets the cuts are chosen for, with a margin below the published limits.
LOW_HIRED_LIMIT = 0.04  # answers graded 1-2 called hire
LOW_STRONG_LIMIT = 0.02  # answers graded 1-2 called strong hire
MID_STRONG_LIMIT = 0.08  # answers graded 3 called strong hire


def features(engine: FeedbackEngine, answers: Sequence[GradedAnswer]) -> tuple[list[str], list[list[float]]]:
    """The feature names and one row per answer (without the wording model's, which is fitted here)."""
    rows = []
    for answer in answers:
        if answer.question_text is None:
            values = engine.read(answer.text, question_id=answer.question)
        else:
            values = engine.read(answer.text, question_text=answer.question_text, category=answer.category)
        rows.append(values)
    names = list(rows[0])
    return names, [[row[name] for name in names] for row in rows]


def _same(terms: list[str]) -> list[str]:
    return terms


def fit_wording(docs: Sequence[list[str]], grades: Sequence[int]) -> WordingModel:
    """A ridge regression of the grade on the answers' tf-idf weighted terms (checked against scikit-learn's own
    predictions)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge

    vectorizer = TfidfVectorizer(analyzer=_same, min_df=2, sublinear_tf=True, max_features=WORDING_TERMS)
    matrix = vectorizer.fit_transform(docs)
    ridge = Ridge(alpha=WORDING_RIDGE).fit(matrix, grades)
    weights = {
        str(term): (float(vectorizer.idf_[column]), float(ridge.coef_[column]))
        for term, column in vectorizer.vocabulary_.items()
    }
    model = WordingModel(float(ridge.intercept_), weights)
    for doc, expected in zip(docs[:50], ridge.predict(matrix[:50]), strict=True):
        assert abs(model.predict(doc) - float(expected)) < 1e-6, "the exported wording model disagrees with the ridge"
    return model


def out_of_fold_wording(
    docs: Sequence[list[str]], grades: Sequence[int], groups: Sequence[Sequence[int]]
) -> dict[int, float]:
    """Each answer's wording score from a model fitted without its group (so the trees see honest values)."""
    predicted: dict[int, float] = {}
    for held in groups:
        held_set = set(held)
        rest = [i for group in groups for i in group if i not in held_set]
        model = fit_wording([docs[i] for i in rest], [grades[i] for i in rest])
        predicted.update((i, model.predict(docs[i])) for i in held)
    return predicted


def _ensemble(
    booster: Any, x: list[list[float]], raw: Callable[[list[list[float]]], Any], learning_rate: float
) -> Ensemble:
    """A fitted scikit-learn booster as a shipped Ensemble (checked to give the booster's own raw output)."""
    trees = []
    for estimator in booster.estimators_[:, 0]:
        t = estimator.tree_
        trees.append(
            Tree(
                feature=tuple(int(f) if left >= 0 else -1 for f, left in zip(t.feature, t.children_left, strict=True)),
                threshold=tuple(float(v) for v in t.threshold),
                left=tuple(int(v) for v in t.children_left),
                right=tuple(int(v) for v in t.children_right),
                value=tuple(float(v) for v in t.value[:, 0, 0]),
            )
        )
    single = [list(array("f", row)) for row in x[:50]]  # as ScoreModel.vector passes them
    unbased = Ensemble(0.0, learning_rate, tuple(trees))
    base = float(raw(x[:1])[0]) - unbased.raw(single[0])
    ensemble = Ensemble(base, learning_rate, tuple(trees))
    for row, expected in zip(single, raw(x[:50]), strict=True):
        assert abs(ensemble.raw(row) - float(expected)) < 1e-6, "the exported trees disagree with the booster"
    return ensemble


def fit_grade(
    x: list[list[float]], grades: list[int], names: Sequence[str], weights: Sequence[float] | None = None
) -> Ensemble:
    """Trees that predict the grade, bound to move the right way with the features whose direction is known."""
    from sklearn.ensemble import HistGradientBoostingRegressor  # a fitting-time dependency only

    trees, leaves, rate = GRADE_TREES
    constraints = [1 if n in RAISES_THE_GRADE else -1 if n in LOWERS_THE_GRADE else 0 for n in names]
    single = [list(array("f", row)) for row in x]  # as the shipped model reads them, so every split goes the same way
    booster = HistGradientBoostingRegressor(
        max_iter=trees,
        max_leaf_nodes=leaves,
        learning_rate=rate,
        l2_regularization=1.0,
        monotonic_cst=constraints,
        early_stopping=False,
        random_state=0,
    ).fit(single, grades, sample_weight=weights)
    return _histogram_ensemble(booster, single)


def _histogram_ensemble(booster: Any, x: list[list[float]]) -> Ensemble:
    """A fitted histogram booster as a shipped Ensemble (its leaves already carry the learning rate)."""
    trees = []
    for (predictor,) in booster._predictors:
        nodes = predictor.nodes
        trees.append(
            Tree(
                feature=tuple(-1 if n["is_leaf"] else int(n["feature_idx"]) for n in nodes),
                threshold=tuple(float(n["num_threshold"]) for n in nodes),
                left=tuple(int(n["left"]) for n in nodes),
                right=tuple(int(n["right"]) for n in nodes),
                value=tuple(float(n["value"]) for n in nodes),
            )
        )
    ensemble = Ensemble(float(booster._baseline_prediction.ravel()[0]), 1.0, tuple(trees))
    for row, expected in zip(x[:50], booster.predict(x[:50]), strict=True):
        assert abs(ensemble.raw(row) - float(expected)) < 1e-6, "the exported trees disagree with the booster"
    return ensemble


def fit_hire(x: list[list[float]], grades: list[int], weights: Sequence[float] | None = None) -> Ensemble:
    """Trees that give the log-odds of a 4-5 grade against a 1-2 grade.

    Answers graded 3 are left out of this fit: a mixed answer may honestly go either way in a debrief, and
    counting them as "not hire" taught the trees to hold back strong answers that only look like middling
    ones (grouped cross-validation: 72% of 4-5 answers called hire with them, 77% without, at the same 4%
    of 1-2 answers)."""
    from sklearn.ensemble import GradientBoostingClassifier

    trees, depth, rate = HIRE_TREES
    kept = [i for i, g in enumerate(grades) if g != MIXED_GRADE]
    booster = GradientBoostingClassifier(
        n_estimators=trees, max_depth=depth, learning_rate=rate, subsample=SUBSAMPLE, random_state=0
    ).fit(
        [x[i] for i in kept],
        [grades[i] >= 4 for i in kept],
        sample_weight=None if weights is None else [weights[i] for i in kept],
    )
    return _ensemble(booster, x, booster.decision_function, rate)


def folds(answers: Sequence[GradedAnswer]) -> list[list[int]]:
    """Answer indexes in FOLDS groups; all answers to one question land in the same group."""
    questions = sorted({a.question for a in answers})
    fold_of = {q: i % FOLDS for i, q in enumerate(questions)}
    groups: list[list[int]] = [[] for _ in range(FOLDS)]
    for index, answer in enumerate(answers):
        groups[fold_of[answer.question]].append(index)
    return groups


def stretch_for(raw: Sequence[float], grades: Sequence[int]) -> tuple[float, float]:
    """Center and factor that give cross-validated predictions the grades' spread."""
    n = len(raw)
    mean_raw, mean_grade = sum(raw) / n, sum(grades) / n
    sd_raw = (sum((r - mean_raw) ** 2 for r in raw) / n) ** 0.5
    sd_grade = (sum((g - mean_grade) ** 2 for g in grades) / n) ** 0.5
    return mean_grade, sd_grade / sd_raw if sd_raw else 1.0


def hire_odds_for(odds: Sequence[float], grades: Sequence[int]) -> float:
    """The lowest log-odds threshold that keeps answers graded 1-2 out of hire often enough."""
    low = sorted((o for o, g in zip(odds, grades, strict=True) if g <= 2), reverse=True)
    allowed = int(LOW_HIRED_LIMIT * len(low))
    return round(low[allowed] + 1e-4, 4) if allowed < len(low) else min(odds)


def band_cut_for(scores: Sequence[float], votes: Sequence[bool]) -> float:
    """The hire cut that moves the fewest scores to put them in their vote's band."""
    steps = [round(2.5 + 0.1 * i, 1) for i in range(21)]  # on the grid scores are shown on

    def moved(cut: float) -> int:
        return sum((v and s < cut) or (not v and s >= cut) for s, v in zip(scores, votes, strict=True))

    return min(steps, key=moved)


def outer_cuts(items: Sequence[Scored], hire: float) -> tuple[float, float, float]:
    """Strong hire as low as keeps most 3s out of it; lean no hire where grade-1 answers part from grades 2-3."""
    steps = [round(1.0 + 0.1 * i, 1) for i in range(41)]  # on the grid scores are shown on

    def share(grades: set[int], cut: float) -> float:
        group = [i for i in items if i.answer.grade in grades]
        return sum(i.overall >= cut for i in group) / max(1, len(group))

    strong = next(
        c
        for c in steps
        if c >= hire + 0.3 and share({1, 2}, c) <= LOW_STRONG_LIMIT and share({3}, c) <= MID_STRONG_LIMIT
    )
    ones = [i.overall for i in items if i.answer.grade == 1]
    rest = [i.overall for i in items if i.answer.grade in (2, 3)]

    def errors(cut: float) -> float:  # balanced: each side's share of misses counts the same
        return sum(s >= cut for s in ones) / max(1, len(ones)) + sum(s < cut for s in rest) / max(1, len(rest))

    lean = min((c for c in steps if c < hire), key=errors)
    return lean, hire, strong


def fit(answers: Sequence[GradedAnswer]) -> tuple[ScoreModel, list[Scored], list[Scored]]:
    """The shipped model fitted on `answers` and their pasted copies under other questions (pasted.py), and the
    cross-validated scores of both.

    The wording model is fitted on the answers alone (a pasted copy has the same words as its answer, graded 1
    instead of 4-5); the trees learn from both, so they learn that good words under the wrong question are no
    answer. A pasted copy sits in the fold of its own answer."""
    bank = load_bank()
    placeholder = ScoreModel((), Ensemble(3.0, 0.1, ()), Ensemble(0.0, 0.1, ()), 3.0, 1.0, 0.0, CUTS, "placeholder")
    engine = FeedbackEngine(bank, model=placeholder)
    pasted = pasted_copies(answers)
    rows_of = [*answers, *(p.answer for p in pasted)]
    names, x = features(engine, rows_of)
    names.append(WORDING)
    docs = [engine.terms(a.text) for a in answers]
    grades = [a.grade for a in answers]
    all_grades = [a.grade for a in rows_of]
    row_weights = [1.0] * len(answers) + [PASTED_WEIGHT] * len(pasted)
    origin = [*range(len(answers)), *(p.source for p in pasted)]  # whose words each row has
    groups = folds(answers)
    fold_of = {i: k for k, group in enumerate(groups) for i in group}
    row_groups = [[j for j in range(len(rows_of)) if fold_of[origin[j]] == k] for k in range(FOLDS)]
    raw, odds = [0.0] * len(rows_of), [0.0] * len(rows_of)
    fold_models = []
    for group, held in zip(groups, row_groups, strict=True):
        held_set = set(held)
        rest = [j for j in range(len(rows_of)) if j not in held_set]
        other_groups = [g for g in groups if g is not group]
        rest_answers = [i for g in other_groups for i in g]
        # nested: the trees of this fold learn from wording scores none of their answers were fitted on
        inner = out_of_fold_wording(docs, grades, other_groups)
        wording = fit_wording([docs[i] for i in rest_answers], [grades[i] for i in rest_answers])
        rows = {j: [*x[j], inner[origin[j]]] for j in rest} | {
            j: [*x[j], wording.predict(docs[origin[j]])] for j in held
        }
        weights = [row_weights[j] for j in rest]
        grade = fit_grade([rows[j] for j in rest], [all_grades[j] for j in rest], names, weights)
        hire = fit_hire([rows[j] for j in rest], [all_grades[j] for j in rest], weights)
        fold_models.append((grade, hire, wording))
        for j in held:
            row = list(array("f", rows[j]))
            raw[j], odds[j] = grade.raw(row), hire.raw(row)
    # the stretch and the thresholds are chosen on the answers as written: pasted copies are not a grade spread
    center, stretch = stretch_for(raw[: len(answers)], grades)
    hire_odds = hire_odds_for(odds[: len(answers)], grades)
    shown = [center + stretch * (r - center) for r in raw[: len(answers)]]
    cut = band_cut_for(shown, [o >= hire_odds for o in odds[: len(answers)]])
    cv_items: list[Scored] = []
    cv_pasted: list[Scored] = []
    for held, (grade, hire, wording) in zip(row_groups, fold_models, strict=True):
        fold = ScoreModel(tuple(names), grade, hire, center, stretch, hire_odds, (1.0, cut, 5.0), "fold", wording)
        fold_engine = FeedbackEngine(bank, model=fold)
        cv_items += scored(fold_engine, [answers[j] for j in held if j < len(answers)])
        cv_pasted += scored(fold_engine, [rows_of[j] for j in held if j >= len(answers)])
    cuts = outer_cuts(cv_items, cut)
    cv_items = [replace(i, verdict=verdict_for(i.overall, cuts).value) for i in cv_items]
    cv_pasted = [replace(i, verdict=verdict_for(i.overall, cuts).value) for i in cv_pasted]
    honest = out_of_fold_wording(docs, grades, groups)
    full = [[*row, honest[origin[j]]] for j, row in enumerate(x)]
    model = ScoreModel(
        features=tuple(names),
        grade=fit_grade(full, all_grades, names, row_weights),
        hire=fit_hire(full, all_grades, row_weights),
        center=round(center, 4),
        stretch=round(stretch, 4),
        hire_odds=hire_odds,
        verdict_cuts=cuts,
        trained_on=(
            f"{len(answers)} graded answers (train, spoken, written, legacy, eval tune)"
            f" and {len(pasted)} of them pasted under another question"
        ),
        wording=fit_wording(docs, grades),
    )
    return model, cv_items, cv_pasted


def main(argv: Sequence[str] | None = None) -> int:
    """Fit, report and write (or check) the shipped model."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the fitted model differs from the shipped one")
    args = parser.parse_args(argv)
    answers = fitting_answers()
    model, cv_items, cv_pasted = fit(answers)
    print(f"cross-validated by question ({FOLDS} folds) on {len(answers)} fitting answers")
    print(
        f"stretch {model.stretch} around {model.center}; hire at log-odds >= {model.hire_odds};"
        f" verdict cuts {model.verdict_cuts}"
    )
    print_agreement("cross-validated", agreement(cv_items), cv_items)
    print_pasted("cross-validated", cv_pasted)
    text = json.dumps(model.to_json(), separators=(",", ":")) + "\n"
    if args.check:
        if MODEL_PATH.read_text(encoding="utf-8") != text:
            print("the shipped model differs from a fresh fit", file=sys.stderr)
            return 1
        print("the shipped model matches a fresh fit")
        return 0
    MODEL_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {MODEL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
