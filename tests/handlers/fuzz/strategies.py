"""Hypothesis strategies for what members type: command words, setup values, answers, review forms.

Everything is built from the same hostile pieces (broadcasts, mentions, disguised links, markdown, code
fences, bidi and zero-width characters, entities, control characters) mixed with real interview prose, so an
example is both nasty and long enough to reach the scoring, quoting and splitting paths of the app.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import strategies as st

from bot.channel_settings import SETUP_KEYS
from bot.commands import MOCK_ACTIONS, SUBCOMMANDS
from bot.review.peer_review import SCORES
from bot.standings import BOARDS

# Ids that exist in the fakes, so a mention written by a member points at a real person or role.
DISCORD_ADMIN = "1180000000000000011"
DISCORD_MEMBER = "1180000000000000012"
DISCORD_ROLE = "1180000000000000021"
DISCORD_CHANNEL = "1180000000000000031"

MENTIONS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<!channel|@channel>",
    "<@U123>",
    "<@UADMIN|boss>",
    "<@W999>",
    "<#C999|general>",
    "<#C1>",
    "<!subteam^S0TEAM|@leads>",
    "@everyone",
    "@here",
    "@channel",
    "@@everyone",
    f"<@{DISCORD_ADMIN}>",
    f"<@!{DISCORD_MEMBER}>",
    f"<@&{DISCORD_ROLE}>",
    f"<#{DISCORD_CHANNEL}>",
)
LINKS = (
    "<https://evil.example|click>",
    "<http://evil.example>",
    "<mailto:ceo@evil.example|mail the CEO>",
    "[click](https://evil.example)",
    "[click](<https://evil.example>)",
    "[click](https://evil.example 'title')",
    "[<!channel>](https://evil.example)",
    "https://evil.example/login",
    "www.evil.example",
)
MARKUP = (
    "```",
    "```python\nprint('<!channel>')\n```",
    "`",
    "``<!here>``",
    "*bold*",
    "**bold**",
    "_it_",
    "~strike~",
    "~~strike~~",
    "||spoiler||",
    "> quoted",
    ">>> block quote",
    "# Heading",
    "-# subtext",
    "- bullet",
    "1. item",
    "\\",
    "\\<!channel>",
    "\\[x](https://evil.example)",
)
INVISIBLE = (
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u202d",
    "\u2066",
    "\u200b",  # zero-width space
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u00ad",
)
ODD = (
    "&lt;!channel&gt;",
    "&lt;@U123&gt;",
    "&amp;",
    "&",
    "<",
    ">",
    "<>",
    "|",
    "\n",
    "\n\n",
    "  \n",
    " \n\n ",
    "\r\n",
    "\t",
    " ",
    "\u00a0",
    "\u3000",
    "\x00",
    "\x1b[31m",
    "👍",
    "🏳️‍🌈",
    "e\u0301",
    "Z̷̢͈a̸l̶g̴o̵",
    "𝕏",
    "²",
    "⑤",
    "٣",
    "%s",
    "{}",
    "{0}",
    "${x}",
)
NASTY = MENTIONS + LINKS + MARKUP + INVISIBLE + ODD

PROSE = (
    "In March I owned the rollout of our annotation QA pipeline with two weeks to the renewal.",
    "I decided to ship only the bounding-box workflow because waiting would have cost two renewals worth $1.2M.",
    "I considered adding more reviewers, but that raised cost per label by 35%.",
    "I said no to the polygon workflow and told the sales lead it would slip to Q3.",
    "I wrote the SQL for rework rates myself and set a QA threshold against the gold set.",
    "Rework dropped from 18% to 7% in three weeks and both renewals closed.",
    "We aligned with eng and ops on a weekly review of label quality.",
    "My north-star metric was accepted labels per dollar, with p95 turnaround as a guardrail.",
    "We ran an A/B test on 10% of traffic for two weeks before rolling out.",
    "In hindsight I would have told the customer earlier.",
)


def _no_space(piece: str) -> bool:
    return not any(ch.isspace() for ch in piece)


NASTY_WORDS = tuple(p for p in NASTY if p and _no_space(p))

piece = st.one_of(st.sampled_from(NASTY), st.sampled_from(PROSE), st.text(max_size=30))
LENGTHS = (1, 150, 1023, 1024, 1025, 2000, 2001, 2900, 3000, 3001, 4000, 4096, 4097, 6000, 39_999, 40_000, 40_001)


@st.composite
def prose_with_pieces(draw: st.DrawFn) -> str:
    """Real answer sentences with hostile pieces in and between them."""
    sentences = draw(st.lists(st.sampled_from(PROSE), min_size=1, max_size=10))
    pieces = draw(st.lists(piece, min_size=1, max_size=len(sentences) + 2))
    glue = draw(st.sampled_from((" ", "\n", " \n\n", "  \n")))
    mixed = [part for pair in itertools.zip_longest(sentences, pieces, fillvalue="") for part in pair]
    return glue.join(part for part in mixed if part)


@st.composite
def member_text(draw: st.DrawFn, max_len: int = 100_000) -> str:
    """Text a member could write: hostile pieces alone, prose laced with them, or either repeated out to a
    boundary length (a platform limit, the answer limit) or any length up to `max_len`."""
    shape = draw(st.sampled_from(("pieces", "prose", "boundary", "any length")))
    if shape == "pieces":
        glue = draw(st.sampled_from((" ", "", "\n")))
        return glue.join(draw(st.lists(piece, max_size=25)))[:max_len]
    text = draw(prose_with_pieces())
    if shape == "prose":
        return text[:max_len]
    lengths = [n for n in LENGTHS if n <= max_len] + [max_len]
    target = draw(st.sampled_from(lengths) if shape == "boundary" else st.integers(0, max_len))
    return (text * (target // len(text) + 1))[:target]


answer_text = member_text()


def display_name(max_len: int) -> st.SearchStrategy[str]:
    """A display name a member chose."""
    return st.one_of(
        st.sampled_from(("Ada", "Ben", "O'Brien", "Zoë")),
        st.builds("".join, st.lists(st.sampled_from(NASTY), min_size=1, max_size=4)),
        st.text(min_size=1, max_size=max_len),
    ).map(lambda name: name[:max_len] or "x")


# ---- setup values -------------------------------------------------------------------------------

LONG_VALUES = ("Europe/" * 400, "x" * 5000, "mon," * 1000, "9" * 3000, "<!channel>" * 300)
VALID_VALUES: dict[str, tuple[str, ...]] = {
    "time": ("09:00", "7:30", "23:59", "24:00", "9:5", "-1:00", "٠٩:٣٠", "09:00:00", "noon"),
    "tz": (
        "Europe/Berlin",
        "UTC",
        "America/New_York",
        "Mars/Olympus",
        "../../etc/passwd",
        "/etc/localtime",
        "Europe/Berlin\x00",
        "EUROPE/BERLIN",
        "Etc/GMT+14",
        "a" * 300,
    ),
    "days": ("mon,wed", "daily", "weekdays", "", ",", "mon,,tue", "MON", "monday,tuesday", "sun,sat,sun", "someday"),
    "tracks": ("behavioral,metrics", "all", "nonexistent", ",", "behavioral,,behavioral", "BEHAVIORAL"),
    "difficulty": ("1-3", "2", "3-1", "0", "²", "1-٣", "1 - 3", "4"),
    "feedback": ("public", "private", "PUBLIC", "loud", ""),
    "window": ("24h", "7d", "1h", "168h", "169h", "0d", "999h", "٣h", "1.5h", "-1h", "forever"),
    "reminders": ("on", "off", "yes", "no", "true", "false", "maybe"),
    "digest": ("on", "off", "ON", "1"),
    "review": ("on", "off", "sure"),
    "reviewers": ("named", "anonymous", "ANONYMOUS", "secret"),
}
setup_key = st.one_of(
    st.sampled_from(SETUP_KEYS),
    st.sampled_from(SETUP_KEYS).map(str.upper),
    st.sampled_from(("unknown", "", "tz ", " time", "feedback=public", "<!channel>", "@everyone")),
    st.text(max_size=12),
)


def setup_value(key: str) -> st.SearchStrategy[str]:
    """A value for one setup key: a valid or nearly valid one, a hostile one, or a very long one."""
    return st.one_of(
        st.sampled_from(VALID_VALUES.get(key.strip().lower(), ("on",))),
        st.sampled_from(NASTY),
        st.sampled_from(LONG_VALUES),
        st.text(max_size=40),
    )


@st.composite
def setup_word(draw: st.DrawFn) -> str:
    """One `key=value` word of `/debrief setup` (and its near misses)."""
    key = draw(setup_key)
    sep = draw(st.sampled_from(("=", "=", "=", "==", ":", "", " = ")))
    return f"{key}{sep}{draw(setup_value(key))}"


setup_text = st.builds(
    lambda name, words: " ".join((name, *words)),
    st.sampled_from(("setup", "SETUP", "Setup")),
    st.lists(setup_word(), max_size=24),
)


@st.composite
def discord_setup_options(draw: st.DrawFn) -> dict[str, object]:
    """The options of Discord's `/debrief setup`: strings, and booleans for the on/off settings."""
    options: dict[str, object] = {}
    for key in draw(st.lists(st.sampled_from(SETUP_KEYS), unique=True, max_size=len(SETUP_KEYS))):
        if key in ("reminders", "digest", "review"):
            options[key] = draw(st.booleans())
        else:
            value = draw(setup_value(key))[:6000]  # Discord's limit for a string option
            options[key] = value or "x"
    return options


# ---- /debrief command texts -----------------------------------------------------------------------

SUBCOMMAND_WORDS = (*SUBCOMMANDS, "review", "HELP", "Today", "dance", "", "resume", "abandon")
ARG_WORDS = (*BOARDS, *MOCK_ACTIONS, "behavioral", "loop", "recruiter", "system_design", "now", "please", "abandon")
command_word = st.one_of(
    st.sampled_from(ARG_WORDS),
    st.sampled_from(NASTY_WORDS),
    setup_word(),
    st.text(min_size=1, max_size=30),
    st.sampled_from(LONG_VALUES),
)


@st.composite
def command_text(draw: st.DrawFn) -> str:
    """What a member types after `/debrief`."""
    kind = draw(st.sampled_from(("bare", "words", "words", "setup", "prose")))
    if kind == "setup":
        return draw(setup_text)
    if kind == "prose":
        return draw(member_text(max_len=8000))
    name = draw(st.sampled_from(SUBCOMMAND_WORDS))
    if kind == "bare":
        return " ".join((name, *draw(st.lists(st.sampled_from(ARG_WORDS), max_size=1))))
    words = draw(st.lists(command_word, max_size=24))
    glue = draw(st.sampled_from((" ", "  ", "\n", "\t", " \u3000 ")))
    return glue.join((name, *words))


discord_mock_round = st.one_of(
    st.sampled_from(("behavioral", "loop", "skip", "repeat", "stop", "resume", "abandon", "xfn", "metrics")),
    st.sampled_from(NASTY),
    st.text(min_size=1, max_size=100),
)


@st.composite
def discord_command(draw: st.DrawFn) -> tuple[str, dict[str, object]]:
    """A Discord `/debrief` subcommand and its options."""
    name = draw(
        st.sampled_from(
            ("help", "today", "streak", "leaderboard", "setup", "mock", "review", "post", "skip", "export", "forget-me")
        )
    )
    if name == "setup":
        return name, draw(discord_setup_options())
    if name == "leaderboard":
        return name, draw(st.one_of(st.just({}), st.fixed_dictionaries({"board": command_word})))
    if name == "mock":
        return name, draw(st.fixed_dictionaries({}, optional={"round": discord_mock_round, "then": discord_mock_round}))
    if name == "forget-me":
        return name, draw(st.fixed_dictionaries({}, optional={"step": st.sampled_from(("confirm", "cancel"))}))
    return name, {}


# ---- peer review forms ------------------------------------------------------------------------------

SCORE_STRINGS = (
    "",
    "0",
    "1",
    "3",
    "5",
    "6",
    "²",
    "⑤",
    "٣",
    "５",
    " 3 ",
    "3.0",
    "-1",
    "+3",
    "03",
    "3\n",
    "three",
    "1e0",
    "NaN",
    "\u200b3",
    "3\u200b",
    "None",
    "<!channel>",
)
score_string = st.one_of(st.sampled_from(SCORE_STRINGS), st.text(max_size=8))
valid_score = st.sampled_from(SCORES)
UNSET = "<no option chosen>"  # a Slack select left empty (None) is a different case: the block is absent


@st.composite
def review_scores(draw: st.DrawFn, criteria: Sequence[str]) -> dict[str, str | None]:
    """A Slack review form's selections per criterion: all fine, one odd, or anything (forged payloads)."""
    odd = st.one_of(score_string, st.none(), st.just(UNSET))
    mode = draw(st.sampled_from(("valid", "valid", "one odd", "any")))
    if mode == "valid":
        return {c: draw(valid_score) for c in criteria}
    if mode == "one odd":
        bad = draw(st.sampled_from(list(criteria)))
        return {c: draw(odd if c == bad else valid_score) for c in criteria}
    return {c: draw(st.one_of(odd, valid_score)) for c in criteria}


review_comment = st.one_of(prose_with_pieces(), member_text(max_len=4000))


@st.composite
def discord_scores(draw: st.DrawFn, criteria: int) -> str:
    """The Discord form's one scores field: scores in criterion order, or not quite (at most 40 characters)."""
    count = draw(st.sampled_from((criteria, criteria, criteria - 1, criteria + 1, 0, 1)))
    mode = draw(st.sampled_from(("valid", "any")))
    scores = draw(st.lists(valid_score if mode == "valid" else score_string, min_size=count, max_size=count))
    glue = draw(st.sampled_from((" ", ",", ", ", "  ", "\n")))
    return (glue.join(scores) or "4")[:40]
