"""A fake Discord on 127.0.0.1: the REST API and gateway a real discord.py 2.7.1 bot talks to.

Point a real client at it (and restore both class attributes afterwards)::

    Route.BASE = fake.api_base                     # before bot.login()
    # in setup_hook (login has run):
    shards, url, _ = await bot.http.get_bot_gateway()
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)

Every REST request is recorded in ``fake.calls`` (also 404s and injected 429s). Paths are recorded
decoded, without the ``/api/v10`` prefix and without the query string, e.g. ``/channels/1/messages``;
``of``/``wait_for`` match them with ``re.fullmatch``.

The gateway speaks plain TEXT JSON frames (the ``compress`` query parameter is ignored; discord.py only
runs the decompressor on BINARY frames).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import mimetypes
import re
import secrets
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, Self

from aiohttp import WSMsgType, web

DISCORD_EPOCH_MS = 1420070400000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
CREATE_INSTANT_INVITE = 1 << 0
ADD_REACTIONS = 1 << 6
MANAGE_GUILD = 1 << 5  # "Manage Server", 0x20
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | CREATE_PRIVATE_THREADS
    | SEND_MESSAGES_IN_THREADS
)
BOT_ROLE_PERMISSIONS = MANAGE_MESSAGES | MANAGE_THREADS

EPHEMERAL = 1 << 6  # message flag 64
LOADING = 1 << 7  # message flag 128 (deferred "thinking" message)

# Gateway opcodes.
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_RESUME = 0, 1, 2, 3, 6
OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 7, 8, 9, 10, 11

# Interaction types / callback types.
PING, APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
CB_PONG, CB_MESSAGE, CB_DEFERRED_MESSAGE, CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE = 1, 4, 5, 6, 7
CB_AUTOCOMPLETE, CB_MODAL = 8, 9


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _sid(value: int | str | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class Call:
    """One REST request the client made."""

    method: str
    path: str  # decoded, without /api/v10 and without the query string
    json: Any = None  # JSON body, or the parsed payload_json of a multipart body; None without a body
    files: list[str] = field(default_factory=list)  # uploaded file names (multipart)
    query: dict[str, str] = field(default_factory=dict)
    status: int = 0  # what the fake answered
    response: Any = None  # the JSON the fake answered (None for 204)
    file_data: dict[str, bytes] = field(default_factory=dict)  # file name -> uploaded bytes
    headers: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        body = json.dumps(self.json)[:200] if self.json is not None else ""
        extra = f" files={self.files}" if self.files else ""
        query = f"?{self.query}" if self.query else ""
        return f"<Call {self.method} {self.path}{query} -> {self.status} {body}{extra}>"


class BuiltInteraction(NamedTuple):
    """An INTERACTION_CREATE payload with its id and token (unpacks as ``payload, id, token``)."""

    payload: dict[str, Any]
    id: int
    token: str

    @property
    def callback_path(self) -> str:
        """Regex of this interaction's callback call (POST)."""
        return re.escape(f"/interactions/{self.id}/{self.token}/callback")

    @property
    def followup_path(self) -> str:
        """Regex of this interaction's followup sends (POST)."""
        return rf"/webhooks/\d+/{re.escape(self.token)}"

    @property
    def original_path(self) -> str:
        """Regex of GET/PATCH/DELETE on this interaction's original response."""
        return rf"/webhooks/\d+/{re.escape(self.token)}/messages/@original"

    @property
    def messages_path(self) -> str:
        """Regex of GET/PATCH/DELETE on any webhook message of this interaction (original or followups)."""
        return rf"/webhooks/\d+/{re.escape(self.token)}/messages/(@original|\d+)"


@dataclass
class _InteractionState:
    id: int
    token: str
    type: int
    channel_id: int
    guild_id: int | None
    user_id: int
    message_id: int | None = None  # the message a component / modal interaction came from
    callback_type: int | None = None
    original_id: int | None = None  # the response message (type 4/5) or the updated message (type 6/7)


class _Conn:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.lock = asyncio.Lock()
        self.identified = False
        self.received: list[dict[str, Any]] = []


class FakeDiscord:
    """Records REST calls and answers like Discord for what discord.py 2.7.1 needs; serves a gateway."""

    GUILD_ID = 1180000000000000001
    APP_ID = 1180000000000000002
    BOT_ID = 1180000000000000003
    ADMIN_ID = 1180000000000000011  # member whose role has Manage Server (0x20)
    MEMBER_ID = 1180000000000000012  # no special permissions
    OTHER_ID = 1180000000000000013  # no special permissions
    OWNER_ID = 1180000000000000019  # guild owner, not a cached member (owners get every permission)
    ADMIN_ROLE_ID = 1180000000000000021
    BOT_ROLE_ID = 1180000000000000022
    TEXT_CHANNEL_ID = 1180000000000000031
    FORUM_CHANNEL_ID = 1180000000000000032
    FORUM_TAG_IDS = (1180000000000000041, 1180000000000000042)

    def __init__(self, *, token: str | None = None, heartbeat_interval_ms: int = 41250) -> None:
        self.token = token  # when set, REST and IDENTIFY must use it (401 / close 4004 otherwise)
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.port = 0
        self.calls: list[Call] = []
        self.closed_dms: set[str] = set()
        # Like Discord, tell the bot over the gateway about threads it created through REST.
        self.announce_threads = True
        self.on_call: Callable[[Call], None] | None = None  # e.g. a benchmark timing arrivals
        self._announcements: set[asyncio.Task[Any]] = set()
        self.rate_limit_once: set[tuple[str, str]] = set()
        self.rate_limit_retry_after = 0.05
        self.unavailable: set[tuple[str, str]] = set()  # (method, path regex) answered 503 while present
        self.identify: dict[str, Any] | None = None
        self.identifies: list[dict[str, Any]] = []
        self.gateway_received: list[dict[str, Any]] = []  # every gateway frame the client sent
        self.session_id: str | None = None
        self.sequence = 0
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.users: dict[int, dict[str, Any]] = {}
        self.members: dict[int, dict[str, Any]] = {}  # user id -> member payload without "user"
        self.roles: list[dict[str, Any]] = []
        self.interactions: dict[str, _InteractionState] = {}  # token -> state
        self._conns: list[_Conn] = []
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self._ready = asyncio.Event()
        self._counter = itertools.count(1)
        self._last_snowflake = 0
        self._build_world()

    # ------------------------------------------------------------------ lifecycle

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        for conn in list(self._conns):
            await conn.ws.close(code=1001, message=b"fake discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ recording

    def of(self, method: str, path_regex: str, *, status: int | None = None) -> list[Call]:
        """Calls with this method whose path fully matches `path_regex` (optionally with this answer status)."""
        rx = re.compile(path_regex)
        return [
            c
            for c in self.calls
            if c.method == method.upper() and rx.fullmatch(c.path) and (status is None or c.status == status)
        ]

    async def wait_for(
        self,
        method: str,
        path_regex: str,
        count: int = 1,
        timeout: float = 10.0,
        *,
        status: int | None = None,
    ) -> list[Call]:
        """Wait until at least `count` matching calls were made; returns all matching calls so far."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.of(method, path_regex, status=status)
            if len(found) >= count:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = "\n  ".join(repr(c) for c in self.calls) or "(none)"
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} x {method.upper()} {path_regex}"
                    f" (got {len(found)}); calls seen:\n  {seen}"
                )
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    def clear_calls(self) -> None:
        self.calls.clear()

    # ------------------------------------------------------------------ ids and world

    def snowflake(self) -> int:
        """A fresh, increasing, time-based snowflake."""
        value = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (next(self._counter) & 0xFFF)
        value = max(value, self._last_snowflake + 1)
        self._last_snowflake = value
        return value

    def _user(self, user_id: int, username: str, global_name: str | None, *, bot: bool = False) -> dict[str, Any]:
        user = {
            "id": str(user_id),
            "username": username,
            "discriminator": "0",
            "global_name": global_name,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "bot": bot,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
            "collectibles": None,
        }
        if bot:
            user["system"] = False
        return user

    def _build_world(self) -> None:
        joined = "2024-01-01T00:00:00.000000+00:00"
        for uid, name, display, bot in (
            (self.BOT_ID, "debrief", "Debrief", True),
            (self.ADMIN_ID, "alice_admin", "Alice Admin", False),
            (self.MEMBER_ID, "bob_member", "Bob Member", False),
            (self.OTHER_ID, "carol_other", "Carol Other", False),
            (self.OWNER_ID, "olivia_owner", "Olivia Owner", False),
        ):
            self.users[uid] = self._user(uid, name, display, bot=bot)
        roles_of = {
            self.BOT_ID: [self.BOT_ROLE_ID],
            self.ADMIN_ID: [self.ADMIN_ROLE_ID],
            self.MEMBER_ID: [],
            self.OTHER_ID: [],
        }
        for uid, role_ids in roles_of.items():
            self.members[uid] = {
                "roles": [str(r) for r in role_ids],
                "nick": None,
                "avatar": None,
                "banner": None,
                "joined_at": joined,
                "premium_since": None,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "communication_disabled_until": None,
            }

        def role(rid: int, name: str, perms: int, position: int, *, managed: bool = False) -> dict[str, Any]:
            r: dict[str, Any] = {
                "id": str(rid),
                "name": name,
                "color": 0,
                "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                "hoist": False,
                "icon": None,
                "unicode_emoji": None,
                "position": position,
                "permissions": str(perms),
                "managed": managed,
                "mentionable": False,
                "flags": 0,
            }
            if managed:
                r["tags"] = {"bot_id": str(self.BOT_ID)}
            return r

        self.roles = [
            role(self.GUILD_ID, "@everyone", EVERYONE_PERMISSIONS, 0),
            role(self.ADMIN_ROLE_ID, "Interview Admin", MANAGE_GUILD, 1),
            role(self.BOT_ROLE_ID, "debrief", BOT_ROLE_PERMISSIONS, 2, managed=True),
        ]
        self.channels[self.TEXT_CHANNEL_ID] = {
            "id": str(self.TEXT_CHANNEL_ID),
            "type": 0,
            "guild_id": str(self.GUILD_ID),
            "name": "interview-prep",
            "position": 0,
            "permission_overwrites": [],
            "topic": "Practice and debriefs",
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
            "flags": 0,
        }
        self.channels[self.FORUM_CHANNEL_ID] = {
            "id": str(self.FORUM_CHANNEL_ID),
            "type": 15,
            "guild_id": str(self.GUILD_ID),
            "name": "debriefs",
            "position": 1,
            "permission_overwrites": [],
            "topic": "One post per debrief",
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "default_auto_archive_duration": 4320,
            "default_thread_rate_limit_per_user": 0,
            "available_tags": [
                {
                    "id": str(self.FORUM_TAG_IDS[0]),
                    "name": "mock",
                    "moderated": False,
                    "emoji_id": None,
                    "emoji_name": None,
                },
                {
                    "id": str(self.FORUM_TAG_IDS[1]),
                    "name": "real",
                    "moderated": False,
                    "emoji_id": None,
                    "emoji_name": None,
                },
            ],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "flags": 0,
        }

    # ------------------------------------------------------------------ payload helpers

    def user_payload(self, user_id: int) -> dict[str, Any]:
        user_id = int(user_id)
        if user_id not in self.users:
            self.users[user_id] = self._user(user_id, f"user{user_id % 100000}", None)
        return dict(self.users[user_id])

    def member_payload(self, user_id: int, *, with_user: bool = True, with_permissions: bool = False) -> dict[str, Any]:
        user_id = int(user_id)
        member = dict(
            self.members.get(user_id)
            or {
                "roles": [],
                "joined_at": _now_iso(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
            }
        )
        if with_user:
            member["user"] = self.user_payload(user_id)
        if with_permissions:
            member["permissions"] = str(self.permissions_of(user_id))
        return member

    def permissions_of(self, user_id: int) -> int:
        """Guild-level permissions (no channel overwrites in this fake)."""
        user_id = int(user_id)
        if user_id == self.OWNER_ID:
            return ALL_PERMISSIONS
        perms = EVERYONE_PERMISSIONS
        member_roles = set((self.members.get(user_id) or {}).get("roles", []))
        for r in self.roles:
            if r["id"] in member_roles:
                perms |= int(r["permissions"])
        if perms & (1 << 3):  # ADMINISTRATOR
            return ALL_PERMISSIONS
        return perms

    def guild_payload(self) -> dict[str, Any]:
        """A full GUILD_CREATE payload."""
        members = [self.member_payload(uid) for uid in self.members]
        return {
            "id": str(self.GUILD_ID),
            "name": "Debrief Test Guild",
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.OWNER_ID),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [dict(r) for r in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "incidents_data": None,
            # GUILD_CREATE-only fields
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "large": False,
            "unavailable": False,
            "lazy": True,
            "member_count": len(members),
            "voice_states": [],
            "members": members,
            "channels": [dict(c) for c in self.channels.values() if c.get("type") in (0, 2, 4, 5, 13, 15, 16)],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def _app_info(self) -> dict[str, Any]:
        return {
            "id": str(self.APP_ID),
            "name": "debrief",
            "icon": None,
            "description": "",
            "summary": "",
            "type": None,
            "hook": True,
            "bot_public": False,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": (1 << 19) | (1 << 23),  # GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED
            "owner": self.user_payload(self.OWNER_ID),
            "team": None,
            "bot": self.user_payload(self.BOT_ID),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "tags": [],
            "approximate_guild_count": 1,
            "integration_types_config": {"0": {}},
        }

    def _channel_guild_id(self, channel_id: int) -> int | None:
        ch = self.channels.get(int(channel_id))
        return int(ch["guild_id"]) if ch and ch.get("guild_id") else None

    def channel_payload(self, channel_id: int) -> dict[str, Any]:
        return dict(self.channels[int(channel_id)])

    def dm_channel(self, user_id: int) -> dict[str, Any]:
        """The DM channel with `user_id` (created on first use; the same user always gets the same one)."""
        user_id = int(user_id)
        cid = self.dm_channels.get(user_id)
        if cid is None:
            cid = self.snowflake()
            self.dm_channels[user_id] = cid
            self.channels[cid] = {
                "id": str(cid),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.user_payload(user_id)],
            }
        return dict(self.channels[cid])

    def dm_channel_id(self, user_id: int) -> int:
        return int(self.dm_channel(user_id)["id"])

    def _dm_recipient(self, channel_id: int) -> int | None:
        for uid, cid in self.dm_channels.items():
            if cid == int(channel_id):
                return uid
        return None

    def _attachments(self, channel_id: int, payload: dict[str, Any], files: list[str], data: dict[str, bytes]):
        described = {int(a["id"]): a for a in payload.get("attachments") or [] if str(a.get("id", "")).isdigit()}
        out = []
        for index, name in enumerate(files):
            aid = self.snowflake()
            url = f"http://127.0.0.1:{self.port}/attachments/{channel_id}/{aid}/{name}"
            item = {
                "id": str(aid),
                "filename": name,
                "size": len(data.get(name, b"")),
                "url": url,
                "proxy_url": url,
                "content_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            }
            desc = (described.get(index) or {}).get("description")
            if desc:
                item["description"] = desc
            out.append(item)
        return out

    def _components_with_ids(self, components: list[dict[str, Any]]) -> list[dict[str, Any]]:
        counter = itertools.count(1)

        def walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            result = []
            for c in items:
                c = dict(c)
                c.setdefault("id", next(counter))
                if isinstance(c.get("components"), list):
                    c["components"] = walk(c["components"])
                if isinstance(c.get("component"), dict):
                    c["component"] = walk([c["component"]])[0]
                if isinstance(c.get("accessory"), dict):
                    c["accessory"] = walk([c["accessory"]])[0]
                result.append(c)
            return result

        return walk(components or [])

    def _new_message(
        self,
        channel_id: int,
        payload: dict[str, Any],
        *,
        author_id: int | None = None,
        message_id: int | None = None,
        msg_type: int = 0,
        files: list[str] | None = None,
        file_data: dict[str, bytes] | None = None,
        webhook: bool = False,
        include_guild: bool = False,
    ) -> dict[str, Any]:
        """A stored message object as Discord returns it (REST shape; `include_guild` for gateway shape)."""
        channel_id = int(channel_id)
        mid = message_id or self.snowflake()
        author = self.user_payload(author_id or self.BOT_ID)
        msg: dict[str, Any] = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "author": author,
            "content": payload.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts") or False),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel_id, payload, files or [], file_data or {}),
            "embeds": list(payload.get("embeds") or []),
            "pinned": False,
            "type": msg_type,
            "flags": int(payload.get("flags") or 0),
            "components": self._components_with_ids(payload.get("components") or []),
        }
        if payload.get("nonce") is not None:
            msg["nonce"] = payload["nonce"]
        if payload.get("poll"):
            msg["poll"] = payload["poll"]
        if webhook:
            msg["webhook_id"] = str(self.APP_ID)
            msg["application_id"] = str(self.APP_ID)
        ref = payload.get("message_reference")
        if ref and ref.get("message_id"):
            ref_id = int(ref["message_id"])
            ref_channel = int(ref.get("channel_id") or channel_id)
            msg["message_reference"] = {
                "type": ref.get("type", 0),
                "message_id": str(ref_id),
                "channel_id": str(ref_channel),
            }
            guild_id = self._channel_guild_id(ref_channel)
            if guild_id:
                msg["message_reference"]["guild_id"] = str(guild_id)
            referenced = self.messages.get(ref_id)
            msg["referenced_message"] = dict(referenced) if referenced else None
            if ref.get("type", 0) == 0:
                msg["type"] = 19  # REPLY
        guild_id = self._channel_guild_id(channel_id)
        if include_guild and guild_id:
            msg["guild_id"] = str(guild_id)
            msg["member"] = self.member_payload(author_id or self.BOT_ID, with_user=False)
        self.messages[mid] = msg
        ch = self.channels.get(channel_id)
        if ch is not None:
            ch["last_message_id"] = str(mid)
            if ch.get("type") in (10, 11, 12):
                ch["message_count"] = ch.get("message_count", 0) + 1
                ch["total_message_sent"] = ch.get("total_message_sent", 0) + 1
        return msg

    def _edit_message(self, msg: dict[str, Any], payload: dict[str, Any], files: list[str], data: dict[str, bytes]):
        for key in ("content", "embeds", "flags", "poll"):
            if key in payload:
                msg[key] = (
                    payload[key]
                    if payload[key] is not None
                    else ([] if key == "embeds" else "" if key == "content" else 0)
                )
        if "components" in payload:
            msg["components"] = self._components_with_ids(payload["components"] or [])
        if "attachments" in payload or files:
            kept_ids = {str(a.get("id")) for a in payload.get("attachments") or []}
            kept = [a for a in msg.get("attachments", []) if a["id"] in kept_ids]
            msg["attachments"] = kept + self._attachments(int(msg["channel_id"]), payload, files, data)
        msg["flags"] = int(msg.get("flags") or 0) & ~LOADING
        msg["edited_timestamp"] = _now_iso()
        return msg

    def _thread(
        self,
        thread_id: int,
        parent_id: int,
        name: str,
        *,
        owner_id: int | None = None,
        thread_type: int = 11,
        auto_archive_duration: int = 1440,
        applied_tags: list[Any] | None = None,
        rate_limit_per_user: int | None = 0,
        invitable: bool = True,
    ) -> dict[str, Any]:
        now = _now_iso()
        owner = int(owner_id or self.BOT_ID)
        thread = {
            "id": str(thread_id),
            "type": thread_type,
            "guild_id": str(self.GUILD_ID),
            "parent_id": str(parent_id),
            "owner_id": str(owner),
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": rate_limit_per_user or 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "applied_tags": [str(t) for t in applied_tags or []],
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": auto_archive_duration or 1440,
                "archive_timestamp": now,
                "locked": False,
                "create_timestamp": now,
            },
        }
        if thread_type == 12:
            thread["thread_metadata"]["invitable"] = invitable
        if owner == self.BOT_ID:
            thread["member"] = {
                "id": str(thread_id),
                "user_id": str(self.BOT_ID),
                "join_timestamp": now,
                "flags": 1,
            }
        self.channels[int(thread_id)] = thread
        return thread

    # ------------------------------------------------------------------ builders for tests

    def message_create(
        self,
        channel_id: int,
        author_id: int,
        content: str,
        *,
        message_id: int | None = None,
        guild_id: int | None = GUILD_ID,
        **extra: Any,
    ) -> dict[str, Any]:
        """A MESSAGE_CREATE payload (with `member` for guild messages). DM channels force guild_id=None."""
        channel_id = int(channel_id)
        ch = self.channels.get(channel_id)
        if ch is not None and ch.get("type") in (1, 3):
            guild_id = None
        mid = int(message_id) if message_id else self.snowflake()
        msg = {
            "id": str(mid),
            "channel_id": str(channel_id),
            "author": self.user_payload(author_id),
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        if guild_id:
            msg["guild_id"] = str(guild_id)
            msg["member"] = self.member_payload(author_id, with_user=False)
        msg.update(extra)
        self.messages[mid] = dict(msg)
        return msg

    def message_update(
        self,
        channel_id: int,
        message_id: int,
        content: str,
        *,
        author_id: int | None = None,
        guild_id: int | None = GUILD_ID,
        **extra: Any,
    ) -> dict[str, Any]:
        """A MESSAGE_UPDATE payload for an edit: same id, new content, edited_timestamp set."""
        old = self.messages.get(int(message_id))
        if author_id is None:
            author_id = int(old["author"]["id"]) if old else self.MEMBER_ID
        msg = self.message_create(channel_id, author_id, content, message_id=message_id, guild_id=guild_id)
        if old:
            msg["timestamp"] = old.get("timestamp", msg["timestamp"])
        msg["edited_timestamp"] = _now_iso()
        msg.update(extra)
        self.messages[int(message_id)] = dict(msg)
        return msg

    def thread_create(
        self,
        parent_id: int,
        name: str,
        *,
        owner_id: int | None = None,
        thread_id: int | None = None,
        thread_type: int = 11,
        newly_created: bool = True,
    ) -> dict[str, Any]:
        """A THREAD_CREATE payload (the thread is registered so REST calls to it succeed)."""
        thread = dict(
            self._thread(thread_id or self.snowflake(), parent_id, name, owner_id=owner_id, thread_type=thread_type)
        )
        if newly_created:
            thread["newly_created"] = True
        return thread

    def _interaction(
        self,
        itype: int,
        user_id: int,
        channel_id: int,
        data: dict[str, Any],
        *,
        message: dict[str, Any] | None = None,
    ) -> BuiltInteraction:
        channel_id = int(channel_id)
        if channel_id not in self.channels:
            raise KeyError(
                f"unknown channel {channel_id}: use a known channel, a thread from thread_create, or dm_channel_id()"
            )
        iid = self.snowflake()
        token = f"aW50ZXJhY3Rpb24.{iid}.{secrets.token_urlsafe(24)}"
        guild_id = self._channel_guild_id(channel_id)
        channel = self.channel_payload(channel_id)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.APP_ID),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "channel": channel,
            "channel_id": str(channel_id),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id:
            channel["permissions"] = str(self.permissions_of(user_id))
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=self.member_payload(user_id, with_permissions=True),
                app_permissions=str(self.permissions_of(self.BOT_ID)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=self.user_payload(user_id),
                app_permissions=str(EVERYONE_PERMISSIONS),
                authorizing_integration_owners={"0": str(self.GUILD_ID)},
                context=1,
            )
        if message is not None:
            payload["message"] = message
        self.interactions[token] = _InteractionState(
            id=iid,
            token=token,
            type=itype,
            channel_id=channel_id,
            guild_id=guild_id,
            user_id=int(user_id),
            message_id=int(message["id"]) if message else None,
        )
        return BuiltInteraction(payload, iid, token)

    def _option(self, name: str, value: Any, resolved: dict[str, dict[str, Any]]) -> dict[str, Any]:
        if isinstance(value, tuple):  # explicit (option type, value)
            otype, val = value
        elif isinstance(value, bool):
            otype, val = 5, value
        elif isinstance(value, int):
            otype, val = 4, value
        elif isinstance(value, float):
            otype, val = 10, value
        else:
            otype, val = 3, str(value)
        if otype in (6, 9) and int(val) in self.users:  # user / mentionable
            resolved.setdefault("users", {})[str(val)] = self.user_payload(int(val))
            if int(val) in self.members:
                resolved.setdefault("members", {})[str(val)] = self.member_payload(
                    int(val), with_user=False, with_permissions=True
                )
            val = str(val)
        elif otype == 7 and int(val) in self.channels:
            ch = self.channel_payload(int(val))
            ch["permissions"] = str(EVERYONE_PERMISSIONS)
            resolved.setdefault("channels", {})[str(val)] = ch
            val = str(val)
        return {"name": name, "type": otype, "value": val}

    def command_interaction(
        self,
        user_id: int,
        subcommand: str,
        options: dict[str, Any] | None = None,
        *,
        channel_id: int = TEXT_CHANNEL_ID,
        group: str | None = "debrief",
    ) -> BuiltInteraction:
        """INTERACTION_CREATE type 2 for `/<group> <subcommand>` (options: str->3, int->4, bool->5, float->10,
        or an explicit `(type, value)` tuple; 6 = user, 7 = channel are resolved). `subcommand` may be
        "subgroup sub" for a nested group; with group=None, `subcommand` is the top-level command name.
        The member carries the right `permissions` string (ADMIN_ID has Manage Server 0x20)."""
        resolved: dict[str, dict[str, Any]] = {}
        inner = [self._option(k, v, resolved) for k, v in (options or {}).items()]
        if group is None:
            name, top = subcommand, inner
        else:
            parts = subcommand.split()
            if len(parts) == 2:
                top = [
                    {
                        "type": 2,
                        "name": parts[0],
                        "options": [{"type": 1, "name": parts[1], "options": inner}],
                    }
                ]
            else:
                top = [{"type": 1, "name": subcommand, "options": inner}]
            name = group
        data: dict[str, Any] = {"id": "0", "name": name, "type": 1, "options": top}
        guild_id = self._channel_guild_id(channel_id)
        synced_guild = next((c for c in self.guild_commands.get(guild_id or 0, []) if c["name"] == name), None)
        synced_global = next((c for c in self.global_commands if c["name"] == name), None)
        if synced_guild is not None:
            data["id"], data["guild_id"] = synced_guild["id"], str(guild_id)
        elif synced_global is not None:
            data["id"] = synced_global["id"]
        else:
            data["id"] = str(self.snowflake())
            if guild_id:  # unknown: a guild_id lets discord.py look in guild commands, then fall back to global
                data["guild_id"] = str(guild_id)
        if resolved:
            data["resolved"] = resolved
        return self._interaction(APPLICATION_COMMAND, user_id, channel_id, data)

    @staticmethod
    def custom_ids(message: dict[str, Any]) -> list[str]:
        """Every component custom_id in a message payload (a Call.response, a callback's
        response["resource"]["message"], an entry of fake.messages), in document order."""
        found: list[str] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for c in items or []:
                if c.get("custom_id"):
                    found.append(c["custom_id"])
                walk(c.get("components") or [])
                walk([x for x in (c.get("accessory"), c.get("component")) if isinstance(x, dict)])

        walk(message.get("components") or [])
        return found

    def _find_message_with_component(self, custom_id: str) -> dict[str, Any] | None:
        def has(items: list[dict[str, Any]]) -> bool:
            for c in items or []:
                if c.get("custom_id") == custom_id:
                    return True
                if has(c.get("components") or []) or (c.get("accessory") and has([c["accessory"]])):
                    return True
            return False

        for msg in reversed(list(self.messages.values())):
            if has(msg.get("components") or []):
                return msg
        return None

    def component_interaction(
        self,
        user_id: int,
        custom_id: str,
        *,
        message: dict[str, Any] | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
    ) -> BuiltInteraction:
        """INTERACTION_CREATE type 3 (a button by default; component_type 3 + values for a string select).
        Without `message`, uses the newest stored message carrying `custom_id`, else a new bot message in
        TEXT_CHANNEL_ID with such a button."""
        if message is None:
            message = self._find_message_with_component(custom_id)
        if message is None:
            button = {"type": 2, "style": 1, "label": custom_id, "custom_id": custom_id}
            message = self._new_message(
                self.TEXT_CHANNEL_ID, {"content": "", "components": [{"type": 1, "components": [button]}]}
            )
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if component_type != 2:
            data["values"] = list(values or [])
        return self._interaction(MESSAGE_COMPONENT, user_id, int(message["channel_id"]), data, message=dict(message))

    def modal_submit_interaction(
        self,
        user_id: int,
        custom_id: str,
        values: dict[str, str],
        *,
        channel_id: int = TEXT_CHANNEL_ID,
        message: dict[str, Any] | None = None,
        labels: bool = False,
    ) -> BuiltInteraction:
        """INTERACTION_CREATE type 5 with text inputs {custom_id: value}: in action rows (type 1), or in
        Label components (type 18) when labels=True. `message` = the message whose component opened the modal."""
        ids = itertools.count(1)
        components = []
        for key, value in values.items():
            text = {"type": 4, "id": 0, "custom_id": key, "value": value}
            outer_id = next(ids)
            text["id"] = next(ids)
            if labels:
                components.append({"type": 18, "id": outer_id, "component": text})
            else:
                components.append({"type": 1, "id": outer_id, "components": [text]})
        data = {"custom_id": custom_id, "components": components}
        if message is not None:
            channel_id = int(message["channel_id"])
        return self._interaction(MODAL_SUBMIT, user_id, channel_id, data, message=dict(message) if message else None)

    def modal_submit_from(
        self, user_id: int, modal: Call | dict[str, Any], values: dict[str, str | list[str]]
    ) -> BuiltInteraction:
        """Submit a modal the bot actually sent: `modal` is the type-9 callback Call (or its "data").
        Keys of `values` are a field's label or custom_id (TextInputs without an explicit custom_id get a
        random one); a list value answers a select. Unset text inputs submit "". The submit comes from the
        channel/message of the interaction that opened the modal, with the modal's own layout."""
        channel_id, message = self.TEXT_CHANNEL_ID, None
        if isinstance(modal, Call):
            m = re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", modal.path)
            state = self.interactions.get(m.group(2)) if m else None
            if state is not None:
                channel_id = state.channel_id
                if state.message_id is not None and state.message_id in self.messages:
                    message = dict(self.messages[state.message_id])
            modal = (modal.json or {}).get("data") or {}
        fields: dict[str, dict[str, Any]] = {}  # custom_id -> submitted component

        def submitted(component: dict[str, Any], label: str | None) -> dict[str, Any]:
            item: dict[str, Any] = {"type": component["type"], "id": component.get("id", 0)}
            item["custom_id"] = component["custom_id"]
            if component["type"] == 4:
                item["value"] = ""
            else:
                item["values"] = []
            fields[component["custom_id"]] = item
            if label:
                fields.setdefault(label, item)
            return item

        components = []
        for index, top in enumerate(modal.get("components") or [], start=1):
            if top.get("type") == 18:
                inner = submitted(top["component"], top.get("label"))
                components.append({"type": 18, "id": top.get("id", index), "component": inner})
            elif top.get("type") == 1:
                row = [submitted(c, c.get("label")) for c in top.get("components") or [] if c.get("custom_id")]
                components.append({"type": 1, "id": top.get("id", index), "components": row})
        for key, value in values.items():
            if key not in fields:
                raise KeyError(f"modal has no field {key!r}; fields (custom_id or label): {sorted(fields)}")
            if isinstance(value, list):
                fields[key]["values"] = list(value)
            else:
                fields[key]["value"] = value
        data = {"custom_id": modal["custom_id"], "components": components}
        return self._interaction(MODAL_SUBMIT, user_id, channel_id, data, message=message)

    # ------------------------------------------------------------------ gateway

    async def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until READY and GUILD_CREATE were sent to an identified client."""
        await asyncio.wait_for(self._ready.wait(), timeout)

    def _register_event(self, event: str, data: dict[str, Any]) -> None:
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and "id" in data and "author" in data:
            self.messages[int(data["id"])] = dict(data)
        elif event in ("THREAD_CREATE", "CHANNEL_CREATE", "THREAD_UPDATE", "CHANNEL_UPDATE") and "id" in data:
            stored = {k: v for k, v in data.items() if k != "newly_created"}
            self.channels[int(data["id"])] = stored
        elif event in ("THREAD_DELETE", "CHANNEL_DELETE") and "id" in data:
            self.channels.pop(int(data["id"]), None)

    async def dispatch(self, event_name: str, data: Any) -> int:
        """Send a DISPATCH (op 0) with the next sequence number to every identified connection; returns it."""
        conns = [c for c in self._conns if c.identified and not c.ws.closed]
        if not conns:
            raise RuntimeError("no identified gateway connection to dispatch to")
        if isinstance(data, BuiltInteraction):
            data = data.payload
        self._register_event(event_name, data)
        self.sequence += 1
        frame = {"op": OP_DISPATCH, "t": event_name, "s": self.sequence, "d": data}
        for conn in conns:
            await self._send(conn, frame)
        return self.sequence

    async def dispatch_interaction(self, built: BuiltInteraction) -> BuiltInteraction:
        await self.dispatch("INTERACTION_CREATE", built.payload)
        return built

    async def send_reconnect(self) -> None:
        """Ask every client to reconnect (op 7); discord.py resumes on resume_gateway_url."""
        for conn in list(self._conns):
            await self._send(conn, {"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def close_gateway(self, code: int = 4000) -> None:
        """Drop every gateway connection with `code` (4000 = reconnectable)."""
        for conn in list(self._conns):
            await conn.ws.close(code=code)

    async def _send(self, conn: _Conn, frame: dict[str, Any]) -> None:
        async with conn.lock:
            if not conn.ws.closed:
                await conn.ws.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _Conn(ws)
        self._conns.append(conn)
        try:
            hello = {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["fake-discord"]}
            await self._send(conn, {"op": OP_HELLO, "d": hello, "s": None, "t": None})
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    frame = json.loads(msg.data)
                    conn.received.append(frame)
                    self.gateway_received.append(frame)
                    await self._on_frame(conn, frame)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            if conn in self._conns:
                self._conns.remove(conn)
        return ws

    async def _on_frame(self, conn: _Conn, frame: dict[str, Any]) -> None:
        op, d = frame.get("op"), frame.get("d")
        if op == OP_HEARTBEAT:
            await self._send(conn, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            self.identify = d
            self.identifies.append(d)
            if self.token is not None and d.get("token") != self.token:
                await conn.ws.close(code=4004, message=b"Authentication failed.")
                return
            conn.identified = True
            self.session_id = uuid.uuid4().hex
            self.sequence = 0
            ready = {
                "v": 10,
                "user": {
                    **self.user_payload(self.BOT_ID),
                    "verified": True,
                    "mfa_enabled": False,
                    "email": None,
                },
                "user_settings": {},
                "guilds": [{"id": str(self.GUILD_ID), "unavailable": True}],
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "session_id": self.session_id,
                "session_type": "normal",
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.APP_ID), "flags": self._app_info()["flags"]},
                "geo_ordered_rtc_regions": [],
                "_trace": ["fake-discord"],
            }
            if d.get("shard"):
                ready["shard"] = d["shard"]
            await self._dispatch_to(conn, "READY", ready)
            await self._dispatch_to(conn, "GUILD_CREATE", self.guild_payload())
            self._ready.set()
        elif op == OP_RESUME:
            if self.token is not None and d.get("token") != self.token:
                await conn.ws.close(code=4004, message=b"Authentication failed.")
                return
            if d.get("session_id") != self.session_id:
                await self._send(conn, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
                return
            conn.identified = True
            await self._dispatch_to(conn, "RESUMED", {"_trace": ["fake-discord"]})
        elif op == OP_REQUEST_MEMBERS:
            wanted = d.get("user_ids")
            if isinstance(wanted, (str, int)):
                wanted = [wanted]
            ids = [int(u) for u in wanted] if wanted else list(self.members)
            found = [uid for uid in ids if uid in self.members]
            chunk = {
                "guild_id": str(d.get("guild_id")),
                "members": [self.member_payload(uid) for uid in found],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [str(uid) for uid in ids if uid not in self.members],
            }
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            await self._dispatch_to(conn, "GUILD_MEMBERS_CHUNK", chunk)

    async def _dispatch_to(self, conn: _Conn, event: str, data: dict[str, Any]) -> None:
        self.sequence += 1
        await self._send(conn, {"op": OP_DISPATCH, "t": event, "s": self.sequence, "d": data})

    # ------------------------------------------------------------------ REST

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        call = Call(method=request.method.upper(), path=path, query=dict(request.query))
        call.headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in ("authorization", "content-type", "x-audit-log-reason")
        }
        await self._read_body(request, call)
        status, body, headers = self._route(call, request)
        call.status, call.response = status, body
        self.calls.append(call)
        self._changed.set()
        if self.on_call is not None:
            self.on_call(call)
        if body is None:
            return web.Response(status=status, headers=headers)
        return web.Response(
            status=status,
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **headers},
        )

    async def _read_body(self, request: web.Request, call: Call) -> None:
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if part.filename:
                    data = await part.read()
                    call.files.append(part.filename)
                    call.file_data[part.filename] = bytes(data)
                elif part.name == "payload_json":
                    call.json = json.loads(await part.text())
                else:
                    await part.read()
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    call.json = json.loads(raw)
                except ValueError:
                    call.json = raw.decode("utf-8", "replace")

    def _route(self, call: Call, request: web.Request) -> tuple[int, Any, dict[str, str]]:
        for method, rx in list(self.unavailable):
            if method.upper() == call.method and re.fullmatch(rx, call.path):
                return 503, {"message": "Service Unavailable", "code": 0}, {}
        for method, rx in list(self.rate_limit_once):
            if method.upper() == call.method and re.fullmatch(rx, call.path):
                self.rate_limit_once.discard((method, rx))
                retry = self.rate_limit_retry_after
                headers = {
                    "Retry-After": str(max(1, round(retry))),
                    "X-RateLimit-Scope": "user",
                    "X-RateLimit-Global": "false",
                    "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban and raises
                }
                return (
                    429,
                    {"message": "You are being rate limited.", "retry_after": retry, "global": False},
                    headers,
                )
        webhook_like = call.path.startswith(("/interactions/", "/webhooks/"))
        if self.token is not None and not webhook_like and call.headers.get("Authorization") != f"Bot {self.token}":
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        for method, rx, handler in self._routes():
            if method == call.method:
                m = re.fullmatch(rx, call.path)
                if m:
                    status, body = handler(call, **m.groupdict())
                    return status, body, {}
        return 404, {"message": "Unknown", "code": 0}, {}

    def _routes(self):
        c, m = r"(?P<channel_id>\d+)", r"(?P<message_id>\d+)"
        wh = r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)"
        return (
            ("GET", r"/users/@me", lambda call: (200, self.user_payload(self.BOT_ID))),
            ("GET", r"/users/(?P<user_id>\d+)", self._get_user),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("GET", r"/gateway", lambda call: (200, {"url": self.gateway_url})),
            ("GET", r"/oauth2/applications/@me", lambda call: (200, self._app_info())),
            ("GET", r"/applications/@me", lambda call: (200, self._app_info())),
            ("PUT", r"/applications/(?P<app_id>\d+)/commands", self._put_global_commands),
            (
                "GET",
                r"/applications/(?P<app_id>\d+)/commands",
                lambda call, app_id: (200, self.global_commands),
            ),
            (
                "PUT",
                r"/applications/(?P<app_id>\d+)/guilds/(?P<guild_id>\d+)/commands",
                self._put_guild_commands,
            ),
            (
                "GET",
                r"/applications/(?P<app_id>\d+)/guilds/(?P<guild_id>\d+)/commands",
                lambda call, app_id, guild_id: (200, self.guild_commands.get(int(guild_id), [])),
            ),
            ("POST", r"/users/@me/channels", self._create_dm),
            ("GET", rf"/channels/{c}", self._get_channel),
            ("PATCH", rf"/channels/{c}", self._edit_channel),
            ("POST", rf"/channels/{c}/messages", self._send_message),
            ("GET", rf"/channels/{c}/messages/{m}", self._get_message),
            ("PATCH", rf"/channels/{c}/messages/{m}", self._edit_channel_message),
            ("DELETE", rf"/channels/{c}/messages/{m}", self._delete_message),
            ("POST", rf"/channels/{c}/typing", lambda call, channel_id: (204, None)),
            ("PUT", rf"/channels/{c}/messages/{m}/reactions/(?P<emoji>[^/]+)/@me", self._reaction),
            ("DELETE", rf"/channels/{c}/messages/{m}/reactions/(?P<emoji>[^/]+)/@me", self._reaction),
            ("POST", rf"/channels/{c}/messages/{m}/threads", self._thread_from_message),
            ("POST", rf"/channels/{c}/threads", self._thread_without_message),
            (
                "PUT",
                rf"/channels/{c}/thread-members/(?P<user>@me|\d+)",
                lambda call, channel_id, user: (204, None),
            ),
            (
                "DELETE",
                rf"/channels/{c}/thread-members/(?P<user>@me|\d+)",
                lambda call, channel_id, user: (204, None),
            ),
            ("GET", r"/guilds/(?P<guild_id>\d+)", self._get_guild),
            ("GET", r"/guilds/(?P<guild_id>\d+)/channels", self._get_guild_channels),
            ("GET", r"/guilds/(?P<guild_id>\d+)/members/(?P<user_id>\d+)", self._get_member),
            ("POST", r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", wh, self._followup),
            ("GET", wh + r"/messages/(?P<message_id>@original|\d+)", self._webhook_message),
            ("PATCH", wh + r"/messages/(?P<message_id>@original|\d+)", self._webhook_message),
            ("DELETE", wh + r"/messages/(?P<message_id>@original|\d+)", self._webhook_message),
        )

    @staticmethod
    def _err(status: int, code: int, message: str) -> tuple[int, dict[str, Any]]:
        return status, {"message": message, "code": code}

    def _get_user(self, call: Call, user_id: str) -> tuple[int, Any]:
        if int(user_id) not in self.users:
            return self._err(404, 10013, "Unknown User")
        return 200, self.user_payload(int(user_id))

    def _gateway_bot(self, call: Call) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14400000,
                "max_concurrency": 1,
            },
        }

    def _echo_commands(self, payload: list[dict[str, Any]], existing: list[dict[str, Any]], guild_id: int | None):
        old = {c["name"]: c for c in existing}
        out = []
        for cmd in payload or []:
            item = dict(cmd)
            prev = old.get(cmd.get("name"))
            item["id"] = prev["id"] if prev else str(self.snowflake())
            item["application_id"] = str(self.APP_ID)
            item["version"] = str(self.snowflake())
            item.setdefault("type", 1)
            item.setdefault("description", "")
            item.setdefault("default_member_permissions", None)
            item.setdefault("nsfw", False)
            if guild_id:
                item["guild_id"] = str(guild_id)
            else:
                item.setdefault("contexts", None)
                item.setdefault("integration_types", [0])
            out.append(item)
        return out

    def _put_global_commands(self, call: Call, app_id: str) -> tuple[int, Any]:
        if int(app_id) != self.APP_ID:
            return self._err(403, 50001, "Missing Access")
        self.global_commands = self._echo_commands(call.json or [], self.global_commands, None)
        return 200, self.global_commands

    def _put_guild_commands(self, call: Call, app_id: str, guild_id: str) -> tuple[int, Any]:
        if int(app_id) != self.APP_ID or int(guild_id) != self.GUILD_ID:
            return self._err(403, 50001, "Missing Access")
        gid = int(guild_id)
        self.guild_commands[gid] = self._echo_commands(call.json or [], self.guild_commands.get(gid, []), gid)
        return 200, self.guild_commands[gid]

    def _create_dm(self, call: Call) -> tuple[int, Any]:
        recipient = (call.json or {}).get("recipient_id")
        if recipient is None or not str(recipient).isdigit():
            return self._err(400, 50035, "Invalid Form Body")
        return 200, self.dm_channel(int(recipient))

    def _get_channel(self, call: Call, channel_id: str) -> tuple[int, Any]:
        if int(channel_id) not in self.channels:
            return self._err(404, 10003, "Unknown Channel")
        return 200, self.channel_payload(int(channel_id))

    def _edit_channel(self, call: Call, channel_id: str) -> tuple[int, Any]:
        ch = self.channels.get(int(channel_id))
        if ch is None:
            return self._err(404, 10003, "Unknown Channel")
        body = call.json or {}
        for key in ("name", "topic", "rate_limit_per_user", "applied_tags", "flags", "nsfw"):
            if key in body:
                ch[key] = body[key]
        if "thread_metadata" in ch:
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    ch["thread_metadata"][key] = body[key]
        return 200, dict(ch)

    def _send_message(self, call: Call, channel_id: str) -> tuple[int, Any]:
        cid = int(channel_id)
        ch = self.channels.get(cid)
        if ch is None:
            return self._err(404, 10003, "Unknown Channel")
        if ch.get("type") == 15:
            return self._err(400, 50008, "Cannot send messages in a non-text channel")
        if ch.get("type") == 1:
            recipient = self._dm_recipient(cid)
            if recipient is not None and str(recipient) in self.closed_dms:
                return self._err(403, 50007, "Cannot send messages to this user")
        body = call.json or {}
        ref = body.get("message_reference")
        if (
            ref
            and ref.get("message_id")
            and ref.get("fail_if_not_exists", True)
            and int(ref["message_id"]) not in self.messages
        ):
            error = {"code": "REPLIES_UNKNOWN_MESSAGE", "message": "Unknown message"}
            return 400, {
                "message": "Invalid Form Body",
                "code": 50035,
                "errors": {"message_reference": {"_errors": [error]}},
            }
        msg = self._new_message(cid, body, files=call.files, file_data=call.file_data)
        return 200, dict(msg)

    def _channel_message(self, channel_id: int | str, message_id: int | str) -> dict[str, Any] | None:
        """A stored message reachable through the channel endpoints (ephemeral messages are not)."""
        msg = self.messages.get(int(message_id))
        if msg is None or int(msg["channel_id"]) != int(channel_id):
            return None
        if int(msg.get("flags") or 0) & EPHEMERAL:
            return None
        return msg

    def _get_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return self._err(404, 10008, "Unknown Message")
        return 200, dict(msg)

    def _edit_channel_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return self._err(404, 10008, "Unknown Message")
        if int(msg["author"]["id"]) != self.BOT_ID and set(call.json or {}) - {"flags"}:
            return self._err(403, 50005, "Cannot edit a message authored by another user")
        return 200, dict(self._edit_message(msg, call.json or {}, call.files, call.file_data))

    def _delete_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return self._err(404, 10008, "Unknown Message")
        del self.messages[int(message_id)]
        return 204, None

    def _reaction(self, call: Call, channel_id: str, message_id: str, emoji: str) -> tuple[int, Any]:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return self._err(404, 10008, "Unknown Message")
        return 204, None

    def _thread_from_message(self, call: Call, channel_id: str, message_id: str) -> tuple[int, Any]:
        cid, mid = int(channel_id), int(message_id)
        ch = self.channels.get(cid)
        if ch is None:
            return self._err(404, 10003, "Unknown Channel")
        msg = self._channel_message(cid, mid)
        if msg is None:
            return self._err(404, 10008, "Unknown Message")
        if mid in self.channels:
            return self._err(400, 160004, "A thread has already been created for this message")
        body = call.json or {}
        thread = self._thread(
            mid,
            cid,
            body.get("name") or "thread",
            thread_type=11,
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
            rate_limit_per_user=body.get("rate_limit_per_user"),
        )
        msg["thread"] = dict(thread)
        self._announce_thread(thread)
        return 201, dict(thread)

    def _announce_thread(self, thread: dict[str, Any]) -> None:
        if not self.announce_threads:
            return
        task = asyncio.get_running_loop().create_task(self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}))
        self._announcements.add(task)
        task.add_done_callback(self._announcements.discard)

    def _thread_without_message(self, call: Call, channel_id: str) -> tuple[int, Any]:
        cid = int(channel_id)
        ch = self.channels.get(cid)
        if ch is None:
            return self._err(404, 10003, "Unknown Channel")
        body = call.json or {}
        name = body.get("name") or "thread"
        if ch.get("type") in (15, 16):  # forum / media post: thread + starter message with the same id
            starter = body.get("message")
            if not isinstance(starter, dict):
                return self._err(400, 50035, "Invalid Form Body")
            tid = self.snowflake()
            thread = self._thread(
                tid,
                cid,
                name,
                thread_type=11,
                auto_archive_duration=body.get("auto_archive_duration")
                or ch.get("default_auto_archive_duration", 4320),
                applied_tags=body.get("applied_tags"),
                rate_limit_per_user=body.get("rate_limit_per_user"),
            )
            message = self._new_message(tid, starter, message_id=tid, files=call.files, file_data=call.file_data)
            thread["message_count"] = 0
            thread["last_message_id"] = str(tid)
            ch["last_message_id"] = str(tid)
            self._announce_thread(thread)
            return 201, {**thread, "message": dict(message)}
        thread = self._thread(
            self.snowflake(),
            cid,
            name,
            thread_type=int(body.get("type") or 12),
            auto_archive_duration=body.get("auto_archive_duration") or 1440,
            rate_limit_per_user=body.get("rate_limit_per_user"),
            invitable=body.get("invitable", True),
        )
        self._announce_thread(thread)
        return 201, dict(thread)

    def _get_guild(self, call: Call, guild_id: str) -> tuple[int, Any]:
        if int(guild_id) != self.GUILD_ID:
            return self._err(404, 10004, "Unknown Guild")
        guild = self.guild_payload()
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "member_count",
        ):
            guild.pop(key, None)
        return 200, guild

    def _get_guild_channels(self, call: Call, guild_id: str) -> tuple[int, Any]:
        if int(guild_id) != self.GUILD_ID:
            return self._err(404, 10004, "Unknown Guild")
        return 200, [dict(c) for c in self.channels.values() if c.get("guild_id") and c.get("type") not in (10, 11, 12)]

    def _get_member(self, call: Call, guild_id: str, user_id: str) -> tuple[int, Any]:
        if int(guild_id) != self.GUILD_ID or int(user_id) not in self.members:
            return self._err(404, 10007, "Unknown Member")
        return 200, self.member_payload(int(user_id))

    # --- interactions

    def _callback(self, call: Call, interaction_id: str, token: str) -> tuple[int, Any]:
        state = self.interactions.get(token)
        if state is None or state.id != int(interaction_id):
            return self._err(404, 10062, "Unknown interaction")
        if state.callback_type is not None:
            return self._err(400, 40060, "Interaction has already been acknowledged.")
        body = call.json or {}
        cb_type = int(body.get("type", 0))
        data = body.get("data") or {}
        state.callback_type = cb_type
        interaction = {"id": str(state.id), "type": state.type}
        resource: dict[str, Any] = {"type": cb_type}
        msg_type = 20 if state.type == APPLICATION_COMMAND else 0
        if cb_type == CB_MESSAGE:
            msg = self._new_message(
                state.channel_id,
                data,
                msg_type=msg_type,
                webhook=True,
                files=call.files,
                file_data=call.file_data,
            )
            state.original_id = int(msg["id"])
            resource["message"] = dict(msg)
            interaction.update(
                response_message_id=msg["id"],
                response_message_loading=False,
                response_message_ephemeral=bool(msg["flags"] & EPHEMERAL),
            )
        elif cb_type == CB_DEFERRED_MESSAGE:
            flags = int(data.get("flags") or 0)
            msg = self._new_message(
                state.channel_id, {"content": "", "flags": flags | LOADING}, msg_type=msg_type, webhook=True
            )
            state.original_id = int(msg["id"])
            interaction.update(
                response_message_id=msg["id"],
                response_message_loading=True,
                response_message_ephemeral=bool(flags & EPHEMERAL),
            )
        elif cb_type in (CB_DEFERRED_UPDATE, CB_UPDATE_MESSAGE):
            if state.type not in (MESSAGE_COMPONENT, MODAL_SUBMIT) or state.message_id is None:
                state.callback_type = None
                return self._err(400, 40004, "Interaction callback type requires a message")
            msg = self.messages.get(state.message_id)
            if msg is None:
                state.callback_type = None
                return self._err(404, 10008, "Unknown Message")
            state.original_id = state.message_id
            if cb_type == CB_UPDATE_MESSAGE:
                self._edit_message(msg, data, call.files, call.file_data)
                resource["message"] = dict(msg)
            interaction.update(
                response_message_id=msg["id"],
                response_message_loading=False,
                response_message_ephemeral=bool(int(msg.get("flags") or 0) & EPHEMERAL),
            )
        elif cb_type == CB_MODAL:
            if state.type == MODAL_SUBMIT:
                state.callback_type = None
                return self._err(400, 50035, "Invalid Form Body: cannot respond to a modal submit with a modal")
        elif cb_type not in (CB_PONG, CB_AUTOCOMPLETE):
            state.callback_type = None
            return self._err(400, 50035, f"Invalid Form Body: unknown callback type {cb_type}")
        return 200, {"interaction": interaction, "resource": resource}

    def _webhook_state(self, app_id: str, token: str) -> _InteractionState | None:
        state = self.interactions.get(token)
        if state is None or int(app_id) != self.APP_ID or state.callback_type is None:
            return None
        return state

    def _followup(self, call: Call, app_id: str, token: str) -> tuple[int, Any]:
        state = self._webhook_state(app_id, token)
        if state is None:
            return self._err(404, 10015, "Unknown Webhook")
        body = call.json or {}
        msg_type = 20 if state.type == APPLICATION_COMMAND else 0
        if state.callback_type == CB_DEFERRED_MESSAGE and state.original_id in self.messages:
            original = self.messages[state.original_id]
            if int(original.get("flags") or 0) & LOADING:  # first followup after a thinking defer edits it
                # Ephemerality comes from the defer; other flags (e.g. suppress embeds) from the followup.
                flags = (int(original["flags"]) & EPHEMERAL) | (int(body.get("flags") or 0) & ~EPHEMERAL)
                self._edit_message(original, {**body, "flags": flags}, call.files, call.file_data)
                original["edited_timestamp"] = None
                if call.query.get("wait") in ("0", "false", "False"):
                    return 204, None
                return 200, dict(original)
        msg = self._new_message(
            state.channel_id,
            body,
            msg_type=msg_type,
            webhook=True,
            files=call.files,
            file_data=call.file_data,
        )
        if call.query.get("wait") in ("0", "false", "False"):
            return 204, None
        return 200, dict(msg)

    def _webhook_message(self, call: Call, app_id: str, token: str, message_id: str) -> tuple[int, Any]:
        state = self._webhook_state(app_id, token)
        if state is None:
            return self._err(404, 10015, "Unknown Webhook")
        mid = state.original_id if message_id == "@original" else int(message_id)
        msg = self.messages.get(mid) if mid is not None else None
        if msg is None:
            return self._err(404, 10008, "Unknown Message")
        if call.method == "GET":
            return 200, dict(msg)
        if call.method == "DELETE":
            del self.messages[mid]
            return 204, None
        return 200, dict(self._edit_message(msg, call.json or {}, call.files, call.file_data))
