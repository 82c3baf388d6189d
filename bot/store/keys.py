"""Every Redis key debrief uses, built here and nowhere else.

All keys start with `debrief:` and carry the workspace as a hash tag (`debrief:{slack:T1}:...`), so every
key one operation touches lives in the same Redis Cluster slot. The few keys that serve every workspace (the
workspace registry, the follow-up queue, the outboxes) are split into SHARDS keys, each with a hash tag of its
own (`debrief:{due:7:12}`), so they spread over a cluster's nodes; a workspace always lands in the same shard and
readers go through all of them.
"""

from __future__ import annotations

from functools import cache
from itertools import count
from zlib import crc32

from redis.crc import REDIS_CLUSTER_HASH_SLOTS, key_slot

from bot.identities import Channel, Member

PREFIX = "debrief"
EVENT_TTL_SECONDS = 24 * 3600
# Long enough to outlive a prompt's answer window and the week it stays open for review.
MESSAGE_OWNER_TTL_SECONDS = 14 * 24 * 3600
WEEK_POINTS_TTL_SECONDS = 8 * 7 * 24 * 3600


def _tag(workspace: str) -> str:
    if "{" in workspace or "}" in workspace:
        raise ValueError(f"workspace id may not contain braces: {workspace!r}")
    return f"{PREFIX}:{{{workspace}}}"


SHARDS = 16


def shard_of(workspace: str) -> int:
    """The shard a workspace's entries in the cross-workspace keys live in (stable across processes)."""
    return crc32(workspace.encode("utf-8")) % SHARDS


def shards() -> range:
    """Every shard number, for readers of the cross-workspace keys."""
    return range(SHARDS)


@cache
def _shard_tag(kind: str, shard: int) -> str:
    """`kind:shard:n` with the first n whose slot lies in the shard's own 1/SHARDS of the slot range, so the shards
    of one key spread evenly over nodes that each own a run of slots (as `redis-cli --cluster create` deals them)."""
    if not 0 <= shard < SHARDS:
        raise ValueError(f"no shard {shard}: there are {SHARDS}")
    width = REDIS_CLUSTER_HASH_SLOTS // SHARDS
    for n in count():
        tag = f"{kind}:{shard}:{n}"
        if key_slot(tag.encode()) // width == shard:
            return tag
    raise AssertionError("unreachable")


def workspaces(shard: int) -> str:
    """One shard of the set of every workspace with configured channels (read by the scheduler)."""
    return f"{PREFIX}:{{{_shard_tag('workspaces', shard)}}}"


def due_events(shard: int) -> str:
    """One shard of the timed follow-ups (window closes, reminders) across workspaces, scored by due time."""
    return f"{PREFIX}:{{{_shard_tag('due', shard)}}}"


def done(workspace: str, kind: str, item: str) -> str:
    """Marker that a timed follow-up was handled (the exactly-once guard for closes, reminders, digests)."""
    return f"{_tag(workspace)}:done:{kind}:{item}"


def channels(workspace: str) -> str:
    """Set of the workspace's configured channel ids."""
    return f"{_tag(workspace)}:channels"


def welcomed(channel: Channel) -> str:
    """Set while the bot's welcome in a channel is recent, so joining again (or twice at once) posts it once."""
    return f"{_tag(channel.workspace)}:channel:{channel.channel_id}:welcomed"


def channel_settings(channel: Channel) -> str:
    """JSON of a channel's settings."""
    return f"{_tag(channel.workspace)}:channel:{channel.channel_id}:settings"


def channel_prompts(channel: Channel) -> str:
    """Sorted set: prompt ids of a channel scored by local day number."""
    return f"{_tag(channel.workspace)}:channel:{channel.channel_id}:prompts"


def channel_asked(channel: Channel) -> str:
    """List of question ids the channel was asked, oldest first (the rotation history)."""
    return f"{_tag(channel.workspace)}:channel:{channel.channel_id}:asked"


def post_claim(channel: Channel, local_date: str) -> str:
    """Who holds a channel's local date: `posting`, `posted` or `skipped` (the exactly-once guard)."""
    return f"{_tag(channel.workspace)}:channel:{channel.channel_id}:claim:{local_date}"


def prompt(workspace: str, prompt_id: str) -> str:
    """Hash of one daily prompt."""
    return f"{_tag(workspace)}:prompt:{prompt_id}"


def prompt_answers(workspace: str, prompt_id: str) -> str:
    """Sorted set: members who answered a prompt, scored by their latest overall score."""
    return f"{_tag(workspace)}:prompt:{prompt_id}:answers"


def thread(channel: Channel, thread_id: str) -> str:
    """The prompt id a platform thread belongs to."""
    return f"{_tag(channel.workspace)}:thread:{channel.channel_id}:{thread_id}"


def answer(workspace: str, prompt_id: str, user_id: str) -> str:
    """Hash of one member's answer to one prompt (current text, score, points)."""
    return f"{_tag(workspace)}:answer:{prompt_id}:{user_id}"


def answer_revisions(workspace: str, prompt_id: str, user_id: str) -> str:
    """List of every revision of an answer with its time, text and feedback; append-only."""
    return f"{_tag(workspace)}:answer:{prompt_id}:{user_id}:revisions"


def member_chart(member: Member) -> str:
    """The platform's id of the member's latest progress chart, shown in their home."""
    return f"{_tag(member.workspace)}:member:{member.user_id}:chart"


def member_answers(member: Member) -> str:
    """Sorted set: a member's answer keys' prompt ids scored by first-answer time."""
    return f"{_tag(member.workspace)}:member:{member.user_id}:answers"


def streak(member: Member) -> str:
    """Hash of a member's streak: current, longest, freezes, last_day, settled_through, pause_from, pause_until."""
    return f"{_tag(member.workspace)}:streak:{member.user_id}"


def member_zones(workspace: str) -> str:
    """Hash: user id -> the member's own timezone (members without one follow their channel's)."""
    return f"{_tag(workspace)}:member_zones"


def private_reminders(workspace: str, prompt_id: str) -> str:
    """Set of members reminded privately about a prompt (they are left out of its thread reminder)."""
    return f"{_tag(workspace)}:prompt:{prompt_id}:private_reminders"


def question_days(workspace: str) -> str:
    """Sorted set of the workspace's question days (local day numbers); other days never break streaks."""
    return f"{_tag(workspace)}:question_days"


def week_points(workspace: str, week: int) -> str:
    """Points earned in one week (its Monday's day number) for the weekly board; expires after a few weeks."""
    return f"{_tag(workspace)}:board:points:week:{week}"


def leaderboard(workspace: str, board: str) -> str:
    """Sorted set of members for one board: points, streak or longest."""
    if board not in ("points", "streak", "longest", "reviewers"):
        raise ValueError(f"unknown leaderboard {board!r}")
    return f"{_tag(workspace)}:leaderboard:{board}"


def mock_session(member: Member) -> str:
    """JSON of a member's open mock interview (expires after 48 hours idle)."""
    return f"{_tag(member.workspace)}:mock:{member.user_id}:session"


def mock_seen(member: Member) -> str:
    """Sorted set: questions a member was asked in mocks, scored by when."""
    return f"{_tag(member.workspace)}:mock:{member.user_id}:seen"


def mock_history(member: Member, round_id: str) -> str:
    """List of a member's past overall scores for one mock round, oldest first."""
    return f"{_tag(member.workspace)}:mock:{member.user_id}:history:{round_id}"


def reviews(workspace: str, prompt_id: str, author_id: str) -> str:
    """Hash: reviewer id -> JSON review of one member's answer to one prompt (one review per reviewer)."""
    return f"{_tag(workspace)}:reviews:{prompt_id}:{author_id}"


def member_names(workspace: str) -> str:
    """Hash: user id -> last seen display name, for leaderboards."""
    return f"{_tag(workspace)}:names"


def event(workspace: str, event_id: str) -> str:
    """Marker that an inbound platform event was handled (expires after 24 hours)."""
    return f"{_tag(workspace)}:event:{event_id}"


def message_owner(channel: Channel, message_id: str) -> str:
    """Which member's answer (and to which prompt) a thread message belongs to: `prompt id|user id`."""
    return f"{_tag(channel.workspace)}:message:{channel.channel_id}:{message_id}"


def outbox_due(platform: str, shard: int) -> str:
    """When each kept reply of a platform's shard is next due to be sent (one slot for the pair below)."""
    return f"{PREFIX}:{{{_shard_tag(f'outbox:{platform}', shard)}}}:due"


def outbox_parcels(platform: str, shard: int) -> str:
    """The kept replies of a platform's shard, by id."""
    return f"{PREFIX}:{{{_shard_tag(f'outbox:{platform}', shard)}}}:parcels"


def legacy_shared() -> tuple[str, str]:
    """The unsharded registry and follow-up queue of earlier versions, moved into shards at start-up."""
    return f"{PREFIX}:workspaces", f"{PREFIX}:due"


def legacy_outbox(platform: str) -> tuple[str, str]:
    """A platform's unsharded outbox (due times, parcels) of earlier versions, moved into shards at start-up."""
    return f"{PREFIX}:{{outbox:{platform}}}:due", f"{PREFIX}:{{outbox:{platform}}}:parcels"


def undelivered(member: Member) -> str:
    """What a member should hear about replies that could not be delivered."""
    return f"{_tag(member.workspace)}:member:{member.user_id}:undelivered"


def forget_request(member: Member) -> str:
    """JSON of a deletion a member asked for and has not confirmed yet (whose data, the button's nonce)."""
    return f"{_tag(member.workspace)}:member:{member.user_id}:forget"


def installed_bot(workspace: str) -> str:
    """JSON of the bot a workspace (or an org, `slack:E…`) installed through the install flow: token, scopes."""
    return f"{_tag(workspace)}:install:bot"


def installers(workspace: str) -> str:
    """Hash: `latest` and `user:{id}` -> JSON of the installations made in a workspace through the install flow."""
    return f"{_tag(workspace)}:install:installers"


def oauth_state(state: str) -> str:
    """When an install flow's state was issued; it is consumed once and expires (not per workspace: none is known
    yet)."""
    return f"{PREFIX}:oauth_state:{state}"


def workspace_pattern(workspace: str) -> str:
    """A SCAN pattern matching every key of one workspace (its hash tag), glob characters escaped."""
    tag = _tag(workspace)
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in tag) + ":*"


def workspace_prefix(workspace: str) -> str:
    """What every key of one workspace starts with."""
    return f"{_tag(workspace)}:"


def coach(workspace: str) -> str:
    """Who judges answers in a workspace: `rules` (the default when absent) or `model`."""
    return f"{_tag(workspace)}:coach"


def model_requests(workspace: str, day: str) -> str:
    """How many model requests a workspace made on one UTC day (its daily budget)."""
    return f"{_tag(workspace)}:coach:requests:{day}"


def coach_notice(member: Member) -> str:
    """Set once a member has been told their answers go to the workspace's model."""
    return f"{_tag(member.workspace)}:member:{member.user_id}:coach_notice"
