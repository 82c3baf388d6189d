"""Pure translation between Slack payloads and the core: events in, Block Kit out. No network here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.answers import SubmitAnswer
from bot.commands import parse_command_text
from bot.home import HomeView
from bot.identities import Channel, Member, ThreadRef
from bot.replies import Block, ChannelMention, Command, Inline, Kind, Markup, Reply, render_block, render_inline
from bot.review.peer_review import ReviewTask

MAX_SECTION_CHARS = 2900  # Slack allows 3,000 per section text
MAX_BLOCKS = 50
MAX_BUTTONS = 25
MAX_TEXT_CHARS = 3900  # the text beside blocks: notifications show about this much

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


def readable(text: str) -> str:
    """Slack markup as a person reads it: mentions become @names, links their labels, entities characters."""
    text = _USER_MENTION.sub(lambda m: f"@{m.group(2) or m.group(1)}", text)
    text = _CHANNEL_MENTION.sub(lambda m: f"#{m.group(2) or m.group(1)}", text)
    text = _SPECIAL_MENTION.sub(lambda m: f"@{m.group(1)}", text)
    text = _SUBTEAM_MENTION.sub(lambda m: "@" + (m.group(1) or "group").lstrip("@"), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def command_from_text(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A `/debrief` text as (subcommand, words, ids of the members it mentions): mentions (`<@U1|name>`, as Slack
    sends them) become user ids, and the rest is read as the member typed it."""
    users = tuple(dict.fromkeys(m.group(1) for m in _USER_MENTION.finditer(text)))
    name, args = parse_command_text(readable(_USER_MENTION.sub(" ", text)))
    return name, args, users


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
    if subtype in (None, "thread_broadcast", "file_share"):
        message, at = event, event.get("ts")
    elif subtype == "message_changed":
        message, at = event.get("message") or {}, event.get("event_ts")
        previous = event.get("previous_message") or {}
        if "text" in previous and previous.get("text") == message.get("text"):
            return None  # a link preview or an attachment changed; the words did not
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
        text=readable(message.get("text") or ""),
        at=slack_time(at),
        event_id=body.get("event_id"),
        thread=ThreadRef(Channel(workspace, channel_id), thread_ts),
    )


def deleted_message_from_event(body: Mapping[str, Any]) -> tuple[Member, ThreadRef, str] | None:
    """A person's deleted thread reply, as (its author, its thread, its message id); None for anything else."""
    event = body.get("event") or {}
    if event.get("type") != "message" or event.get("subtype") != "message_deleted":
        return None
    previous = event.get("previous_message") or {}
    user, thread_ts = previous.get("user"), previous.get("thread_ts")
    ts = event.get("deleted_ts") or previous.get("ts")
    channel_id = event.get("channel")
    team = body.get("team_id") or previous.get("team") or event.get("team")
    if not user or not thread_ts or not ts or thread_ts == ts or not channel_id or not team:
        return None
    workspace = workspace_id(str(team))
    return Member(workspace, str(user)), ThreadRef(Channel(workspace, str(channel_id)), str(thread_ts)), str(ts)


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
    return member, str(event["channel"]), readable(str(event.get("text") or "")), body.get("event_id")


def _truncate(text: str, limit: int = MAX_SECTION_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _truncate(text)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _truncate(text)}]}


def _code(text: str) -> str:
    return "`" + escape(text).replace("`", "'") + "`"


def command_syntax(command: Command) -> str:
    """`/debrief setup time=09:00` the way Slack's slash command takes it."""
    words = [command.name, *command.words, *(f"{k}={v}" for k, v in command.settings)]
    return "/debrief " + " ".join(words)


MRKDWN = Markup(
    escape=escape,
    strong="*{}*",
    emphasis="_{}_",
    code=_code,
    command=command_syntax,
    setting="{}={}",
    channel=lambda cid: f"<#{cid}>" if cid.isalnum() else escape(cid),
)


def inline(part: Inline) -> str:
    """One inline part as escaped mrkdwn: whatever the text says, it cannot ping anyone or form a link."""
    return render_inline(part, MRKDWN)


def block_mrkdwn(block: Block) -> str:
    """A block as mrkdwn lines."""
    return render_block(block, MRKDWN)


def _blocks_of(title: str | None, blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    pending = [f"*{escape(title)}*"] if title else []
    for block in blocks:
        if block.kind is Kind.NOTE:
            if pending:
                out.append(_section("\n".join(pending)))
                pending = []
            out.append(_context(block_mrkdwn(block)))
        else:
            pending.append(block_mrkdwn(block))
    if pending:
        out.append(_section("\n".join(pending)))
    return out


def reply_blocks(reply: Reply) -> list[dict[str, Any]]:
    """A reply as Block Kit, every piece of text escaped, within Slack's limits."""
    blocks: list[dict[str, Any]] = []
    if reply.title or reply.body:
        blocks += _blocks_of(reply.title, reply.body)
    for part in reply.sections:
        blocks += _blocks_of(part.title, part.blocks)
    if not blocks:
        blocks.append(_section(escape(reply.summary)))
    if reply.buttons:
        blocks = blocks[: MAX_BLOCKS - 1]
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": b.label[:75]},
                        "action_id": b.action_id[:255],
                        "value": (b.value or b.action_id)[:2000],
                        **({"style": "primary"} if b.primary else {}),
                    }
                    for b in reply.buttons[:MAX_BUTTONS]
                ],
            }
        )
    return blocks[:MAX_BLOCKS]


def notification(reply: Reply) -> str:
    """The message text that goes with the blocks (notifications, and clients without blocks), as mrkdwn."""
    parts = [f"*{escape(reply.title)}*"] if reply.title else []
    parts += [block_mrkdwn(b) for b in reply.body]
    for part in reply.sections:
        parts += ([f"*{escape(part.title)}*"] if part.title else []) + [block_mrkdwn(b) for b in part.blocks]
    return _truncate("\n".join(p for p in parts if p) or escape(reply.summary), MAX_TEXT_CHARS)


def home_view(home: HomeView) -> dict[str, Any]:
    """The App Home tab: streak, recent scores and today's questions."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your interview practice"}},
        _section(f"*Streak:* {escape(home.streak.describe())}\n*Points:* {home.points}"),
        {"type": "divider"},
        _section("*Today's questions*"),
    ]
    if home.today:
        blocks += [_section(f"{inline(ChannelMention(cid))}: {escape(text)}") for cid, text in home.today[:5]]
    else:
        blocks.append(_context("No question has been posted in your workspace today yet."))
    blocks += [{"type": "divider"}, _section("*Recent answers*")]
    if home.history:
        lines = [
            f"{_code(item.question_id)} {item.score:.1f}/5 · {escape(item.verdict.replace('_', ' '))} · "
            f"{item.first_at.strftime('%Y-%m-%d')}{' (late)' if item.late else ''}"
            for item in home.history[:10]
        ]
        blocks.append(_section("\n".join(lines)))
        if home.chart:
            blocks.append(
                {
                    "type": "image",
                    "slack_file": {"id": home.chart},
                    "alt_text": "Your scores over time and each criterion by week",
                    "title": {"type": "plain_text", "text": "Your progress (as of your last /debrief stats)"},
                }
            )
        blocks.append(_context("`/debrief stats` sends you a chart of your scores and the criterion to work on."))
    else:
        blocks.append(_context("No answers yet: reply in the thread of a daily question to start."))
    if home.channels is not None:
        blocks += [{"type": "divider"}, _section("*Channels you run*")]
        for item in home.channels[:20]:
            due = (
                f"next: {escape(item.next_post)}"
                if item.next_post
                else "posting is off (`/debrief setup posting=on` there)"
            )
            blocks.append(_section(f"{inline(ChannelMention(item.channel_id))}: {escape(item.schedule)} · {due}"))
        blocks.append(
            _context(
                "Set up this channel: invite debrief to a channel and type "
                "`/debrief setup time=09:00 tz=Area/City days=weekdays` there; `/debrief status` shows it."
            )
        )
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


def review_modal(task: ReviewTask) -> dict[str, Any]:
    """The review form: the question, the answer, one 1-5 select per criterion, and a comment box."""
    options = [{"text": {"type": "plain_text", "text": str(n)}, "value": str(n)} for n in range(1, 6)]
    blocks: list[dict[str, Any]] = [
        _section(f"*Question* (`{task.question.id}`)\n{escape(task.question.text)}"),
        _section("*The answer*\n" + escape(task.text)),
    ]
    for criterion_id, name, five in task.criteria:
        blocks.append(
            {
                "type": "input",
                "block_id": f"crit:{criterion_id}",
                "label": {"type": "plain_text", "text": name[:150]},
                "hint": {"type": "plain_text", "text": f"A 5: {five}"[:150]},
                "element": {
                    "type": "static_select",
                    "action_id": "score",
                    "options": options,
                    "placeholder": {"type": "plain_text", "text": "1-5"},
                },
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": "comment",
            "label": {"type": "plain_text", "text": "Why? What would raise it?"},
            "element": {"type": "plain_text_input", "action_id": "text", "multiline": True},
        }
    )
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
