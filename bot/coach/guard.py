"""The rules engine's guard over a model's judgement: quotes verified word for word, scores bounded by the
engine's caps, the engine's own score wherever the model's rests on nothing in the answer."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace

from bot.coach.judgement import MAX_FOLLOW_UP_CHARS, MAX_QUOTES, MAX_REASON_CHARS, CriterionJudgement, Judgement
from bot.scoring.engine import verdict_for
from bot.scoring.feedback import CriterionResult, Feedback
from bot.scoring.text import read_answer
from content.schema import Rubric

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
    r"\bignore (?:all |any |the |your )?(?:previous|prior|above|earlier|preceding|other) "
    r"(?:instructions|prompts?|rules)"
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
    """The quotes that appear word for word in the answer (as the engine reads it), and how many were dropped."""
    haystack = folded(read_answer(answer).text)
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
    judgement: Judgement, engine: Feedback, rubric: Rubric, answer: str, model_name: str
) -> tuple[Feedback, GuardReport]:
    """The feedback a member sees from a model's judgement: each criterion's score kept only where the answer
    bears it out, the overall score their weighted mean under the engine's caps, the engine's findings beside."""
    by_id: dict[str, CriterionJudgement] = {}
    for item in judgement.criteria:
        by_id.setdefault(item.id, item)
    engine_scores = {c.id: c for c in engine.criteria}
    results: list[CriterionResult] = []
    dropped = 0
    fell_back: list[str] = []
    cap = engine.ceiling
    for criterion in rubric.criteria:
        mine = engine_scores.get(criterion.id)
        said = by_id.get(criterion.id)
        engine_score = mine.score if mine is not None else 1
        if said is None:
            fell_back.append(criterion.id)
            results.append(mine or CriterionResult(criterion.id, criterion.name, criterion.weight, 1, (), None))
            continue
        quotes, lost = verified_quotes(said.quotes, answer)
        dropped += lost
        score = said.score
        if not quotes and (lost or score > UNQUOTED_CEILING):
            # the score rests on quotes the answer does not hold (invented or paraphrased), or claims strength
            # without pointing at anything
            fell_back.append(criterion.id)
            score = engine_score
        if cap is not None:
            score = min(score, max(1, math.floor(cap)))
        suggestion = (mine.suggestion if mine is not None else None) if score < 4 else None
        results.append(
            CriterionResult(
                criterion.id,
                criterion.name,
                criterion.weight,
                score,
                quotes or (mine.evidence if mine is not None and score == engine_score else ()),
                suggestion,
                _reason(said.reason),
            )
        )
    weights = sum(c.weight for c in results) or 1.0
    overall = sum(c.weight * c.score for c in results) / weights
    if cap is not None:
        overall = min(overall, cap)
    overall = round(overall, 1)
    feedback = replace(
        engine,
        overall=overall,
        verdict=verdict_for(overall),
        criteria=tuple(results),
        coach=model_name,
        engine_overall=engine.overall,
        follow_up=_follow_up(judgement.follow_up),
    )
    return feedback, GuardReport(dropped, tuple(fell_back))


def _reason(text: str) -> str | None:
    cleaned = _SPACE.sub(" ", text).strip()
    if not cleaned:
        return None
    return cleaned if len(cleaned) <= MAX_REASON_CHARS else cleaned[: MAX_REASON_CHARS - 1].rstrip() + "…"


def _follow_up(text: str) -> str | None:
    cleaned = _SPACE.sub(" ", text).strip()
    if not cleaned.endswith("?") or len(cleaned) > MAX_FOLLOW_UP_CHARS or len(cleaned.split()) < 4:
        return None
    return cleaned
