"""Everything Redis holds about one member in one workspace: found by one scan of the workspace's keys (they all
share its hash tag, so on a cluster they all live on the node the scan asks), read for an export, and erased in one
atomic script."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.identities import Member, personal
from bot.store import keys
from bot.store.client import RedisClient, scan_slot
from bot.store.guard import lua, store_errors
from bot.store.revision_codec import decode_revision

SCAN_BATCH = 1000
# How long an unconfirmed deletion waits for its confirmation.
FORGET_REQUEST_SECONDS = 10 * 60
BOARDS = ("points", "streak", "longest", "reviewers")
# Delete a key only while it still holds the expected value (one confirmation wins).
_DELETE_IF = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


@dataclass
class Footprint:
    """What one scope (a workspace, or a Discord member's personal scope) holds about one member, and the keys and
    entries that refer to them."""

    member: Member
    answers: dict[str, dict[str, str]] = field(default_factory=dict)  # prompt id -> the answer hash
    revisions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # prompt id -> every revision
    reviews_received: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # prompt id -> reviews
    reviews_given: dict[str, dict[str, Any]] = field(default_factory=dict)  # prompt id|author -> the review
    streak: dict[str, str] = field(default_factory=dict)
    boards: dict[str, float] = field(default_factory=dict)
    name: str | None = None
    timezone: str | None = None  # their own, set with `me tz=`
    mock_session: dict[str, Any] | None = None
    mock_seen: dict[str, float] = field(default_factory=dict)
    mock_history: dict[str, list[float]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    parcels: dict[str, dict[str, Any]] = field(default_factory=dict)  # kept replies, by id
    message_links: int = 0
    forget_requests: int = 0
    # what erasing acts on
    delete: list[str] = field(default_factory=list)
    zsets: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    review_hashes: list[str] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)  # key -> the value it must still hold to be deleted
    due_entries: list[str] = field(default_factory=list)  # their private reminders in the follow-up queue

    @property
    def empty(self) -> bool:
        """Whether nothing at all refers to the member."""
        return not (
            self.delete
            or self.zsets
            or self.hashes
            or self.review_hashes
            or self.strings
            or self.parcels
            or self.due_entries
        )


@dataclass(frozen=True)
class ForgetRequest:
    """A deletion asked for and not confirmed yet."""

    target_id: str
    nonce: str


def outbox_platform(workspace: str) -> str | None:
    """The platform whose outbox may hold replies for this workspace's members."""
    platform = workspace.partition(":")[0]
    return platform if platform in ("slack", "discord") else None


def mentions(text: str, user_id: str) -> bool:
    """Whether `text` names `user_id` as a whole token (so `U1` is not found in `U10`)."""
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(user_id)}(?![A-Za-z0-9_])", text) is not None


class MemberDataStore:
    """Finds, reads and erases one member's data; keeps unconfirmed deletion requests."""

    def __init__(self, redis: RedisClient) -> None:
        self.redis = redis
        self._forget = redis.register_script(lua("bot.store", "forget_member.lua"))
        self._delete_if = redis.register_script(_DELETE_IF)
        self._drop_parcels = redis.register_script(lua("bot.store", "drop_parcels.lua"))

    async def footprints(self, member: Member, *, personal_too: bool = True) -> list[Footprint]:
        """The member's footprint in their workspace (with their kept replies), and with `personal_too` the one in
        their personal scope where that differs (Discord, where mock interviews are kept per person)."""
        found = [await self.footprint(member, outbox_platform=outbox_platform(member.workspace))]
        own = personal(member)
        if personal_too and own.workspace != member.workspace:
            found.append(await self.footprint(own))
        return found

    async def footprint(self, member: Member, *, outbox_platform: str | None = None) -> Footprint:
        """Scan the member's workspace for every key and entry about them and read what is stored there."""
        found = Footprint(member)
        prefix = keys.workspace_prefix(member.workspace)
        async with store_errors("find your data"):
            pattern, tagged = keys.workspace_pattern(member.workspace), keys.channels(member.workspace)
            names = [k async for k in scan_slot(self.redis, pattern, tagged, SCAN_BATCH)]
            for batch in _chunks(sorted(names), SCAN_BATCH):
                await self._classify(found, prefix, batch)
            if outbox_platform is not None:
                await self._parcels(found, outbox_platform)
            await self._reminders(found)
        return found

    async def _reminders(self, found: Footprint) -> None:
        """The member's private reminders in their workspace's shard of the follow-up queue."""
        queue = keys.due_events(keys.shard_of(found.member.workspace))
        async for entry, _ in self.redis.zscan_iter(queue, count=SCAN_BATCH):
            fields = json.loads(str(entry))
            if len(fields) == 4 and fields[1] == found.member.workspace and fields[3] == found.member.user_id:
                found.due_entries.append(str(entry))

    async def _classify(self, found: Footprint, prefix: str, names: list[str]) -> None:
        user = found.member.user_id
        reads: list[tuple[str, str, str]] = []  # (what, key, detail)
        for key in names:
            rest = key.removeprefix(prefix)
            kind, _, tail = rest.partition(":")
            if kind == "answer" and tail.endswith(f":{user}"):
                reads.append(("answer", key, tail.removesuffix(f":{user}")))
            elif kind == "answer" and tail.endswith(f":{user}:revisions"):
                reads.append(("revisions", key, tail.removesuffix(f":{user}:revisions")))
            elif kind == "reviews":
                prompt_id, _, author = tail.rpartition(":")
                reads.append(("received" if author == user else "given", key, f"{prompt_id}|{author}"))
            elif kind == "prompt" and tail.endswith(":answers"):
                reads.append(("answered", key, ""))
            elif (kind == "leaderboard" and tail in BOARDS) or (kind == "board" and tail.startswith("points:week:")):
                reads.append(("board", key, tail))
            elif kind == "member_zones" and not tail:
                reads.append(("zone", key, ""))
            elif kind == "prompt" and tail.endswith(":private_reminders"):
                reads.append(("reminded", key, ""))
            elif kind == "names" and not tail:
                reads.append(("name", key, ""))
            elif kind == "member" and tail.startswith(f"{user}:"):
                reads.append(("member:" + tail.removeprefix(f"{user}:"), key, ""))
            elif kind == "member" and tail.endswith(":forget"):
                reads.append(("their request", key, ""))
            elif kind == "streak" and tail == user:
                reads.append(("streak", key, ""))
            elif kind == "mock" and tail.startswith(f"{user}:"):
                reads.append(("mock:" + tail.removeprefix(f"{user}:"), key, ""))
            elif kind == "message":
                reads.append(("message", key, ""))
        if not reads:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for what, key, _ in reads:
                _queue_read(pipe, what, key, user)
            values = await pipe.execute()
        for (what, key, detail), value in zip(reads, values, strict=True):
            _take(found, what, key, detail, value)

    async def _parcels(self, found: Footprint, platform: str) -> None:
        member = found.member
        raw = await self.redis.hgetall(keys.outbox_parcels(platform, keys.shard_of(member.workspace)))
        for parcel_id, text in raw.items():
            parcel = json.loads(str(text))
            owner = parcel.get("member") or ["", ""]
            if owner[0] != member.workspace:
                continue
            if owner[1] == member.user_id or mentions(json.dumps(parcel.get("request")), member.user_id):
                found.parcels[str(parcel_id)] = parcel

    async def erase(self, found: Footprint, anonymous_id: str, *, outbox_platform: str | None = None) -> int:
        """Delete what `found` lists in one atomic script (and the member's kept replies); how many reviews the
        member wrote were kept as anonymous. Safe to run again."""
        user = found.member.user_id
        script_keys = [*found.delete, *found.zsets, *found.hashes, *found.review_hashes, *found.strings]
        counts = [len(found.delete), len(found.zsets), len(found.hashes), len(found.review_hashes)]
        anonymised = 0
        shard = keys.shard_of(found.member.workspace)
        async with store_errors("delete your data"):
            if script_keys:
                anonymised = int(
                    await self._forget(keys=script_keys, args=[user, anonymous_id, *counts, *found.strings.values()])
                )
            if found.due_entries:
                await self.redis.zrem(keys.due_events(shard), *found.due_entries)
            if found.parcels and outbox_platform is not None:
                # the workspace's outbox shard: a slot of its own, so a script of its own
                await self._drop_parcels(
                    keys=[keys.outbox_due(outbox_platform, shard), keys.outbox_parcels(outbox_platform, shard)],
                    args=list(found.parcels),
                )
        return anonymised

    async def ask_to_forget(self, requester: Member, target_id: str, nonce: str) -> None:
        """Keep a deletion request until it is confirmed or expires (a newer request replaces it)."""
        payload = json.dumps({"target": target_id, "nonce": nonce})
        async with store_errors("save your request"):
            await self.redis.set(keys.forget_request(requester), payload, ex=FORGET_REQUEST_SECONDS)

    async def take_forget_request(self, requester: Member, nonce: str | None) -> ForgetRequest | None:
        """The requester's pending deletion, removed as it is taken; None when there is none, it expired, or
        `nonce` names another (an older button)."""
        key = keys.forget_request(requester)
        async with store_errors("read your request"):
            raw = await self.redis.get(key)
            if not raw:
                return None
            request = json.loads(str(raw))
            if nonce is not None and request.get("nonce") != nonce:
                return None
            if not await self._release(key, str(raw)):
                return None  # taken by a concurrent confirmation
        return ForgetRequest(str(request["target"]), str(request["nonce"]))

    async def _release(self, key: str, expected: str) -> bool:
        return bool(await self._delete_if(keys=[key], args=[expected]))

    async def cancel_forget_request(self, requester: Member) -> bool:
        """Drop the requester's pending deletion; whether there was one."""
        async with store_errors("cancel your request"):
            return bool(await self.redis.delete(keys.forget_request(requester)))


def _queue_read(pipe: Any, what: str, key: str, user: str) -> None:
    """Queue the read that tells what one key holds about the member."""
    if what in ("answer", "streak", "received"):
        pipe.hgetall(key)
    elif what in ("revisions", "member:undelivered") or what.startswith("mock:history:"):
        pipe.lrange(key, 0, -1)
    elif what in ("given", "name", "zone"):
        pipe.hget(key, user)
    elif what == "reminded":
        pipe.sismember(key, user)
    elif what in ("answered", "board"):
        pipe.zscore(key, user)
    elif what in ("mock:seen", "member:answers"):
        pipe.zrange(key, 0, -1, withscores=True)
    elif what in ("mock:session", "their request", "message", "member:forget"):
        pipe.get(key)
    else:  # any other key of the member: it goes
        pipe.exists(key)


def _take(found: Footprint, what: str, key: str, detail: str, value: Any) -> None:
    """Note one read key in the footprint: what to export, and what erasing must do with it."""
    user = found.member.user_id
    if what == "answer":
        found.answers[detail] = {str(k): str(v) for k, v in value.items()}
        found.delete.append(key)
    elif what == "revisions":
        found.revisions[detail] = [decode_revision(r) for r in value]
        found.delete.append(key)
    elif what == "received":
        found.reviews_received[detail.partition("|")[0]] = [json.loads(str(v)) for v in value.values()]
        found.delete.append(key)
    elif what == "given":
        if value:
            found.reviews_given[detail] = json.loads(str(value))
            found.review_hashes.append(key)
    elif what in ("answered", "board", "name"):
        if value is not None:
            (found.zsets if what != "name" else found.hashes).append(key)
            if what == "board":
                found.boards[detail] = float(value)
            elif what == "name":
                found.name = str(value)
    elif what == "zone":
        if value:
            found.hashes.append(key)
            found.timezone = str(value)
    elif what == "reminded":
        if value:
            found.zsets.append(key)  # a plain set; the erasing script removes the member from either kind
    elif what == "streak":
        found.streak = {str(k): str(v) for k, v in value.items()}
        found.delete.append(key)
    elif what == "member:undelivered":
        found.notices = [str(n) for n in value]
        found.delete.append(key)
    elif what == "mock:session":
        found.mock_session = json.loads(str(value)) if value else None
        found.delete.append(key)
    elif what == "mock:seen":
        found.mock_seen = {str(q): float(at) for q, at in value}
        found.delete.append(key)
    elif what.startswith("mock:history:"):
        found.mock_history[what.removeprefix("mock:history:")] = [float(s) for s in value]
        found.delete.append(key)
    elif what == "their request":
        if value and json.loads(str(value)).get("target") == user:
            found.strings[key] = str(value)
            found.forget_requests += 1
    elif what == "message":
        if value and str(value).rpartition("|")[2] == user:
            found.strings[key] = str(value)
            found.message_links += 1
    elif what.startswith(("member:", "mock:")):
        found.delete.append(key)


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
