"""Pure translation between discord.py objects and the core: answers in, embeds out. No network here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import discord

from bot.answers import SubmitAnswer
from bot.identities import Channel, Member, ThreadRef
from bot.replies import Block, Command, Inline, Markup, Reply, Section, render_block, render_inline

FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096
TITLE_LIMIT = 256
FOOTER_LIMIT = 2048
MAX_FIELDS = 25
TOTAL_LIMIT = 5800  # Discord allows 6,000 characters per embed
BLANK = "\u200b"
_OPEN_BRACKET = re.compile(r"(\\*)\[")
DEFAULT_COLOUR = 0x3949AB
COLOURS = {"strong_hire": 0x2E7D32, "hire": 0x66BB6A, "lean_no_hire": 0xF9A825, "no_hire": 0xC62828}
# The options each /debrief subcommand takes, in the order the core's words come (see bot.command_group).
POSITIONAL_OPTIONS = {"mock": ("round", "then"), "leaderboard": ("board",), "pause": ("length",)}


def workspace_id(guild_id: int | str) -> str:
    """The core's workspace id for a Discord server."""
    return f"discord:{guild_id}"


def safe(text: str) -> str:
    """Member text made inert for embeds: no markdown tricks, no masked links, no @everyone/@here/role or user
    mentions."""
    return discord.utils.escape_mentions(_escape_brackets(discord.utils.escape_markdown(text)))


def _escape_brackets(text: str) -> str:
    # escape_markdown leaves some `[label](url)` masked links live (one right after another, say): escape every
    # `[` that an even run of backslashes (an escaped backslash, or none) leaves unescaped.
    return _OPEN_BRACKET.sub(lambda m: m[1] + ("\\[" if len(m[1]) % 2 == 0 else "["), text)


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
    data: dict[str, Any] = dict(payload.data)
    author = data.get("author") or {}
    edited = data.get("edited_timestamp")
    if payload.guild_id is None or parent_id is None or author.get("bot") or not author.get("id"):
        return None
    if not edited or "content" not in data:  # a link preview or an embed changed, not the words
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


def command_syntax(command: Command) -> str:
    """`/debrief setup time:09:00` the way Discord's slash command takes it (positional words become options)."""
    names = POSITIONAL_OPTIONS.get(command.name, ())
    options = [f"{names[i]}:{word}" if i < len(names) else word for i, word in enumerate(command.words)]
    if command.name == "forget-me":  # a member to forget is the `member` option; confirm or cancel is `step`
        options = [f"member:{w}" if w.startswith("@") else f"step:{w}" for w in command.words]
    options += [f"{key}:{value}" for key, value in command.settings]
    return " ".join(["/debrief", command.name, *options])


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


MARKDOWN = Markup(
    escape=safe,
    strong="**{}**",
    emphasis="*{}*",
    code=_code,
    command=command_syntax,
    setting="{}:{}",
    channel=lambda cid: f"<#{cid}>" if cid.isdigit() else safe(cid),
    note="*{}*",
)


def inline(part: Inline) -> str:
    """One inline part as Discord markdown, text escaped so nothing pings or formats by accident."""
    return render_inline(part, MARKDOWN)


def block_markdown(block: Block) -> str:
    """A block as Discord markdown lines."""
    return render_block(block, MARKDOWN)


def _markdown(blocks: tuple[Block, ...]) -> str:
    return "\n".join(block_markdown(b) for b in blocks)


def reply_embeds(reply: Reply) -> list[discord.Embed]:
    """A reply as one embed, or several when it exceeds an embed's limits; every text escaped."""
    colour = COLOURS.get(reply.accent or "", DEFAULT_COLOUR)
    description = _markdown(reply.body) or (safe(reply.summary) if not reply.sections else "")
    embeds = [_embed(reply.title, description, colour)]
    for part in reply.sections:
        for name, value in _fields(part):
            embed = embeds[-1]
            if len(embed.fields) >= MAX_FIELDS or len(embed) + len(name) + len(value) > TOTAL_LIMIT:
                embed = _embed(None, "", colour)
                embeds.append(embed)
            embed.add_field(name=name, value=value, inline=False)
    return embeds


def reply_embed(reply: Reply) -> discord.Embed:
    """The first (usually only) embed of a reply."""
    return reply_embeds(reply)[0]


def _embed(title: str | None, description: str, colour: int) -> discord.Embed:
    return discord.Embed(
        title=_cut(safe(title), TITLE_LIMIT) if title else None,
        description=_cut(description, DESCRIPTION_LIMIT) if description else None,
        colour=colour,
    )


def _split_at(value: str, limit: int) -> int:
    """Where to cut text longer than `limit`: after the last line break, else at the limit, but never right
    after a backslash, which would leave the next field starting with an unescaped `[`, `*` or `@`."""
    cut = value.rfind("\n", 0, limit) + 1 or limit
    while cut > 1 and value[cut - 1] == "\\":
        cut -= 1
    return cut


def _fields(part: Section) -> Iterator[tuple[str, str]]:
    """A section as one or more fields within the field limit (long text continues in the next field)."""
    name = _cut(safe(part.title), TITLE_LIMIT) if part.title else BLANK
    value = _markdown(part.blocks) or BLANK
    while value:
        chunk = value if len(value) <= FIELD_LIMIT else value[: _split_at(value, FIELD_LIMIT)]
        yield name, chunk
        value = value[len(chunk) :].lstrip("\n")
        name = BLANK
