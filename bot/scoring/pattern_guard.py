"""Skip regexes that cannot match: each pattern is guarded by literals one of which it must contain."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

try:  # the parser is private; without it every pattern simply runs unguarded
    from re import _constants as _sre_constants  # type: ignore[attr-defined]
    from re import _parser as _sre_parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other Python versions
    _sre_parser = None
    _sre_constants = None

MIN_GUARD = 3
MAX_GUARD_LITERALS = 40  # past this many alternatives a scan is as cheap as the look-ups


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Literals of which every match of `pattern` contains at least one (each at least 3 characters), if found."""
    if _sre_parser is None:
        return None
    try:
        parsed = _sre_parser.parse(pattern)
    except (re.error, RecursionError, TypeError, ValueError):
        return None
    best = _requirement(list(parsed))
    return best if best and len(best) <= MAX_GUARD_LITERALS else None


Requirement = tuple[str, ...]


def _better(a: Requirement, b: Requirement) -> Requirement:
    """The more selective requirement: longer shortest literal first, then fewer alternatives."""

    def key(r: Requirement) -> tuple[int, int]:
        return (min((len(x) for x in r), default=0), -len(r)) if r else (0, 0)

    return a if key(a) >= key(b) else b


def _requirement(items: list[tuple[Any, Any]]) -> Requirement:
    c = _sre_constants
    best: Requirement = ()
    run = ""
    for op, av in items:
        if op is c.LITERAL:
            run += chr(av)
            continue
        if op is c.AT:
            continue  # zero-width: literals on both sides stay adjacent
        if len(run) >= MIN_GUARD:
            best = _better(best, (run,))
        run = ""
        if op is c.SUBPATTERN:
            best = _better(best, _requirement(list(av[-1])))
        elif op is c.BRANCH:
            branches = [_requirement(list(branch)) for branch in av[1]]
            if all(branches):
                best = _better(best, tuple(dict.fromkeys(x for branch in branches for x in branch)))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
            best = _better(best, _requirement(list(av[2])))
    if len(run) >= MIN_GUARD:
        best = _better(best, (run,))
    return best


@dataclass(frozen=True)
class GuardedPattern:
    """A compiled pattern and the literal whose absence proves it cannot match."""

    guard: tuple[str, ...] | None
    regex: re.Pattern[str]

    def may_match(self, text: str) -> bool:
        """False only when the pattern certainly does not match `text`."""
        return self.guard is None or any(literal in text for literal in self.guard)


def guarded(patterns: Iterable[str], compile_: Any) -> tuple[GuardedPattern, ...]:
    """Compile each pattern with `compile_` and attach its guard literal (taken from the compiled source)."""
    out = []
    for pattern in patterns:
        regex = compile_(pattern)
        out.append(GuardedPattern(required_literals(regex.pattern), regex))
    return tuple(out)


def guarded_terms(terms: Sequence[str], compile_: Any, chunk: int = 8) -> tuple[GuardedPattern, ...]:
    """Whole-word alternations of `terms` in small chunks, so each chunk gets a selective guard."""
    parts = [terms[i : i + chunk] for i in range(0, len(terms), chunk)]
    return guarded([r"\b(?:" + "|".join(part) + r")\b" for part in parts], compile_)
