"""Pure translation between discord.py objects and the core: answers in, embeds out. No network here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import discord

from bot.scoring.text import SPEAKING_GUIDELINE_SECONDS
from bot.answers import SubmitAnswer
from bot.chat_port import Reply
from bot.scoring.feedback import Feedback, Verdict
from bot.identities import Channel, Member, ThreadRef
from bot.streaks import Streak

FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
MAX_FIELDS = 25
TOTAL_LIMIT = 5800  # Discord allows 6,000 characters per embed
COLOURS = {
    Verdict.STRONG_HIRE: 0x2E7D32,
    Verdict.HIRE: 0x66BB6A,
    Verdict.LEAN_NO_HIRE: 0xF9A825,
    Verdict.NO_HIRE: 0xC62828,
}


def workspace_id(guild_id: int | str) -> str:
    """The core's workspace id for a Discord server."""
    return f"discord:{guild_id}"


def safe(text: str) -> str:
    """Member text made inert for embeds: no markdown tricks, no @everyone/@here/role or user mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_from_message(message: discord.Message) -> SubmitAnswer | None:
    """A person's message in a thread, as a possible answer; None for bots, DMs and top-level messages."""
    channel = message.channel
    if message.author.bot or message.guild is None or not isinstance(channel, discord.Thread):
        return None
    if channel.parent_id is None:
        return None
    workspace = workspace_id(message.guild.id)
    return SubmitAnswer(
        member=Member(workspace, str(message.author.id), message.author.display_name),
        message_id=str(message.id),
        text=message.content,
        at=message.created_at,
        event_id=f"create:{message.id}",
        thread=ThreadRef(Channel(workspace, str(channel.parent_id)), str(channel.id)),
    )


def answer_from_edit(payload: discord.RawMessageUpdateEvent, parent_id: int | None) -> SubmitAnswer | None:
    """An edited thread message, as a revision; None when it is not a person's edited text."""
    data = payload.data
    author = data.get("author") or {}
    edited = data.get("edited_timestamp")
    if payload.guild_id is None or parent_id is None or author.get("bot") or not edited or "content" not in data:
        return None
    workspace = workspace_id(payload.guild_id)
    member: dict[str, Any] = dict(data.get("member") or {})
    name = member.get("nick") or author.get("global_name") or author.get("username") or ""
    return SubmitAnswer(
        member=Member(workspace, str(author.get("id", "")), str(name)),
        message_id=str(payload.message_id),
        text=str(data.get("content") or ""),
        at=datetime.fromisoformat(str(edited)),
        event_id=f"edit:{payload.message_id}:{edited}",
        thread=ThreadRef(Channel(workspace, str(parent_id)), str(payload.channel_id)),
    )


def reply_embed(reply: Reply) -> discord.Embed:
    """A neutral reply as an embed (the core's own text is trusted; member text is escaped upstream)."""
    embed = discord.Embed(description=_cut(_discord_markdown(reply.text), DESCRIPTION_LIMIT), colour=0x3949AB)
    for section in reply.sections[:MAX_FIELDS]:
        name = section.title or "\u200b"
        body = safe(section.text) if section.from_members else _discord_markdown(section.text)
        embed.add_field(name=_cut(name, TITLE_LIMIT), value=_cut(body, FIELD_LIMIT) or "\u200b", inline=False)
    return embed


def _discord_markdown(text: str) -> str:
    """Slack-style `*bold*` from shared core text becomes Discord `**bold**`."""
    return text.replace("*How to use debrief*", "**How to use debrief**")


def feedback_embed(feedback: Feedback, *, streak: Streak | None, points: int, points_total: int, note: str) -> discord.Embed:
    """Rubric feedback: verdict, per-criterion evidence and suggestions, anti-patterns, streak."""
    minutes, seconds = divmod(feedback.speaking_seconds, 60)
    limit = f"{SPEAKING_GUIDELINE_SECONDS // 60}:{SPEAKING_GUIDELINE_SECONDS % 60:02d}"
    lines = [f"{feedback.word_count} words · about {minutes}:{seconds:02d} spoken (guideline {limit})"
             + (" · **over time**" if feedback.over_time else "")]
    lines += [f"⚠️ {safe(n)}" for n in feedback.notes]
    embed = discord.Embed(
        title=f"Score {feedback.overall:.1f}/5 · {feedback.verdict.label.title()}",
        description=_cut("\n".join(lines), DESCRIPTION_LIMIT),
        colour=COLOURS[feedback.verdict],
    )
    budget = TOTAL_LIMIT - len(embed.title or "") - len(embed.description or "") - 300
    for c in feedback.criteria:
        quotes = [f"> \u201c{safe(' '.join(q.split()))}\u201d" for q in c.evidence[:2]]
        value = "\n".join(quotes + ([f"*To raise it:* {safe(c.suggestion)}"] if c.suggestion else [])) or "No evidence found."
        value = _cut(value, min(FIELD_LIMIT, max(80, budget // (len(feedback.criteria) + 2))))
        embed.add_field(name=_cut(f"{c.name} · {c.score}/5", TITLE_LIMIT), value=value, inline=False)
    for hit in feedback.anti_patterns[:3]:
        value = f"> \u201c{safe(' '.join(hit.quote.split()))}\u201d\n*Why:* {safe(hit.why)}\n*Instead:* {safe(hit.better)}"
        embed.add_field(name=_cut(f"Watch out: {hit.name}", TITLE_LIMIT), value=_cut(value, 500), inline=False)
    if feedback.structure:
        marks = " · ".join(f"{p.name} {'✓' if p.present else '✗'}" for p in feedback.structure)
        embed.add_field(name="Structure", value=_cut(marks, FIELD_LIMIT), inline=False)
    footer = [note]
    if points:
        footer.append(f"+{points} points ({points_total} total)")
    if streak is not None:
        footer.append(f"Streak: {streak.describe()}")
    embed.set_footer(text=_cut(" · ".join(footer), 2048))
    return embed
