"""Checks on what the bot sent to the fake servers: the platforms' size limits, live mentions and links built
from member text, and the shape of each request against the published specs in /work/shared/specs.

Every check returns a list of problems (empty when the payload is fine), each naming where it was found, so a
failing example says exactly what was wrong with which request.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

# The published specs sit beside the repository (../shared/specs); without them only the schema part is skipped.
SPECS = Path(__file__).resolve().parents[4] / "shared" / "specs"
HAVE_SPECS = (SPECS / "discord-openapi-requests.json").is_file() and (SPECS / "slack-web-methods.json").is_file()

# ---- logs ---------------------------------------------------------------------------------------------


def log_problems(records: Iterable[logging.LogRecord]) -> list[str]:
    """Records at ERROR or above, or carrying a traceback: an exception reached the log."""
    return [
        f"log {r.levelname} {r.name}: {r.getMessage()[:300]}"
        + (f" ({r.exc_info[0].__name__}: {r.exc_info[1]})" if r.exc_info and r.exc_info[0] else "")
        for r in records
        if r.levelno >= logging.ERROR or (r.exc_info and r.exc_info[0] is not None)
    ]


# ---- a small JSON Schema checker (the subset the Discord spec uses) ---------------------------------


@cache
def discord_spec() -> dict[str, Any]:
    return dict(json.loads((SPECS / "discord-openapi-requests.json").read_text()))


@cache
def slack_spec() -> dict[str, Any]:
    return dict(json.loads((SPECS / "slack-web-methods.json").read_text())["methods"])


_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[1]
        schema = discord_spec()["components"]["schemas"][name]
    return schema


def schema_problems(value: Any, schema: Mapping[str, Any], where: str = "$") -> list[str]:
    """Where `value` breaks `schema`: type, const, enum, required, lengths, item counts, bounds, pattern,
    and oneOf/anyOf (at least one alternative fits) and allOf. Snowflakes may be integers: discord.py sends
    some ids as numbers and Discord accepts them."""
    schema = _resolve(schema)
    problems: list[str] = []
    for key in ("oneOf", "anyOf"):
        if key in schema:
            results = [schema_problems(value, alt, where) for alt in schema[key]]
            if all(results):
                # The closest alternative: one whose own `type` matched, then the fewest problems.
                best = min(results, key=lambda r: (any(p.startswith(f"{where}.type:") for p in r), len(r)))
                problems.append(f"{where}: fits no alternative of {key}; closest: {'; '.join(best[:3])}")
    for sub in schema.get("allOf", ()):
        problems += schema_problems(value, sub, where)
    if schema.get("format") == "snowflake" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    expected = schema.get("type")
    if expected is not None:
        kinds = expected if isinstance(expected, list) else [expected]
        if not any(_TYPES[k](value) for k in kinds):
            return [*problems, f"{where}: expected {'/'.join(kinds)}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: expected {schema['const']!r}, got {value!r}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not one of {schema['enum']}")
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            problems.append(f"{where}: {len(value)} characters, at most {schema['maxLength']}")
        if "minLength" in schema and len(value) < schema["minLength"]:
            problems.append(f"{where}: {len(value)} characters, at least {schema['minLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{where}: {value[:40]!r} does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where}: {value} above {schema['maximum']}")
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where}: {value} below {schema['minimum']}")
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            problems.append(f"{where}: {len(value)} items, at most {schema['maxItems']}")
        if "minItems" in schema and len(value) < schema["minItems"]:
            problems.append(f"{where}: {len(value)} items, at least {schema['minItems']}")
        if "items" in schema:
            for i, item in enumerate(value):
                problems += schema_problems(item, schema["items"], f"{where}[{i}]")
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if name not in value:
                problems.append(f"{where}: missing required {name!r}")
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                problems += schema_problems(item, properties[name], f"{where}.{name}")
            elif isinstance(extra, dict):
                problems += schema_problems(item, extra, f"{where}.{name}")
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            problems.append(f"{where}: {len(value)} properties, at most {schema['maxProperties']}")
    return problems


@cache
def _discord_routes() -> list[tuple[re.Pattern[str], str]]:
    routes = []
    for template in discord_spec()["paths"]:
        rx = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template))
        routes.append((re.compile(rx), template))
    # A literal segment (`@me`, `@original`) beats a placeholder.
    routes.sort(key=lambda r: -len(re.sub(r"\{[^}]+\}", "", r[1])))
    return routes


def discord_request_problems(method: str, path: str, body: Any) -> list[str]:
    """The request body against Discord's OpenAPI description of that route."""
    if not HAVE_SPECS:
        return []
    for rx, template in _discord_routes():
        if rx.fullmatch(path):
            operation = discord_spec()["paths"][template].get(method.lower())
            if operation is None:
                return [f"{method} {template}: no such operation in Discord's API"]
            schema = (((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get(
                "schema"
            )
            if schema is None or body is None:
                return []
            return [f"{method} {template} {p}" for p in schema_problems(body, schema)]
    return [f"{method} {path}: no such route in Discord's API"]


def slack_request_problems(method: str, params: Mapping[str, Any]) -> list[str]:
    """The Web API call against Slack's published method list: the method exists and its required
    arguments are there; the few arguments debrief sends have the types Slack expects."""
    if not HAVE_SPECS:
        return []
    spec = slack_spec().get(method)
    if spec is None:
        return [f"{method}: no such Slack Web API method"]
    problems = [f"{method}: missing required {name!r}" for name in spec["required"] if params.get(name) in (None, "")]
    for name in ("channel", "user", "thread_ts", "text", "trigger_id", "user_id", "timestamp", "name"):
        if name in params and not isinstance(params[name], str):
            problems.append(f"{method}: {name} is {type(params[name]).__name__}, not a string")
    for name in ("blocks",):
        if name in params and not isinstance(params[name], list):
            problems.append(f"{method}: {name} is not a JSON array")
    if "view" in params and not isinstance(params["view"], dict):
        problems.append(f"{method}: view is not a JSON object")
    return problems


# ---- Slack: Block Kit limits, live mentions and links ---------------------------------------------

MESSAGE_METHODS = ("chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage", "response_url")
VIEW_METHODS = ("views.open", "views.publish", "views.update", "views.push")
# Slack control sequences: user, channel, group and special mentions, and <url|label> links.
_SLACK_CONTROL = re.compile(r"<(?:[@!#]|[A-Za-z][A-Za-z0-9+.-]*:)[^>]*>?")


def slack_live_tokens(text: str, own_channels: Iterable[str] = ()) -> list[str]:
    """Mentions and links Slack would render live in `text` (the bot's own channel links and dates aside)."""
    allowed = {f"<#{c}>" for c in own_channels}
    return [
        m.group(0)[:80]
        for m in _SLACK_CONTROL.finditer(text)
        if m.group(0) not in allowed and not m.group(0).startswith("<!date^")
    ]


class _SlackCheck:
    def __init__(self, where: str, own_channels: Iterable[str]) -> None:
        self.where = where
        self.own_channels = tuple(own_channels)
        self.problems: list[str] = []

    def fail(self, path: str, problem: str) -> None:
        self.problems.append(f"{self.where} {path}: {problem}")

    def string(self, path: str, value: Any, limit: int, *, required: bool = True) -> None:
        if value is None and not required:
            return
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {type(value).__name__}")
            return
        if required and not value:
            self.fail(path, "empty text (Slack rejects it)")
        if len(value) > limit:
            self.fail(path, f"{len(value)} characters, Slack allows {limit}")
        live = slack_live_tokens(value, self.own_channels)
        if live:
            self.fail(path, f"live mention or link {live[:3]}")

    def text_object(self, path: str, obj: Any, limit: int, *, plain: bool = False) -> None:
        if not isinstance(obj, dict):
            self.fail(path, "text object missing")
            return
        kinds = ("plain_text",) if plain else ("plain_text", "mrkdwn")
        if obj.get("type") not in kinds:
            self.fail(path, f"text type {obj.get('type')!r}, expected {'/'.join(kinds)}")
        self.string(f"{path}.text", obj.get("text"), limit)

    def element(self, path: str, element: Any) -> None:
        if not isinstance(element, dict):
            self.fail(path, "element is not an object")
            return
        kind = element.get("type")
        if "action_id" in element:
            self.string(f"{path}.action_id", element["action_id"], 255)
        if kind == "button":
            self.text_object(f"{path}.text", element.get("text"), 75, plain=True)
            self.string(f"{path}.value", element.get("value"), 2000, required=False)
            self.string(f"{path}.url", element.get("url"), 3000, required=False)
            if element.get("style") not in (None, "primary", "danger"):
                self.fail(path, f"button style {element.get('style')!r}")
        elif kind in ("static_select", "multi_static_select"):
            options = element.get("options") or []
            if not 1 <= len(options) <= 100:
                self.fail(path, f"{len(options)} options, Slack allows 1-100")
            for i, option in enumerate(options):
                self.text_object(f"{path}.options[{i}].text", option.get("text"), 75, plain=True)
                self.string(f"{path}.options[{i}].value", option.get("value"), 150)
            if "placeholder" in element:
                self.text_object(f"{path}.placeholder", element["placeholder"], 150, plain=True)
        elif kind == "plain_text_input":
            if "placeholder" in element:
                self.text_object(f"{path}.placeholder", element["placeholder"], 150, plain=True)
            self.string(f"{path}.initial_value", element.get("initial_value"), 3000, required=False)
            if int(element.get("max_length") or 0) > 3000:
                self.fail(path, "max_length above 3000")
        elif kind in ("mrkdwn", "plain_text"):
            self.text_object(path, element, 3000)
        elif kind != "image":
            self.fail(path, f"unexpected element type {kind!r}")

    def blocks(self, path: str, blocks: Any, limit: int) -> None:
        if not isinstance(blocks, list):
            self.fail(path, f"blocks is {type(blocks).__name__}, not a list")
            return
        if len(blocks) > limit:
            self.fail(path, f"{len(blocks)} blocks, Slack allows {limit}")
        for i, block in enumerate(blocks):
            self.block(f"{path}[{i}]", block)

    def block(self, path: str, block: Any) -> None:
        if not isinstance(block, dict):
            self.fail(path, "block is not an object")
            return
        kind = block.get("type")
        if "block_id" in block:
            self.string(f"{path}.block_id", block["block_id"], 255)
        if kind == "section":
            fields = block.get("fields")
            if "text" not in block and not fields:
                self.fail(path, "section without text or fields")
            if "text" in block:
                self.text_object(f"{path}.text", block["text"], 3000)
            for i, field in enumerate(fields or []):
                self.text_object(f"{path}.fields[{i}]", field, 2000)
            if fields and len(fields) > 10:
                self.fail(path, f"{len(fields)} fields, Slack allows 10")
            if "accessory" in block:
                self.element(f"{path}.accessory", block["accessory"])
        elif kind == "header":
            self.text_object(f"{path}.text", block.get("text"), 150, plain=True)
        elif kind == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10:
                self.fail(path, f"{len(elements)} context elements, Slack allows 1-10")
            for i, element in enumerate(elements):
                self.element(f"{path}.elements[{i}]", element)
        elif kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 25:
                self.fail(path, f"{len(elements)} action elements, Slack allows 1-25")
            for i, element in enumerate(elements):
                self.element(f"{path}.elements[{i}]", element)
        elif kind == "input":
            self.text_object(f"{path}.label", block.get("label"), 2000, plain=True)
            if "hint" in block:
                self.text_object(f"{path}.hint", block["hint"], 2000, plain=True)
            self.element(f"{path}.element", block.get("element"))
        elif kind != "divider":
            self.fail(path, f"unexpected block type {kind!r}")


def slack_call_problems(method: str, params: Mapping[str, Any], own_channels: Iterable[str] = ("C1",)) -> list[str]:
    """Everything wrong with one call the bot made to the fake Slack (a Web API method or a response URL)."""
    if method.endswith("#429") or method == "upload":
        return []
    check = _SlackCheck(method, own_channels)
    if method != "response_url":
        check.problems += slack_request_problems(method, params)
    if str(params.get("link_names", "")).lower() in ("1", "true"):
        check.fail("link_names", "link_names turns @channel and @names in member text into pings")
    if params.get("parse") == "full":
        check.fail("parse", "parse=full turns member text into mentions and links")
    if method in MESSAGE_METHODS:
        if "text" in params:
            check.string("text", params["text"], 40_000, required="blocks" not in params)
        if "blocks" in params:
            check.blocks("blocks", params["blocks"], 50)
        if method == "response_url" and params.get("response_type") not in (None, "ephemeral", "in_channel"):
            check.fail("response_type", f"{params.get('response_type')!r}")
    if method in VIEW_METHODS:
        view = params.get("view")
        if isinstance(view, dict):
            check.blocks("view.blocks", view.get("blocks"), 100)
            if view.get("type") == "modal":
                for name in ("title", "submit", "close"):
                    if name in view or name == "title":
                        check.text_object(f"view.{name}", view.get(name), 24, plain=True)
                check.string("view.private_metadata", view.get("private_metadata"), 3000, required=False)
                check.string("view.callback_id", view.get("callback_id"), 255, required=False)
            elif view.get("type") != "home":
                check.fail("view.type", f"{view.get('type')!r}")
    return check.problems


def slack_view_response_problems(body: Mapping[str, Any], view: Mapping[str, Any]) -> list[str]:
    """A view_submission response: `errors` may only name input blocks of the submitted view."""
    problems: list[str] = []
    if body.get("response_action") == "errors":
        inputs = {b.get("block_id") for b in view.get("blocks", ()) if b.get("type") == "input"}
        errors = body.get("errors")
        if not isinstance(errors, dict) or not errors:
            return ["view response: errors must be a non-empty object"]
        for block_id, message in errors.items():
            if block_id not in inputs:
                problems.append(f"view response: error for {block_id!r}, which is no input block of the view")
            if not isinstance(message, str) or not message:
                problems.append(f"view response: error message for {block_id!r} is not a string")
            elif slack_live_tokens(message):
                problems.append(f"view response: live mention or link in {message[:80]!r}")
    elif body.get("response_action") not in (None, "clear", "update", "push"):
        problems.append(f"view response: unknown response_action {body.get('response_action')!r}")
    return problems


# ---- Discord: embed and component limits, allowed_mentions, live mentions and links ------------------

_DISCORD_MENTION = re.compile(r"@(?:everyone|here)|<@[!&]?\d{15,21}>")
# A masked link Discord renders: [label](scheme:...) with the opening bracket not escaped by a backslash.
_MASKED_LINK = re.compile(r"(?<!\\)(?:\\\\)*\[[^\[\]\n]+\]\(\s*<?[A-Za-z][A-Za-z0-9+.-]*:")
_INLINE_CODE = re.compile(r"``[^`\n]*``|`[^`\n]*`")


def discord_live_tokens(text: str) -> list[str]:
    """@everyone/@here, user and role mentions, and masked links Discord would render in `text`; inside an
    inline code span (which the bot uses for values, backticks replaced) nothing renders."""
    text = _INLINE_CODE.sub("``", text)
    return [m.group(0)[:80] for m in _DISCORD_MENTION.finditer(text)] + [
        m.group(0)[:80] for m in _MASKED_LINK.finditer(text)
    ]


def _texts_of_embed(embed: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    yield "title", embed.get("title")
    yield "description", embed.get("description")
    for i, field in enumerate(embed.get("fields") or []):
        yield f"fields[{i}].name", field.get("name")
        yield f"fields[{i}].value", field.get("value")
    yield "footer.text", (embed.get("footer") or {}).get("text")
    yield "author.name", (embed.get("author") or {}).get("name")


def discord_message_problems(
    where: str, message: Mapping[str, Any], *, needs_allowed_mentions: bool = True
) -> list[str]:
    """A message body (content, embeds, components, allowed_mentions) against Discord's limits and rules."""
    problems: list[str] = []
    content = message.get("content")
    embeds = message.get("embeds") or []
    if isinstance(content, str):
        if len(content) > 2000:
            problems.append(f"{where} content: {len(content)} characters, Discord allows 2000")
        live = discord_live_tokens(content)
        if live:
            problems.append(f"{where} content: live mention or link {live[:3]}")
    if len(embeds) > 10:
        problems.append(f"{where}: {len(embeds)} embeds, Discord allows 10")
    total = 0
    for i, embed in enumerate(embeds):
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(f"{where} embeds[{i}]: {len(fields)} fields, Discord allows 25")
        limits = {"title": 256, "description": 4096, "footer.text": 2048, "author.name": 256}
        for path, value in _texts_of_embed(embed):
            if value is None:
                continue
            total += len(value)
            limit = limits.get(path, 256 if path.endswith(".name") else 1024)
            if len(value) > limit:
                problems.append(f"{where} embeds[{i}].{path}: {len(value)} characters, Discord allows {limit}")
            if path.startswith("fields[") and not value.strip():
                problems.append(f"{where} embeds[{i}].{path}: blank (Discord rejects an empty field)")
            live = discord_live_tokens(value)
            if live:
                problems.append(f"{where} embeds[{i}].{path}: live mention or link {live[:3]}")
    if total > 6000:
        problems.append(f"{where}: embeds hold {total} characters, Discord allows 6000 per message")
    rows = message.get("components") or []
    if len(rows) > 5:
        problems.append(f"{where}: {len(rows)} component rows, Discord allows 5")
    for r, row in enumerate(rows):
        items = row.get("components") or []
        if len(items) > 5:
            problems.append(f"{where} components[{r}]: {len(items)} buttons, Discord allows 5")
        for c, item in enumerate(items):
            label, custom_id = item.get("label") or "", item.get("custom_id") or ""
            if len(label) > 80:
                problems.append(f"{where} components[{r}][{c}].label: {len(label)} characters, Discord allows 80")
            if len(custom_id) > 100:
                problems.append(
                    f"{where} components[{r}][{c}].custom_id: {len(custom_id)} characters, Discord allows 100"
                )
    has_text = bool(content) or bool(embeds)
    mentions = message.get("allowed_mentions")
    if needs_allowed_mentions and has_text:
        if not isinstance(mentions, dict):
            problems.append(f"{where}: sent without allowed_mentions (mentions would ping)")
        else:
            if mentions.get("parse") or mentions.get("users") or mentions.get("roles"):
                problems.append(f"{where}: allowed_mentions {mentions} lets mentions ping")
            if mentions.get("replied_user"):
                problems.append(f"{where}: allowed_mentions pings the replied-to author")
    return problems


def _modal_problems(where: str, data: Mapping[str, Any]) -> list[str]:
    problems = []
    if not 1 <= len(str(data.get("title") or "")) <= 45:
        problems.append(f"{where} modal title: Discord allows 1-45 characters")
    for row in data.get("components") or []:
        for item in row.get("components") or ([row["component"]] if "component" in row else []):
            label = str(item.get("label") or row.get("label") or "")
            if len(label) > 45:
                problems.append(f"{where} modal field label: {len(label)} characters, Discord allows 45")
            if len(str(item.get("placeholder") or "")) > 100:
                problems.append(f"{where} modal placeholder: more than 100 characters")
    return problems


def discord_call_problems(method: str, path: str, body: Any) -> list[str]:
    """Everything wrong with one REST call the bot made to the fake Discord."""
    problems = discord_request_problems(method, path, body)
    if not isinstance(body, dict):
        return problems
    where = f"{method} {path}"
    if (
        (method == "POST" and re.fullmatch(r"/channels/\d+/messages", path))
        or (re.fullmatch(r"/webhooks/\d+/[^/]+(?:/messages/(?:@original|\d+))?", path) and method in ("POST", "PATCH"))
        or (method == "PATCH" and re.fullmatch(r"/channels/\d+/messages/\d+", path))
    ):
        problems += discord_message_problems(where, body)
    elif method == "POST" and re.fullmatch(r"/interactions/\d+/[^/]+/callback", path):
        data = body.get("data") or {}
        if body.get("type") in (4, 7):
            problems += discord_message_problems(where, data)
        elif body.get("type") == 9:
            problems += _modal_problems(where, data)
    elif method == "POST" and re.fullmatch(r"/channels/\d+/(?:messages/\d+/)?threads", path):
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            problems.append(f"{where}: thread name must be 1-100 characters, got {name!r:.120}")
        if isinstance(body.get("message"), dict):
            problems += discord_message_problems(f"{where} message", body["message"])
    return problems
