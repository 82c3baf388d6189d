"""Good answers pasted under another question: a member who answers the question they prepared for instead of
the one asked. Each answer graded 4-5 is paired with one other question of the same answers (chosen by a stable hash,
half of them in its own category), and graded 1: it does not answer what was asked, however good it is.

Built from the answers it is given, so the pasted copies of fitting answers are fitting data, and those of a
measured set measure."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from tests.calibration.dataset import GradedAnswer

PASTED_KIND = "pasted_elsewhere"


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def pasted_answers(answers: Sequence[GradedAnswer]) -> list[GradedAnswer]:
    """One copy of each answer graded 4-5 under another of these answers' questions, graded 1."""
    questions: dict[str, GradedAnswer] = {}
    for answer in answers:
        questions.setdefault(answer.question, answer)
    ordered = sorted(questions)
    out = []
    for answer in answers:
        if answer.grade < 4:
            continue
        seed = _stable(answer.id)
        same = [q for q in ordered if q != answer.question and questions[q].category == answer.category]
        other = [q for q in ordered if questions[q].category != answer.category]
        pool = same if seed % 2 == 0 and same else other
        target = questions[pool[(seed // 2) % len(pool)]]
        out.append(
            replace(
                answer,
                id=f"{answer.id}@{target.question}",
                question=target.question,
                question_text=target.question_text,
                category=target.category,
                grade=1,
                kind=PASTED_KIND,
            )
        )
    return out
