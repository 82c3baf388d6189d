"""Pure translation between Slack payloads and the core: events in, Block Kit out. No network here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.scoring.text import SPEAKING_GUIDELINE_SECONDS
from bot.answers import SubmitAnswer
from bot.chat_port import Reply
from bot.scoring.feedback import Feedback
from bot.identities import Channel, Member, ThreadRef
from bot.review.peer_review import ReviewTask
from bot.store.redis_store import HistoryItem
from bot.streaks import Streak

MAX_SECTION_CHARS = 2900  # Slack allows 3,000 per section text
MAX_BLOCKS = 50

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_MENTION = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL_MENTION = re.compile(r"<!(channel|here|everyone)(?:\|[^>]*)?>")
_SUBTEAM_MENTION = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def workspace_id(team_id: str) -> str:
    """The core's workspace id for a Slack team."""
    return f"slack:{team_id}"


def escape(text: str) -> str:
    """Escape text for Slack so `<!channel>`, `<@U1>` and links written by members never ping or render."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(text: str) -> str:
    """Slack markup as a person reads it: mentions become @names, links their labels, entities characters."""
    text = _USER_MENTION.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    text = _CHANNEL_MENTION.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = _SPECIAL_MENTION.sub(lambda m: f"@{m.group(1)}", text)
    text = _SUBTEAM_MENTION.sub(lambda m: "@" + (m.group(1) or "group").lstrip("@"), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_time(ts: str | None) -> datetime:
    """A Slack timestamp ("1712345678.000100") as an aware datetime."""
    try:
        return datetime.fromtimestamp(float(ts or 0), UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


def answer_from_event(body: Mapping[str, Any]) -> SubmitAnswer | None:
    """A thread reply (or an edit of one) by a person, as a possible answer; None for anything else."""
    event = body.get("event") or {}
    if event.get("type") != "message":
        return None
    subtype = event.get("subtype")
    if subtype in (None, "thread_broadcast"):
        message, at = event, event.get("ts")
    elif subtype == "message_changed":
        message, at = event.get("message") or {}, event.get("event_ts")
    else:
        return None
    user = message.get("user")
    if not user or message.get("bot_id") or message.get("subtype") in ("bot_message", "tombstone"):
        return None
    thread_ts, ts = message.get("thread_ts"), message.get("ts")
    channel_id = event.get("channel")
    team = body.get("team_id") or message.get("team") or event.get("team")
    if not thread_ts or not ts or thread_ts == ts or not channel_id or not team:
        return None
    workspace = workspace_id(team)
    return SubmitAnswer(
        member=Member(workspace, user),
        message_id=ts,
        text=plain_text(message.get("text") or ""),
        at=slack_time(at),
        event_id=body.get("event_id"),
        thread=ThreadRef(Channel(workspace, channel_id), thread_ts),
    )


def direct_message_from_event(body: Mapping[str, Any]) -> tuple[Member, str, str, str | None] | None:
    """A person's message in a DM with the bot, as (member, DM channel id, plain text, event id)."""
    event = body.get("event") or {}
    if event.get("type") != "message" or event.get("channel_type") != "im":
        return None
    if event.get("subtype") or event.get("bot_id") or not event.get("user") or event.get("thread_ts"):
        return None
    team = body.get("team_id") or event.get("team")
    if not team or not event.get("channel"):
        return None
    member = Member(workspace_id(str(team)), str(event["user"]))
    return member, str(event["channel"]), plain_text(str(event.get("text") or "")), body.get("event_id")


def _truncate(text: str, limit: int = MAX_SECTION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _truncate(text)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _truncate(text)}]}


def reply_blocks(reply: Reply) -> list[dict[str, Any]]:
    """A neutral reply as Block Kit. The core's own text is trusted mrkdwn; user text was escaped upstream."""
    blocks: list[dict[str, Any]] = [_section(reply.text)]
    for section in reply.sections:
        title = f"*{section.title}*\n" if section.title else ""
        body = escape(section.text) if section.from_members else section.text
        blocks.append(_section(f"{title}{body}"))
    if reply.buttons:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "text": {"type": "plain_text", "text": b.label[:75]}, "action_id": b.action_id,
                     "value": b.value or b.action_id}
                    for b in reply.buttons
                ],
            }
        )
    return blocks[:MAX_BLOCKS]


def _quote(text: str) -> str:
    return "> \u201c" + escape(" ".join(text.split())) + "\u201d"


def feedback_blocks(
    feedback: Feedback, *, streak: Streak | None, points: int, points_total: int, note: str
) -> list[dict[str, Any]]:
    """Rubric feedback as Block Kit: verdict, per-criterion evidence and suggestions, anti-patterns, streak."""
    minutes, seconds = divmod(feedback.speaking_seconds, 60)
    limit = f"{SPEAKING_GUIDELINE_SECONDS // 60}:{SPEAKING_GUIDELINE_SECONDS % 60:02d}"
    over = " · *over time*" if feedback.over_time else ""
    blocks: list[dict[str, Any]] = [
        _section(f"*Score {feedback.overall:.1f}/5 · {feedback.verdict.label.title()}*"),
        _context(f"{feedback.word_count} words · about {minutes}:{seconds:02d} spoken (guideline {limit}){over}"),
    ]
    for text in feedback.notes:
        blocks.append(_context(f":warning: {escape(text)}"))
    for c in feedback.criteria:
        lines = [f"*{escape(c.name)}*  {c.score}/5"]
        lines += [_quote(q) for q in c.evidence[:2]]
        if c.suggestion:
            lines.append(f"_To raise it:_ {escape(c.suggestion)}")
        blocks.append(_section("\n".join(lines)))
    for hit in feedback.anti_patterns[:4]:
        blocks.append(
            _section(
                f"*Watch out: {escape(hit.name)}*\n{_quote(hit.quote)}\n"
                f"_Why it hurts:_ {escape(hit.why)}\n_Instead:_ {escape(hit.better)}"
            )
        )
    if feedback.structure:
        marks = " · ".join(f"{p.name} {'✓' if p.present else '✗'}" for p in feedback.structure)
        blocks.append(_context(f"Structure: {escape(marks)}"))
    tail = [escape(note)]
    if points:
        tail.append(f"+{points} points ({points_total} total)")
    if streak is not None:
        tail.append(f"Streak: {escape(streak.describe())}")
    blocks.append(_context(" · ".join(tail)))
    return blocks[:MAX_BLOCKS]


def feedback_summary(feedback: Feedback) -> str:
    """The notification text that goes with feedback blocks."""
    return f"Your answer scored {feedback.overall:.1f}/5 ({feedback.verdict.label})."


def home_view(
    *, streak: Streak, points_total: int, history: list[HistoryItem], today: list[tuple[str, str]]
) -> dict[str, Any]:
    """The App Home tab: streak, recent scores and today's questions."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your interview practice"}},
        _section(f"*Streak:* {escape(streak.describe())}\n*Points:* {points_total}"),
        {"type": "divider"},
        _section("*Today's questions*"),
    ]
    if today:
        blocks += [_section(f"<#{channel_id}>: {escape(text)}") for channel_id, text in today[:5]]
    else:
        blocks.append(_context("No question has been posted in your workspace today yet."))
    blocks += [{"type": "divider"}, _section("*Recent answers*")]
    if history:
        lines = [
            f"`{item.question_id}` {item.score:.1f}/5 · {item.verdict.replace('_', ' ')} · "
            f"{item.first_at.strftime('%Y-%m-%d')}{' (late)' if item.late else ''}"
            for item in history[:10]
        ]
        blocks.append(_section("\n".join(lines)))
    else:
        blocks.append(_context("No answers yet: reply in the thread of a daily question to start."))
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


def review_modal(task: ReviewTask) -> dict[str, Any]:
    """The review form: the question, the answer, one 1-5 select per criterion, and a comment box."""
    options = [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(1, 6)]
    blocks: list[dict[str, Any]] = [
        _section(f"*Question* (`{task.question.id}`)\n{escape(task.question.text)}"),
        _section("*The answer*\n" + escape(task.text)),
    ]
    for criterion_id, name, five in task.criteria:
        blocks.append({
            "type": "input",
            "block_id": f"crit:{criterion_id}",
            "label": {"type": "plain_text", "text": name[:150]},
            "hint": {"type": "plain_text", "text": f"A 5: {five}"[:150]},
            "element": {"type": "static_select", "action_id": "score", "options": options,
                        "placeholder": {"type": "plain_text", "text": "1-5"}},
        })
    blocks.append({
        "type": "input",
        "block_id": "comment",
        "label": {"type": "plain_text", "text": "Why? What would raise it?"},
        "element": {"type": "plain_text_input", "action_id": "text", "multiline": True},
    })
    return {
        "type": "modal",
        "callback_id": "review_submit",
        "private_metadata": task.answer.id,
        "title": {"type": "plain_text", "text": "Review an answer"},
        "submit": {"type": "plain_text", "text": "Post review"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks[:MAX_BLOCKS],
    }


def review_form_values(view: Mapping[str, Any]) -> tuple[dict[str, str], str]:
    """The chosen scores (criterion id -> value) and the comment from a submitted review form."""
    values = (view.get("state") or {}).get("values") or {}
    scores: dict[str, str] = {}
    for block_id, actions in values.items():
        if block_id.startswith("crit:"):
            selected = (actions.get("score") or {}).get("selected_option") or {}
            scores[block_id.removeprefix("crit:")] = str(selected.get("value") or "")
    comment = str(((values.get("comment") or {}).get("text") or {}).get("value") or "")
    return scores, comment
