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

MIN_GUARD = 2
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
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
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


def splits_at_top(fragment: str) -> bool:
    """Whether a regex fragment has a '|' outside any group or character class."""
    depth, index, in_class = 0, 0, False
    while index < len(fragment):
        char = fragment[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
        index += 1
    return False


def factored(fragments: Sequence[str], *, word_start: bool = False) -> str:
    """One alternation of `fragments`, with those that start with the same literal character grouped under it.

    The regex engine skips a branch whose first literal does not match at a glance, and when every branch
    starts with a literal it jumps straight to the positions where one could start. With `word_start`, each
    fragment must start a word: the check sits after the first character (a look-behind), not before it,
    where it would stop the engine from jumping. Fragments keep their relative order within a group."""
    groups: dict[str, list[str]] = {}
    rest: list[str] = []
    for fragment in fragments:
        first = fragment[:1]
        plain = first.isalnum() and not (len(fragment) > 1 and fragment[1] in "?*+{")
        if not plain or splits_at_top(fragment):
            rest.append(rf"\b(?:{fragment})" if word_start else fragment)
        else:
            groups.setdefault(first, []).append(fragment[1:])
    parts = list(rest)
    for first, tails in groups.items():
        head = rf"{first}(?<=\b{first})" if word_start else first
        parts.append(head + tails[0] if len(tails) == 1 else head + "(?:" + "|".join(tails) + ")")
    return "|".join(parts)


def words_pattern(fragments: Sequence[str]) -> str:
    """Whole-word alternation of `fragments`."""
    return "(?:" + factored(fragments, word_start=True) + r")\b"


def led_by(words: Sequence[str], rest: str) -> str:
    """A pattern that starts with one of `words` (at a word start) followed by `rest`."""
    return "(?:" + factored(words, word_start=True) + ")" + rest
