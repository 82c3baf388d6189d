"""Agreement between engine scores and hand grades: Spearman, pairwise ordering, quadratic weighted kappa."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.scoring.engine import FeedbackEngine

CALIBRATION_DIR = Path(__file__).parent


@dataclass(frozen=True)
class GradedAnswer:
    """One hand-graded answer from the calibration set."""

    id: str
    question: str
    category: str
    split: str
    grade: int
    kind: str
    text: str


@dataclass(frozen=True)
class Agreement:
    """Agreement figures for one split."""

    answers: int
    spearman: float
    pairs: int
    pairwise: float
    kappa: float


def load_calibration(directory: Path = CALIBRATION_DIR) -> list[GradedAnswer]:
    """Every graded answer under the calibration directory."""
    answers = []
    for path in sorted(directory.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text())["answers"]:
            answers.append(GradedAnswer(**{k: item[k] for k in GradedAnswer.__dataclass_fields__}))
    return answers


def agreement(engine: FeedbackEngine, answers: Sequence[GradedAnswer]) -> Agreement:
    """Score every answer and compare with the hand grades."""
    scores = [engine.score(a.text, question_id=a.question).overall for a in answers]
    grades = [a.grade for a in answers]
    return Agreement(
        answers=len(answers),
        spearman=spearman(scores, grades),
        pairs=len(_pairs(answers)),
        pairwise=pairwise_ordering(answers, scores),
        kappa=quadratic_weighted_kappa([min(5, max(1, round(s))) for s in scores], grades),
    )


def scored(engine: FeedbackEngine, answers: Sequence[GradedAnswer]) -> list[tuple[GradedAnswer, float]]:
    """Each answer with its engine score, for reports."""
    return [(a, engine.score(a.text, question_id=a.question).overall) for a in answers]


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman rank correlation with average ranks for ties."""
    rx, ry = _ranks(xs), _ranks(ys)
    n = len(rx)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=False))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else 0.0


def _pairs(answers: Sequence[GradedAnswer]) -> list[tuple[int, int]]:
    by_question: dict[str, list[int]] = defaultdict(list)
    for index, answer in enumerate(answers):
        by_question[answer.question].append(index)
    pairs = []
    for indexes in by_question.values():
        for x in range(len(indexes)):
            for y in range(x + 1, len(indexes)):
                i, j = indexes[x], indexes[y]
                if answers[i].grade != answers[j].grade:
                    pairs.append((i, j))
    return pairs


def pairwise_ordering(answers: Sequence[GradedAnswer], scores: Sequence[float]) -> float:
    """Share of differently graded pairs (same question) the engine orders like the grades; ties count half."""
    pairs = _pairs(answers)
    if not pairs:
        return 1.0
    agree = 0.0
    for i, j in pairs:
        expected = answers[i].grade - answers[j].grade
        got = scores[i] - scores[j]
        agree += 0.5 if got == 0 else float((expected > 0) == (got > 0))
    return agree / len(pairs)


def quadratic_weighted_kappa(rated: Sequence[int], grades: Sequence[int], levels: int = 5) -> float:
    """Cohen's kappa with quadratic weights on a 1..levels scale."""
    n = len(rated)
    observed = [[0.0] * levels for _ in range(levels)]
    for a, b in zip(rated, grades, strict=False):
        observed[a - 1][b - 1] += 1
    hist_a = [sum(row) for row in observed]
    hist_b = [sum(observed[i][j] for i in range(levels)) for j in range(levels)]
    numerator = denominator = 0.0
    for i in range(levels):
        for j in range(levels):
            weight = (i - j) ** 2 / (levels - 1) ** 2
            expected = hist_a[i] * hist_b[j] / n
            numerator += weight * observed[i][j]
            denominator += weight * expected
    return 1.0 - numerator / denominator if denominator else 1.0


def report(engine: FeedbackEngine) -> dict[str, Any]:
    """Agreement per split, as a dict for printing."""
    answers = load_calibration()
    out: dict[str, Any] = {}
    for split in ("tune", "holdout"):
        part = [a for a in answers if a.split == split]
        if part:
            out[split] = agreement(engine, part)
    return out
