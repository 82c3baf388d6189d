"""Category-independent signals in an answer's language: specificity, ownership, hedging, negation, buzzwords.

Every pattern here runs on lower-cased text.
"""

from __future__ import annotations

import re


def lowered(pattern: str) -> re.Pattern[str]:
    """Compile a pattern to run on lower-cased text: several times faster than re.IGNORECASE.

    Letters are lower-cased except right after a backslash, so escapes like \\S or \\W keep their meaning.
    """
    out: list[str] = []
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\" and index + 1 < len(pattern):
            out.append(pattern[index : index + 2])
            index += 2
            continue
        out.append(pattern[index].lower())
        index += 1
    return re.compile("".join(out))

# A quantity: a number with an optional unit, a money amount, or a ratio like 3x.
# The leading look-ahead lets the regex engine skip to digits and currency signs (3x faster).
QUANTITY = lowered(
    r"(?=[$€£0-9])(?:[$€£]\s?\d[\d,.]*\s?[kmb]?\b|\b\d[\d,.]*\s?(?:%|x\b|k\b|ms\b|pp\b|percentage points?|"
    r"seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|quarters?|years?|points?|"
    r"labels?|annotators?|reviewers?|tasks?|engineers?|people|customers?|deals?|users?|tokens?|"
    r"models?|examples?|items?|batches|releases?|bugs?|tickets?)|\b\d[\d,.]*\b)",
)
# Each alternative separately, so each can be skipped by its own guard literal.
BEFORE_AFTER_PARTS = (
    r"\bfrom\s+\S*\d\S*\s+(?:\w+\s+)?to\s+\S*\d",
    r"->|→",
    r"\b(?:dropped|fell|rose|grew|climbed|cut|reduced|increased|improved|lifted|went)\b[^.;]{0,40}?\b(?:to|by)\s+\S*\d",
    r"\b(?:down|up) to\s+\S*\d",
)
BEFORE_AFTER = lowered("|".join(f"(?:{part})" for part in BEFORE_AFTER_PARTS))
# Named mechanisms: the concrete machinery a strong answer names.
MECHANISM_TERMS = (
    r"gold(?:en)?[- ]?(?:set|standard|data\s?set|labels?)", r"ground[- ]truth", r"rout(?:e|ed|ing)",
    r"cascad\w*", r"confidence (?:threshold|score)", r"qa (?:threshold|gate|pass|sample)", r"threshold\w*",
    r"confusion matri\w*", r"precision", r"recall", r"f1", r"iou", r"a/b", r"held[- ]?out", r"holdout",
    r"canary", r"rollback", r"roll(?:ed)? back", r"feature flag", r"kill switch", r"fallback",
    r"degraded mode", r"telemetry", r"instrument\w*", r"sql", r"quer(?:y|ied|ies)", r"sampl\w*",
    r"drift\w*", r"retrain\w*", r"calibrat\w*", r"adjudicat\w*", r"consensus", r"spot[- ]check\w*",
    r"audit\w*", r"inter[- ]annotator", r"iaa", r"guidelines?", r"label(?:ing)? schema",
    r"active learning", r"uncertain\w*", r"small(?:er)? model", r"larg(?:e|er) model", r"latency budget",
    r"p9[59]", r"p50", r"cost per (?:label|token|task)", r"eval(?:uation)? set", r"benchmark\w*", r"sla",
    r"post-?mortem", r"runbook", r"pre-?label\w*", r"edge cases?", r"error rate", r"accepted labels",
    r"model lift", r"rework rate", r"dashboard", r"alert\w*", r"cohort", r"regression test\w*", r"rlhf",
    r"reward model", r"fine-?tun\w*",
)
MECHANISM = lowered(r"\b(?:" + "|".join(MECHANISM_TERMS) + r")\b")
OWNED_ACTION = lowered(
    r"\b(?:I|I'd|I'll|I would|I will)\s+(?:\w+ly\s+)?(?:decided|decide|chose|choose|made the call|make the call|"
    r"cut|killed|kill|shipped|ship|owned|own|proposed|propose|wrote|write|built|build|set|pushed|push|ran|run|"
    r"led|lead|pulled|pull|queried|query|dug|dig|called|call|committed|commit|rejected|reject|said no|say no|"
    r"traded|trade|dropped|drop|moved|move|took|take|changed|change|defined|define|designed|design|"
    r"prioritized|prioritize|deprioritized|deprioritize|stopped|stop|paused|pause|rolled|roll|launched|launch|"
    r"negotiated|negotiate|instrumented|instrument|measured|measure|sampled|sample|rewrote|rewrite|"
    r"scoped|scope|framed|frame|routed|route|reallocated|picked|pick|split|staffed|capped|cap|started|start|"
    r"went|go|added|add|removed|remove|would|will|'d|'ll)\b|\bmy (?:call|decision|recommendation)\b",
)
SHARED_VAGUE = lowered(
    r"\b(?:we|the team|everyone|stakeholders)\s+(?:all\s+)?(?:discussed|aligned|collaborated|worked together|"
    r"talked|agreed|brainstormed|synced|met|came together|decided together|got together)\b|"
    r"\bit was decided\b|\bwas agreed\b|\bcollaborat\w* (?:closely )?with\b",
)
HEDGE = lowered(
    r"\b(?:i think|i guess|i suppose|maybe|perhaps|probably|possibly|kind of|sort of|somewhat|hopefully|"
    r"i feel like|i believe|might|could potentially|try to|tried to|i'd say|more or less|in a way|"
    r"to some extent|it depends|not sure|i hope)\b",
)
FILLER = lowered(
    r"\b(?:basically|actually|literally|you know|i mean|really|very|super|totally|honestly|obviously|"
    r"at the end of the day|going forward|circle back|so yeah|and stuff|things like that|etc)\b",
)
BUZZWORD_TERMS = (
    r"synerg\w*", r"leverag\w*", r"scalab\w*", r"data-driven", r"holistic\w*", r"end-to-end",
    r"best-in-class", r"world-class", r"cutting-edge", r"innovat\w*", r"disrupt\w*", r"paradigm\w*",
    r"alignment", r"customer-centric\w*", r"agile", r"move the needle", r"north star", r"ai-powered",
    r"ai-first", r"game-?chang\w*", r"next-gen\w*", r"seamless\w*", r"robust\w*", r"impactful",
    r"empower\w*", r"bleeding edge", r"blockchain", r"low-hanging fruit", r"10x", r"value-add",
    r"outside the box", r"thought leadership", r"ecosystem", r"mission-critical", r"actionable insights?",
    r"growth mindset", r"stakeholder management", r"cross-functional excellence", r"best practices?",
    r"world class", r"state-of-the-art", r"transformation\w*", r"visionary", r"strategic\w*",
    r"optimi[sz]ation", r"excellence", r"passionate", r"dynamic", r"proactive\w*", r"results-oriented",
    r"detail-oriented", r"self-starter", r"rockstar", r"ninja", r"hustle",
)
BUZZWORD = lowered(r"\b(?:" + "|".join(BUZZWORD_TERMS) + r")\b")
# Words that make prose prose; an "answer" with very few of them is a list of terms.
FUNCTION_WORDS = frozenset(
    ["the", "a", "an", "to", "of", "and", "in", "on", "for", "with", "that", "this", "it", "is", "was", "were", "be", "been", "i", "we", "they", "he", "she", "my", "our", "their", "because", "so", "but", "then", "when", "which", "what", "who", "at", "by", "from", "as", "if", "would", "will", "had", "have", "has", "did", "do"]
)
_TOKEN = re.compile(r"[a-z0-9']+")


def function_word_count(text: str) -> int:
    """How many words of lower-cased `text` are function words."""
    return sum(1 for word in _TOKEN.findall(text) if word in FUNCTION_WORDS)


_NEGATOR = lowered(
    r"\b(?:never|not|no|none|nobody|without|instead of|rather than|fail(?:ed)? to|"
    r"\w+n't|cannot|avoid(?:ed|ing)?|refused to|stopped|no longer)\b",
)
# Words that put a bad move at arm's length: an option weighed and dropped is not the candidate's plan.
_DISTANCING = lowered(
    r"\b(?:considered|ruled out|rejected|could have|would have|was tempted|tempting|thought about|"
    r"alternatives? (?:was|were|is)|options? (?:was|were|is)|options?:|the obvious (?:move|fix|answer)|"
    r"the easy (?:move|fix|answer)|pushed back on|talked (?:them|him|her) out of|instead of|rather than|"
    r"versus|vs\.?|the reflex)\b",
)
_CLAUSE_BREAK = lowered(r"[;:—–()]|,\s*(?:so|but|and|then|which|i|we)\b|\s-\s|\b(?:but|so|and then|then|which|because)\b")
_NEGATION_REACH_WORDS = 6
_DISTANCING_REACH_WORDS = 12


def negated(sentence: str, start: int) -> bool:
    """Whether the match at `start` sits inside a negation or contrast ("we never measured", "instead of adding")."""
    return _governed(_NEGATOR, sentence, start, _NEGATION_REACH_WORDS)


def distanced(sentence: str, start: int) -> bool:
    """Whether the match at `start` is negated or only an option weighed ("I considered adding reviewers")."""
    return negated(sentence, start) or _governed(_DISTANCING, sentence, start, _DISTANCING_REACH_WORDS, breaks=False)


def _governed(trigger: re.Pattern[str], sentence: str, start: int, reach: int, breaks: bool = True) -> bool:
    window = sentence[:start]
    last = None
    for last in trigger.finditer(window):
        pass
    if last is None:
        return False
    between = window[last.end() :]
    if breaks and _CLAUSE_BREAK.search(between):
        return False
    return len(between.split()) <= reach


def first_unnegated(pattern: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    """The first match of `pattern` in `sentence` that is not negated, if any."""
    for match in pattern.finditer(sentence):
        if not negated(sentence, match.start()):
            return match
    return None


def first_owned(pattern: re.Pattern[str], sentence: str) -> re.Match[str] | None:
    """The first match of a bad-move pattern that the speaker actually proposes (not negated, not an option dropped)."""
    for match in pattern.finditer(sentence):
        if not distanced(sentence, match.start()):
            return match
    return None


def has_negated_match(pattern: re.Pattern[str], sentence: str) -> bool:
    """Whether `pattern` matches only inside a negation in `sentence`."""
    matches = list(pattern.finditer(sentence))
    return bool(matches) and all(negated(sentence, m.start()) for m in matches)


def count(pattern: re.Pattern[str], text: str) -> int:
    """Number of non-overlapping matches."""
    return sum(1 for _ in pattern.finditer(text))
