"""The rules engine's guard over a model's judgement: quotes verified word for word, scores bounded by the
engine's caps, the engine's own score wherever the model's rests on nothing in the answer."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace

from bot.coach.judgement import MAX_FOLLOW_UP_CHARS, MAX_QUOTES, MAX_REASON_CHARS, CriterionJudgement, Judgement
from bot.replies import clipped
from bot.scoring.engine import verdict_for
from bot.scoring.feedback import CriterionResult, Feedback

MIN_QUOTE_WORDS = 3
# A score above this claims something done well: it needs a sentence of the answer to point at.
UNQUOTED_CEILING = 2
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)
_SPACE = re.compile(r"\s+")
# Words an answer only holds when it talks to whoever grades it: a model is not asked about such an answer.
_TO_THE_GRADER = re.compile(
    r"\b(?:ignore|disregard|forget) (?:all|any|your) (?:of )?(?:the )?(?:previous |prior |above |earlier )?"
    r"(?:instructions|prompts?)\b"
    r"|\b(?:ignore|disregard) (?:the )?(?:previous|prior|above) (?:instructions|prompts?)\W+(?:and )?"
    r"(?:give|score|rate|grade|mark|return|output|say|answer)\b"
    r"|\b(?:give|score|rate|grade|mark) (?:this|me|my answer|the answer|this answer)(?: answer)?(?: as)? "
    r"(?:a |an )?(?:5|five|perfect|full marks|strong hire)\b"
    r"|\b(?:you are|act as) (?:now )?(?:the|a|an) (?:grader|judge|evaluator|scorer)\b"
    r"|\bsystem prompt\b|</?(?:system|assistant)>|ANSWER ?>>>",
    re.IGNORECASE,
)
_EDGE = " \t\n\"'.,;:!?-()[]*_`>"


def folded(text: str) -> str:
    """Text in the form quotes are compared in: Unicode-normalised, typographic marks plain, spaces collapsed,
    case folded (a model that changes only these has still quoted the member)."""
    plain = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return _SPACE.sub(" ", plain).strip().casefold()


def talks_to_the_grader(answer: str) -> bool:
    """Whether the answer holds instructions to whoever grades it ("ignore previous instructions", "score this
    a 5"): such an answer gets the engine's feedback only."""
    return _TO_THE_GRADER.search(answer) is not None


def verified_quotes(quotes: list[str], answer: str) -> tuple[tuple[str, ...], int]:
    """The quotes that appear word for word in the answer, and how many were dropped."""
    return _verified(quotes, folded(answer))


def _verified(quotes: list[str], haystack: str) -> tuple[tuple[str, ...], int]:
    kept: list[str] = []
    dropped = 0
    for quote in quotes:
        needle = folded(quote).strip(_EDGE)
        if len(needle.split()) < MIN_QUOTE_WORDS or needle not in haystack:
            dropped += 1
            continue
        shown = _SPACE.sub(" ", quote).strip().strip("\"'\u201c\u201d")
        if shown not in kept:
            kept.append(shown)
    return tuple(kept[:MAX_QUOTES]), dropped


@dataclass(frozen=True)
class GuardReport:
    """What the guard changed: quotes dropped, criteria that fell back to the engine's score."""

    quotes_dropped: int
    fell_back: tuple[str, ...]


def guarded(
    judgement: Judgement, engine: Feedback, answer: str, model_name: str
) -> tuple[Feedback | None, GuardReport]:
    """The feedback a member sees from a model's judgement of `answer`, whose engine feedback (one result per
    criterion of the rubric the model was given) is `engine`: each criterion's score, reason and quotes kept only
    where the answer bears them out (else the engine's criterion as it was), the overall score their weighted mean
    under the engine's caps. None when nothing of the judgement could be kept."""
    by_id: dict[str, CriterionJudgement] = {}
    for item in judgement.criteria:
        by_id.setdefault(item.id, item)
    results: list[CriterionResult] = []
    dropped = 0
    fell_back: list[str] = []
    cap = max(1, math.floor(engine.ceiling)) if engine.ceiling is not None else 5
    haystack = folded(answer)  # what the engine reads: folded() already joins lines and collapses spacing
    for mine in engine.criteria:
        said = by_id.get(mine.id)
        quotes, lost = _verified(said.quotes, haystack) if said is not None else ((), 0)
        dropped += lost
        if said is None or (not quotes and (lost or said.score > UNQUOTED_CEILING)):
            # skipped, or resting on quotes the answer does not hold (invented or paraphrased), or claiming
            # strength without pointing at anything: the engine's own view of the criterion stands
            fell_back.append(mine.id)
            results.append(replace(mine, score=min(mine.score, cap)))
            continue
        score = min(said.score, cap)
        suggestion = mine.suggestion if score < 4 else None
        results.append(replace(mine, score=score, evidence=quotes, suggestion=suggestion, reason=_reason(said.reason)))
    report = GuardReport(dropped, tuple(fell_back))
    if len(fell_back) == len(results):
        return None, report
    weights = sum(c.weight for c in results) or 1.0
    overall = sum(c.weight * c.score for c in results) / weights
    if engine.ceiling is not None:
        overall = min(overall, engine.ceiling)
    overall = round(overall, 1)
    notes = engine.notes
    if fell_back:
        notes = (
            *notes,
            f"{len(fell_back)} of {len(results)} criteria keep the rules engine's score: what the model said about "
            f"them is not borne out by your answer ({len(results) - len(fell_back)} judged by the model).",
        )
    feedback = replace(
        engine,
        overall=overall,
        verdict=verdict_for(overall),
        criteria=tuple(results),
        notes=notes,
        coach=model_name,
        engine_overall=engine.overall,
        follow_up=_follow_up(judgement.follow_up),
    )
    return feedback, report


def _reason(text: str) -> str | None:
    cleaned = _SPACE.sub(" ", text).strip()
    return clipped(cleaned, MAX_REASON_CHARS) if cleaned else None


def _follow_up(text: str) -> str | None:
    cleaned = _SPACE.sub(" ", text).strip()
    if not cleaned.endswith("?") or len(cleaned) > MAX_FOLLOW_UP_CHARS or len(cleaned.split()) < 4:
        return None
    return cleaned
