"""Agreement between engine scores and hand grades: pairwise ordering (also where the shorter answer is the
better one), Spearman, verdicts by grade, and the same by kind of answer."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bot.scoring.engine import FeedbackEngine
from bot.scoring.feedback import Feedback
from tests.calibration.dataset import GradedAnswer

HIRE = ("hire", "strong_hire")
VERDICTS = ("no_hire", "lean_no_hire", "hire", "strong_hire")


@dataclass(frozen=True)
class Scored:
    """A graded answer with what the engine made of it."""

    answer: GradedAnswer
    overall: float
    verdict: str
    off_question: bool


@dataclass(frozen=True)
class Agreement:
    """The figures for one set of answers."""

    answers: int
    pairs: int
    pairwise: float
    shorter_pairs: int
    shorter_better: float
    spearman: float
    high_hired: float  # graded 4-5 and called hire / strong hire
    low_hired: float  # graded 1-2 and called hire / strong hire
    confusion: dict[int, Counter[str]]


def score(engine: FeedbackEngine, answer: GradedAnswer) -> Feedback:
    """Score a graded answer: bank questions by id, the others by their text and category."""
    if answer.question_text is None:
        return engine.score(answer.text, question_id=answer.question)
    return engine.score(answer.text, question_text=answer.question_text, category=answer.category)


def scored(engine: FeedbackEngine, answers: Sequence[GradedAnswer]) -> list[Scored]:
    """Every answer with its engine score and verdict."""
    return [scored_from(answer, score(engine, answer)) for answer in answers]


def scored_from(answer: GradedAnswer, feedback: Feedback) -> Scored:
    """An answer with the score and verdict of its feedback (the engine's, or a model's)."""
    return Scored(answer, feedback.overall, feedback.verdict.value, feedback.off_question is not None)


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
    if n < 2:
        return 0.0
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else 0.0


def pairs(items: Sequence[Scored]) -> list[tuple[Scored, Scored]]:
    """Differently graded pairs of answers to the same question, better one first."""
    by_question: dict[str, list[Scored]] = defaultdict(list)
    for item in items:
        by_question[item.answer.question].append(item)
    found = []
    for group in by_question.values():
        for x in range(len(group)):
            for y in range(x + 1, len(group)):
                a, b = group[x], group[y]
                if a.answer.grade != b.answer.grade:
                    found.append((a, b) if a.answer.grade > b.answer.grade else (b, a))
    return found


def ordered_share(found: Sequence[tuple[Scored, Scored]]) -> float:
    """Share of pairs the engine orders like the grades; ties count half."""
    if not found:
        return 1.0
    total = sum(
        0.5 if better.overall == worse.overall else float(better.overall > worse.overall) for better, worse in found
    )
    return total / len(found)


def words(text: str) -> int:
    """Words in an answer (whitespace-separated)."""
    return len(text.split())


def agreement(items: Sequence[Scored]) -> Agreement:
    """All figures for a set of scored answers."""
    found = pairs(items)
    shorter = [(b, w) for b, w in found if words(b.answer.text) < words(w.answer.text)]
    high = [i for i in items if i.answer.grade >= 4]
    low = [i for i in items if i.answer.grade <= 2]
    confusion: dict[int, Counter[str]] = {g: Counter() for g in range(1, 6)}
    for item in items:
        confusion[item.answer.grade][item.verdict] += 1
    return Agreement(
        answers=len(items),
        pairs=len(found),
        pairwise=ordered_share(found),
        shorter_pairs=len(shorter),
        shorter_better=ordered_share(shorter),
        spearman=spearman([i.overall for i in items], [i.answer.grade for i in items]),
        high_hired=sum(i.verdict in HIRE for i in high) / len(high) if high else 0.0,
        low_hired=sum(i.verdict in HIRE for i in low) / len(low) if low else 0.0,
        confusion=confusion,
    )


@dataclass(frozen=True)
class KindFigures:
    """How the engine does on one kind of answer."""

    kind: str
    answers: int
    mean_grade: float
    mean_score: float
    within_one: float  # share scored within a point of the grade
    pairwise: float  # pairs involving an answer of this kind, ordered like the grades
    pairs: int


def by_kind(items: Sequence[Scored]) -> list[KindFigures]:
    """The figures per kind of answer, most frequent kind first."""
    found = pairs(items)
    out = []
    for kind, count in Counter(i.answer.kind for i in items).most_common():
        mine = [i for i in items if i.answer.kind == kind]
        involved = [(b, w) for b, w in found if kind in (b.answer.kind, w.answer.kind)]
        out.append(
            KindFigures(
                kind=kind,
                answers=count,
                mean_grade=sum(i.answer.grade for i in mine) / count,
                mean_score=sum(i.overall for i in mine) / count,
                within_one=sum(abs(i.overall - i.answer.grade) <= 1 for i in mine) / count,
                pairwise=ordered_share(involved),
                pairs=len(involved),
            )
        )
    return out
