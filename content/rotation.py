"""Pick a channel's next question: seeded, reproducible, no repeat until a track is exhausted."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence

from content.schema import Question


class NoEligibleQuestion(LookupError):
    """No question matches the channel's tracks and difficulty range."""


def next_question(
    questions: Sequence[Question],
    *,
    tracks: Collection[str],
    difficulty: tuple[int, int],
    history: Sequence[str],
    seed: str,
) -> Question:
    """Choose the next question for a channel (no tracks: every category).

    Tracks take turns (the one asked least recently goes next). Within a track every eligible
    question is asked once, in an order fixed by the seed, before a new cycle starts with a
    freshly seeded order.
    """
    low, high = difficulty
    eligible = [q for q in questions if (not tracks or q.category in tracks) and low <= q.difficulty <= high]
    if not eligible:
        wanted = ", ".join(sorted(tracks)) or "all"
        raise NoEligibleQuestion(f"no question in tracks [{wanted}] with difficulty {low}-{high}")
    by_track: dict[str, list[Question]] = {}
    for question in eligible:
        by_track.setdefault(question.category, []).append(question)
    track = _next_track(by_track, history, seed)
    return _next_in_track(by_track[track], history, seed)


def _next_track(by_track: dict[str, list[Question]], history: Sequence[str], seed: str) -> str:
    last_seen: dict[str, int] = {track: -1 for track in by_track}
    owner = {q.id: q.category for qs in by_track.values() for q in qs}
    for position, question_id in enumerate(history):
        track = owner.get(question_id)
        if track is not None:
            last_seen[track] = position
    return min(by_track, key=lambda t: (last_seen[t], _rank(seed, "track", t)))


def _next_in_track(candidates: list[Question], history: Sequence[str], seed: str) -> Question:
    ids = {q.id for q in candidates}
    asked = [qid for qid in history if qid in ids]
    cycle, used = _current_cycle(asked, len(ids))
    remaining = [q for q in candidates if q.id not in used]
    if not remaining:  # the eligible set shrank under the history; start over
        cycle, remaining = cycle + 1, candidates
    if cycle > 0 and asked and len(remaining) > 1:
        # Never open a new cycle with the question that closed the previous one.
        remaining = [q for q in remaining if q.id != asked[-1]] or remaining
    return min(remaining, key=lambda q: _rank(seed, str(cycle), q.id))


def _current_cycle(asked: list[str], size: int) -> tuple[int, set[str]]:
    """Walk the history, starting a new cycle whenever every eligible question has been asked."""
    cycle, used = 0, set[str]()
    for question_id in asked:
        used.add(question_id)
        if len(used) >= size:
            cycle, used = cycle + 1, set()
    return cycle, used


def _rank(seed: str, *parts: str) -> bytes:
    return hashlib.sha256(":".join((seed, *parts)).encode()).digest()
