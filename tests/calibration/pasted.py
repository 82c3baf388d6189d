"""Good answers pasted under another question: a member who answers the question they prepared for instead of
the one asked. Each answer graded 4-5 is paired with one other question of the same answers (chosen by a stable hash,
half of them in its own category), and graded 1: it does not answer what was asked, however good it is.

Built from the answers it is given, so the pasted copies of fitting answers are fitting data, and those of a
measured set measure."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from tests.calibration.dataset import GradedAnswer

PASTED_KIND = "pasted_elsewhere"


def _stable(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


class Pasted(NamedTuple):
    """A copy of one of the answers (`source`, its index among them) under another question."""

    source: int
    answer: GradedAnswer


def pasted_answers(answers: Sequence[GradedAnswer]) -> list[GradedAnswer]:
    """One copy of each answer graded 4-5 under another of these answers' questions, graded 1."""
    return [p.answer for p in pasted_copies(answers)]


def pasted_copies(answers: Sequence[GradedAnswer]) -> list[Pasted]:
    """pasted_answers(), each with the index of the answer it copies."""
    questions: dict[str, GradedAnswer] = {}
    for answer in answers:
        questions.setdefault(answer.question, answer)
    ordered = sorted(questions)
    out: list[Pasted] = []
    for index, answer in enumerate(answers):
        if answer.grade < 4:
            continue
        seed = _stable(answer.id)
        same = [q for q in ordered if q != answer.question and questions[q].category == answer.category]
        other = [q for q in ordered if questions[q].category != answer.category]
        pool = same if seed % 2 == 0 and same else other
        target = questions[pool[(seed // 2) % len(pool)]]
        out.append(
            Pasted(
                index,
                replace(
                    answer,
                    id=f"{answer.id}@{target.question}",
                    question=target.question,
                    question_text=target.question_text,
                    category=target.category,
                    grade=1,
                    kind=PASTED_KIND,
                ),
            )
        )
    return out
