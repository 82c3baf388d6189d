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
MAX_LITERAL_FORMS = 256  # a finite pattern with more spellings than this is left to the regex engine
MAX_CLASS_RANGE = 16
MAX_REPEAT_EXPANDED = 4
# What \\s matches in a str pattern: every character str.isspace() accepts.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


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


LiteralForm = tuple[str, tuple[int, ...]]


class _Infinite(Exception):
    """The pattern (or a part of it) matches more than a short list of fixed strings."""


def literal_forms(regex: re.Pattern[str]) -> tuple[LiteralForm, ...] | None:
    """Every string `regex` can match, each with the offsets where it asserts a word boundary (\\b), in the
    order the regex engine tries them; None unless the pattern is only literals, character classes of a few
    characters, groups, alternations, bounded repeats and word boundaries (also as a look-behind right after
    the letter it looks at, as words_pattern writes them).

    At any position the regex matches the first of these strings (in this order) that the text holds with its
    boundaries in place: the engine backtracks through exactly these choices, depth first."""
    forms = _parsed_forms(regex, prefix=False)
    return None if forms is None or any(not text for text, _ in forms) else forms


def literal_prefixes(regex: re.Pattern[str]) -> tuple[LiteralForm, ...] | None:
    """Strings one of which every match of `regex` starts with, with the word boundaries the regex asserts within
    them or right after them; None if there is no such short list of strings of at least MIN_GUARD characters
    (or single characters outside ASCII, as rare in answers: "→")."""
    forms = _parsed_forms(regex, prefix=True)
    if forms is None or any(len(text) < MIN_GUARD and (not text or text.isascii()) for text, _ in forms):
        return None
    return forms


def scanning(regex: re.Pattern[str]) -> re.Pattern[str]:
    """`regex` as an alternation of its literal forms, each starting with its first character (its word
    boundaries as look-behinds and \\b after that), when it has them; otherwise `regex` itself.

    Both match the same strings at the same places, but the regex engine can jump between the places where a
    first character occurs instead of trying the pattern at every place (a word list whose entries are not
    all plain words, such as "(?:do|did)n't", keeps it from doing so)."""
    forms = literal_forms(regex)
    if forms is None:
        return regex
    by_first: dict[str, list[str]] = {}
    for text, bounds in forms:  # different first characters never match at one place: only each group's order counts
        at = set(bounds)
        first = re.escape(text[0])
        rest = [f"(?<=\\b{first})" if 0 in at else ""]
        rest += [("\\b" if i in at else "") + re.escape(char) for i, char in enumerate(text[1:], start=1)]
        rest.append("\\b" if len(text) in at else "")
        by_first.setdefault(first, []).append("".join(rest))
    return re.compile("|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in by_first.items()), regex.flags)


def _parsed_forms(regex: re.Pattern[str], *, prefix: bool) -> tuple[LiteralForm, ...] | None:
    if _sre_parser is None or regex.flags != re.UNICODE:
        return None
    try:
        forms, complete = _forms(list(_sre_parser.parse(regex.pattern)), prefix)
    except (_Infinite, re.error, RecursionError, TypeError, ValueError):
        return None
    return tuple(forms) if forms and (complete or prefix) else None


def _joined(heads: list[LiteralForm], tails: list[LiteralForm]) -> list[LiteralForm]:
    out = [(h + t, hb + tuple(len(h) + b for b in tb)) for h, hb in heads for t, tb in tails]
    if len(out) > MAX_LITERAL_FORMS:
        raise _Infinite
    return out


def _repeated(item: list[LiteralForm], low: int, high: int) -> list[LiteralForm]:
    """A greedy repeat tries one more item first (in the item's own order), and stopping last."""
    if high == 0:
        return [("", ())]
    more = _joined(item, _repeated(item, max(0, low - 1), high - 1))
    return [*more, ("", ())] if low == 0 else more


def _forms(items: list[tuple[Any, Any]], prefix: bool) -> tuple[list[LiteralForm], bool]:
    """The forms of a sequence, and whether they are whole; with `prefix`, the forms of its longest leading part
    that has them (anything that takes no characters and is not understood is passed over)."""
    c = _sre_constants
    out: list[LiteralForm] = [("", ())]
    for op, av in items:
        if op is c.LITERAL:
            out = [(text + chr(av), bounds) for text, bounds in out]
        elif op is c.AT and av is c.AT_BOUNDARY:
            out = [(text, (*bounds, len(text))) for text, bounds in out]
        elif op in (c.SUBPATTERN, c.BRANCH) and (op is c.BRANCH or (not av[1] and not av[2])):
            parts = (
                [_forms(list(branch), prefix) for branch in av[1]] if op is c.BRANCH else [_forms(list(av[3]), prefix)]
            )
            out = _joined(out, [form for forms, _ in parts for form in forms])
            if not all(complete for _, complete in parts):
                return out, False
        elif op is c.IN and _class_chars(av) is not None:
            out = _joined(out, [(char, ()) for char in _class_chars(av) or ()])
        elif op is c.MAX_REPEAT:
            item, complete = _forms(list(av[2]), prefix)
            if complete and av[1] <= MAX_REPEAT_EXPANDED and all(text for text, _ in item):
                out = _joined(out, _repeated(item, av[0], av[1]))
            elif prefix and av[0] >= 1:  # at least one item: the match goes on with one of its forms
                return _joined(out, item), False
            else:
                return _stopped(out, prefix)
        elif op is c.ASSERT and av[0] == -1 and _looks_behind_at_a_word_start(list(av[1])):
            if any(not text for text, _ in out):  # it would look before the match: not modelled
                return _stopped(out, prefix)
            letter = chr(list(av[1])[1][1])
            out = [(text, (*bounds, len(text) - 1)) for text, bounds in out if text[-1] == letter]
        elif prefix and op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # takes no characters: what comes before and after still starts every match
        else:
            return _stopped(out, prefix)
        if len(out) > MAX_LITERAL_FORMS:
            raise _Infinite
    return out, True


def _stopped(out: list[LiteralForm], prefix: bool) -> tuple[list[LiteralForm], bool]:
    if not prefix:
        raise _Infinite
    return out, False


def _looks_behind_at_a_word_start(inner: list[tuple[Any, Any]]) -> bool:
    """(?<=\\bx): the letter just matched starts a word."""
    c = _sre_constants
    return len(inner) == 2 and inner[0] == (c.AT, c.AT_BOUNDARY) and inner[1][0] is c.LITERAL


def _class_chars(items: list[tuple[Any, Any]]) -> list[str] | None:
    c = _sre_constants
    chars: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            chars.append(chr(av))
        elif op is c.RANGE and av[1] - av[0] < MAX_CLASS_RANGE:
            chars.extend(chr(code) for code in range(av[0], av[1] + 1))
        elif op is c.CATEGORY and av is c.CATEGORY_SPACE:
            chars.extend(WHITESPACE)
        else:
            return None
    return chars


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


def first_chars(regex: re.Pattern[str]) -> str | None:
    """The source of a character class (without its brackets) that holds the first character of every match of
    `regex`, when the pattern never matches the empty string and the class can be read off it; None otherwise,
    and when the regex engine already jumps to where a match can start (the pattern opens with a literal or a
    character class, or with alternatives that each open with a literal)."""
    if _sre_parser is None or regex.flags != re.UNICODE:
        return None
    try:
        items = list(_sre_parser.parse(regex.pattern))
    except (re.error, RecursionError, TypeError, ValueError):
        return None
    if _jumps_alone(items):
        return None
    firsts = _firsts(items)
    if firsts is None or firsts[1]:
        return None
    return "".join(dict.fromkeys(firsts[0])) or None


def _jumps_alone(items: list[tuple[Any, Any]]) -> bool:
    """Whether the regex engine finds a literal or a set of first characters to jump to by itself."""
    c = _sre_constants
    while items and items[0][0] is c.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][3])
    if not items:
        return False
    op, av = items[0]
    if op is c.BRANCH:
        return all(branch and next(iter(branch))[0] is c.LITERAL for branch in av[1])
    return op is c.LITERAL or op is c.IN


def _firsts(items: list[tuple[Any, Any]]) -> tuple[list[str], bool] | None:
    """The class parts a sequence's first character is in, and whether the sequence can match the empty
    string (then what follows it may supply the first character); None if some part is not understood."""
    c = _sre_constants
    parts: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            return [*parts, re.escape(chr(av))], False
        if op is c.IN:
            inside = _class_source(av)
            return None if inside is None else ([*parts, *inside], False)
        if op is c.SUBPATTERN or op is c.BRANCH:
            if op is c.SUBPATTERN and (av[1] or av[2]):
                return None  # inline flags
            branches = [list(av[3])] if op is c.SUBPATTERN else [list(branch) for branch in av[1]]
            found = [_firsts(branch) for branch in branches]
            if any(f is None for f in found):
                return None
            parts += [part for f in found if f is not None for part in f[0]]
            if not any(f is not None and f[1] for f in found):
                return parts, False
        elif op is c.MAX_REPEAT or op is c.MIN_REPEAT:
            inner = _firsts(list(av[2]))
            if inner is None:
                return None
            parts += inner[0]
            if av[0] >= 1 and not inner[1]:
                return parts, False
        elif op not in (c.AT, c.ASSERT, c.ASSERT_NOT):  # those take no characters
            return None
    return parts, True


def _class_source(items: list[tuple[Any, Any]]) -> list[str] | None:
    c = _sre_constants
    parts: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op is c.RANGE:
            parts.append(f"{re.escape(chr(av[0]))}-{re.escape(chr(av[1]))}")
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            parts.append("\\d")
        else:  # negated classes, \w, \s: nearly every character, nothing to jump by
            return None
    return parts


def jumping(regex: re.Pattern[str], word_start: bool = False) -> re.Pattern[str] | None:
    """A pattern that matches one character exactly where a match of `regex` (after \\b, with `word_start`)
    starts, written so the regex engine jumps from one possible first character to the next; None when
    `regex` does not need one (see first_chars)."""
    chars = first_chars(regex)
    if chars is None:
        return None
    boundary = "\\b" if word_start else ""
    try:
        return re.compile(f"[{chars}](?<=(?={boundary}(?:{regex.pattern}))[{chars}])", regex.flags)
    except re.error:
        return None
