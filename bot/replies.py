"""What the core says: structure (a title, paragraphs, lists, quotes, emphasis, commands, buttons), never one
platform's syntax. Each adapter renders a Reply in its own markup and escapes every piece of text as it does,
so nothing a member wrote can ping anyone or become a link."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Style(StrEnum):
    """How a piece of inline text is set."""

    PLAIN = "plain"
    STRONG = "strong"
    EMPHASIS = "emphasis"
    CODE = "code"


@dataclass(frozen=True)
class Span:
    """A run of text in one style."""

    text: str
    style: Style = Style.PLAIN


@dataclass(frozen=True)
class Command:
    """A `/debrief` command as the member would type it: Slack writes words and key=value, Discord its options."""

    name: str
    words: tuple[str, ...] = ()
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Setting:
    """One channel setting as an admin types it (Slack `key=value`, Discord `key:value`)."""

    key: str
    value: str


@dataclass(frozen=True)
class ChannelMention:
    """A link to a channel of the same workspace."""

    channel_id: str


Inline = str | Span | Command | Setting | ChannelMention
Line = tuple[Inline, ...]


class Kind(StrEnum):
    """How the lines of a block are laid out."""

    TEXT = "text"
    BULLETS = "bullets"
    NUMBERED = "numbered"
    QUOTES = "quotes"
    NOTE = "note"  # small print under the main text


@dataclass(frozen=True)
class Block:
    """Lines laid out one way."""

    lines: tuple[Line, ...]
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Section:
    """A titled part of a reply."""

    title: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Button:
    """A button whose id is neutral, so both platforms route it back the same way after a restart."""

    label: str
    action_id: str
    value: str = ""
    primary: bool = False


@dataclass(frozen=True)
class Image:
    """A picture sent with a reply (a PNG chart): its bytes, a file name and a text alternative."""

    data: bytes
    filename: str
    alt: str


@dataclass(frozen=True)
class Reply:
    """Outbound content: a plain summary (notifications), a title, the main text, sections and buttons.

    Private unless said otherwise; `accent` is a neutral tone a platform may colour (a verdict id); `image` is
    attached by adapters that render it (it always goes only where the reply goes).
    """

    summary: str
    title: str | None = None
    body: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    buttons: tuple[Button, ...] = ()
    private: bool = True
    accent: str | None = None
    image: Image | None = None

    def public(self) -> Reply:
        """The same reply, shown to everyone."""
        return replace(self, private=False)


def line(*parts: Inline) -> Line:
    """One line from its parts."""
    return tuple(parts)


def text(*lines: Line | str, kind: Kind = Kind.TEXT) -> Block:
    """A block from lines (a plain string is a line of its own)."""
    return Block(tuple((item,) if isinstance(item, str) else item for item in lines), kind)


def section(title: str | None, *blocks: Block) -> Section:
    """A section from its blocks."""
    return Section(title, blocks)


def say(*parts: Inline, private: bool = True, buttons: tuple[Button, ...] = ()) -> Reply:
    """A one-line reply."""
    words = line(*parts)
    return Reply(plain_line(words), body=(Block((words,)),), private=private, buttons=buttons)


def counted(value: int, unit: str) -> str:
    """`1 day`, `3 days`: a count with its unit, plural when it is not one."""
    return f"{value} {unit}{'' if value == 1 else 's'}"


def clipped(text: str, limit: int) -> str:
    """`text`, cut to `limit` characters with an ellipsis when it is longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def strong(value: str) -> Span:
    """Bold text."""
    return Span(value, Style.STRONG)


def emphasis(value: str) -> Span:
    """Italic text."""
    return Span(value, Style.EMPHASIS)


def code(value: str) -> Span:
    """An identifier or value, in code style."""
    return Span(value, Style.CODE)


def plain_inline(part: Inline) -> str:
    """One inline part as plain text (neutral syntax for commands and settings)."""
    if isinstance(part, str):
        return part
    if isinstance(part, Span):
        return part.text
    if isinstance(part, Command):
        words = [part.name, *part.words, *(f"{k}={v}" for k, v in part.settings)]
        return "/debrief " + " ".join(words)
    if isinstance(part, Setting):
        return f"{part.key}={part.value}"
    return f"#{part.channel_id}"


def plain_line(parts: Iterable[Inline]) -> str:
    """A line as plain text."""
    return "".join(plain_inline(p) for p in parts)


def plain_block(block: Block) -> list[str]:
    """A block as plain text lines."""
    lines = [plain_line(item) for item in block.lines]
    if block.kind is Kind.BULLETS:
        return [f"- {item}" for item in lines]
    if block.kind is Kind.NUMBERED:
        return [f"{i}. {item}" for i, item in enumerate(lines, start=1)]
    if block.kind is Kind.QUOTES:
        return [f"> \u201c{item}\u201d" for item in lines]
    return lines


def plain_text(reply: Reply) -> str:
    """The whole reply as plain text (terminals, notification fallbacks)."""
    out: list[str] = []
    if reply.title:
        out.append(reply.title)
    for block in reply.body:
        out += plain_block(block)
    for part in reply.sections:
        if part.title:
            out.append(part.title)
        for block in part.blocks:
            out += plain_block(block)
    return "\n".join(out) if out else reply.summary


@dataclass(frozen=True)
class Markup:
    """How one platform writes inline styles and block layouts; `escape` neutralises any text."""

    escape: Callable[[str], str]
    strong: str  # a format with one {} for the escaped text
    emphasis: str
    code: Callable[[str], str]
    command: Callable[[Command], str]
    setting: str  # a format for key and value
    channel: Callable[[str], str]
    note: str = "{}"


def render_inline(part: Inline, markup: Markup) -> str:
    """One inline part in a platform's markup."""
    if isinstance(part, str):
        return markup.escape(part)
    if isinstance(part, Span):
        if part.style is Style.STRONG:
            return markup.strong.format(markup.escape(part.text))
        if part.style is Style.EMPHASIS:
            return markup.emphasis.format(markup.escape(part.text))
        if part.style is Style.CODE:
            return markup.code(part.text)
        return markup.escape(part.text)
    if isinstance(part, Command):
        return markup.code(markup.command(part))
    if isinstance(part, Setting):
        return markup.code(markup.setting.format(part.key, part.value))
    return markup.channel(part.channel_id)


def render_block(block: Block, markup: Markup) -> str:
    """A block's lines in a platform's markup, laid out by its kind."""
    lines = ["".join(render_inline(p, markup) for p in item) for item in block.lines]
    if block.kind is Kind.BULLETS:
        lines = [f"• {item}" for item in lines]
    elif block.kind is Kind.NUMBERED:
        lines = [f"{i}. {item}" for i, item in enumerate(lines, start=1)]
    elif block.kind is Kind.QUOTES:
        lines = ["> \u201c" + " ".join(item.split()) + "\u201d" for item in lines]
    elif block.kind is Kind.NOTE:
        lines = [markup.note.format(item) for item in lines if item]
    return "\n".join(lines)


@dataclass(frozen=True)
class Refusal:
    """A request the core turned down, with what to tell the member."""

    reply: Reply
    field_errors: dict[str, str] = field(default_factory=dict)
