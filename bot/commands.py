"""The `/debrief` subcommands, shared by every chat platform: parse, check who may, act, reply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from bot.answers import SOMETHING_WENT_WRONG
from bot.channel_settings import SETUP_KEYS, ChannelSettings, SetupError
from bot.channels import Channels
from bot.chat_port import ChatPort
from bot.coach.coach import ModelCoach
from bot.daily_post import DailyPosts
from bot.data_export import DataExports
from bot.errors import PlatformRefused, StoreUnavailable
from bot.forget_me import ForgetMe
from bot.identities import Channel, Member
from bot.members import Members
from bot.mock.rounds import MockInterviews, MockStatus, MockTurn
from bot.outbox import Outbox
from bot.progress import Progress
from bot.replies import Command, Inline, Kind, Line, Reply, Section, Setting, code, line, plain_line, say, text
from bot.standings import Standings
from bot.store.coach import CoachMode

SUBCOMMANDS = (
    "help",
    "today",
    "status",
    "streak",
    "stats",
    "leaderboard",
    "setup",
    "post",
    "skip",
    "mock",
    "pause",
    "resume",
    "me",
    "export",
    "forget-me",
)
MOCK_ACTIONS = ("skip", "repeat", "stop")
COACH_KEY = "coach"
ADMIN_ONLY = frozenset({"setup", "post", "skip"})
MAX_ARGS = 20
EXAMPLE_SETUP = (("time", "09:00"), ("tz", "Europe/Berlin"), ("days", "weekdays"))
SETUP_CHOICES = (
    "time=HH:MM",
    "tz=Area/City",
    "days=mon,tue,... or weekdays or daily",
    "tracks=behavioral,metrics or all",
    "difficulty=1-3",
    "feedback=private|public",
    "window=24h",
    "reminders=on|off",
    "digest=on|off",
    "review=on|off",
    "reviewers=named|anonymous",
    "board=all-time|weekly",
    "skip=YYYY-MM-DD,YYYY-MM-DD or none (no question and no streak effect on those dates; replaces the list)",
    "coach=rules|model (the whole workspace)",
)
log = logging.getLogger(__name__)


def usage() -> Reply:
    """What `/debrief help` shows, in each platform's own command syntax once rendered."""
    members = text(
        line(Command("today"), ": today's question in this channel, privately"),
        line(Command("status"), ": whether this channel posts, when the next question is due, and its settings"),
        line(Command("streak"), ": your streak and freezes"),
        line(Command("stats"), ": a chart of your scores over time, privately, and the criterion to work on"),
        line(Command("leaderboard", ("points",)), ": the top 10 here (points, streak, longest or reviewers)"),
        line(Command("review"), ": review a peer's answer on the same rubric"),
        line(
            Command("pause", ("7d",)),
            " or ",
            Command("pause", settings=(("until", "YYYY-MM-DD"),)),
            ": pause your streak for up to 30 days (missed questions do not break it); ",
            Command("resume"),
            " ends the pause",
        ),
        line(
            Command("me"),
            ": your own settings; ",
            Command("me", settings=(("tz", "Area/City"),)),
            " sets your timezone for your reminders and days",
        ),
        line(
            Command("mock", ("behavioral",)),
            ": a private mock interview (recruiter, behavioral, technical, xfn, "
            "leadership, metrics, system_design, or loop for all five); ",
            Command("mock", ("skip",)),
            ", ",
            Command("mock", ("repeat",)),
            " and ",
            Command("mock", ("stop",)),
            " while it runs",
        ),
        line(Command("export"), ": all your data, sent to you privately as a JSON file and a CSV of your answers"),
        line(
            Command("forget-me"),
            ": delete all your data here (asks first; reviews you wrote stay, without your name)",
        ),
        kind=Kind.BULLETS,
    )
    admins = text(
        line(
            Command("setup"),
            ": show this channel's settings; ",
            Command("setup", settings=EXAMPLE_SETUP),
            " changes them",
        ),
        line(
            Command("setup", settings=(("posting", "off"),)),
            ": stop posting here (history and streaks stay); ",
            Command("setup", settings=(("posting", "on"),)),
            " resumes",
        ),
        line(
            Command("setup", settings=(("coach", "model"),)),
            ": feedback judged by the language model this deployment set up, checked by the rules (answers then "
            "leave the workspace for that model; off by default); ",
            Command("setup", settings=(("coach", "rules"),)),
            " switches back",
        ),
        line(Command("post"), ": post today's question here now"),
        line(Command("skip"), ": skip today's question here"),
        line(
            Command("forget-me", ("@member",)),
            ": delete the data of a member who left (asks first, like ",
            Command("forget-me"),
            ")",
        ),
        kind=Kind.BULLETS,
    )
    settings = text("Settings: " + "; ".join(SETUP_CHOICES) + ".", kind=Kind.NOTE)
    return Reply(
        "How to use debrief",
        title="How to use debrief",
        sections=(
            Section("Everyone", (members,)),
            Section("Admins", (admins, settings)),
            Section(None, (text("Answer a question by replying in its thread."),)),
        ),
    )


@dataclass(frozen=True)
class CommandRequest:
    """One `/debrief ...` invocation, already translated out of the platform's payload."""

    member: Member
    channel: Channel
    name: str
    args: tuple[str, ...]
    is_platform_admin: Callable[[], Awaitable[bool]]
    port: ChatPort
    users: tuple[str, ...] = ()  # members the command names (Slack mentions, a Discord user option), by id


def parse_command_text(text_: str) -> tuple[str, tuple[str, ...]]:
    """Split `setup time=09:00 ...` into a lower-cased subcommand and its words."""
    words = text_.split()
    if not words:
        return "help", ()
    return words[0].lower(), tuple(words[1:])


async def reply_or_failure(work: Awaitable[Reply], what: str) -> Reply:
    """The reply of `work`, or a clear one when the database is down or something unexpected broke."""
    try:
        return await work
    except (StoreUnavailable, PlatformRefused) as exc:
        return say(str(exc))
    except Exception:
        log.exception("%s failed", what)
        return say(SOMETHING_WENT_WRONG)


class ChatCommands:
    """Runs subcommands against the core; every outcome is a Reply, never an exception for bad input."""

    def __init__(
        self,
        channels: Channels,
        posts: DailyPosts,
        standings: Standings,
        mocks: MockInterviews,
        progress: Progress,
        members: Members,
        admins: Sequence[str] = (),
        outbox: Outbox | None = None,
        exports: DataExports | None = None,
        forget_me: ForgetMe | None = None,
        coach: ModelCoach | None = None,
    ) -> None:
        self.channels = channels
        self.posts = posts
        self.standings = standings
        self.mocks = mocks
        self.progress = progress
        self.members = members
        self.admins = frozenset(admins)
        self.outbox = outbox
        self.exports = exports
        self.forget_me = forget_me
        self.coach = coach

    async def run(self, request: CommandRequest) -> Reply:
        """Dispatch one subcommand; unknown or malformed input gets the usage text. Never raises. Notices about
        replies that could not be delivered come first."""
        reply = await reply_or_failure(self._run(request), f"/debrief {request.name[:40]}")
        notices = await self.outbox.notices(request.member) if self.outbox is not None else []
        if not notices:
            return reply
        return replace(reply, body=(text(*notices, kind=Kind.NOTE), *reply.body))

    async def _run(self, request: CommandRequest) -> Reply:
        if request.name not in SUBCOMMANDS:
            return _with_usage(line("Unknown command ", code(request.name[:40]), "."))
        if len(request.args) > MAX_ARGS:
            return say(f"Too many words ({len(request.args)}); see ", Command("help"), ".")
        if request.name in ADMIN_ONLY and not await self._is_admin(request):
            return say(
                "Only workspace admins can use ",
                Command(request.name),
                ". Ask an admin, or see ",
                Command("help"),
                " for what you can do.",
            )
        if request.users and request.name not in ("forget-me", "export"):
            return say(Command(request.name), " does not take a member; see ", Command("help"), ".")
        handler: Callable[[CommandRequest], Awaitable[Reply]] = getattr(self, "_" + request.name.replace("-", "_"))
        return await handler(request)

    async def _is_admin(self, request: CommandRequest) -> bool:
        return await self.is_admin(request.member, request.is_platform_admin)

    async def is_admin(self, member: Member, is_platform_admin: Callable[[], Awaitable[bool]]) -> bool:
        """On the DEBRIEF_ADMINS allow-list, or an admin as the platform sees it (asked only when needed)."""
        if member.user_id in self.admins or f"{member.workspace}:{member.user_id}" in self.admins:
            return True
        return await is_platform_admin()

    async def _help(self, request: CommandRequest) -> Reply:
        if request.args:
            return _with_usage(line(code("help"), " takes no words."))
        return usage()

    async def _today(self, request: CommandRequest) -> Reply:
        return await self.posts.today_reply(request.channel)

    async def _status(self, request: CommandRequest) -> Reply:
        if request.args:
            return say(code("status"), " takes no words: it shows this channel's schedule and settings.")
        return await self.posts.status_reply(request.channel)

    async def _streak(self, request: CommandRequest) -> Reply:
        return await self.standings.streak_reply(request.member, request.channel)

    async def _stats(self, request: CommandRequest) -> Reply:
        if request.args:
            return say(code("stats"), " takes no words: it shows your own progress, privately.")
        return await self.progress.report(request.member)

    async def _leaderboard(self, request: CommandRequest) -> Reply:
        return await self.standings.leaderboard_reply(request.member, request.channel, request.args)

    async def _setup(self, request: CommandRequest) -> Reply:
        coach_words = [w for w in request.args if w.partition("=")[0].strip().lower() == COACH_KEY]
        channel_words = tuple(w for w in request.args if w not in coach_words)
        coach = await self._coach_choice(coach_words) if coach_words else None
        if isinstance(coach, Reply):
            return coach
        if not request.args:
            current = await self.channels.settings(request.channel)
            state = "Settings for this channel:" if current else "This channel is not set up; the defaults would be:"
            off = line("Posting is off here; ", Command("setup", settings=(("posting", "on"),)), " resumes it.")
            shown = await self.channels.settings_or_defaults(request.channel)
            return await self._settings_reply(request, state, shown, None if shown.active else off)
        if not channel_words:
            assert coach is not None
            await self._save_coach(request, coach)
            shown = await self.channels.settings_or_defaults(request.channel)
            return await self._settings_reply(request, _coach_saved(coach, self._model_name()), shown)
        try:
            today = self.posts.local_date(await self.channels.settings_or_defaults(request.channel))
            updated = await self.channels.configure(request.channel, channel_words, today)
        except SetupError as exc:
            what: Inline = Setting(*exc.setting) if exc.setting else code(exc.word[:80])
            return say("Nothing was changed. ", what, f": {exc.reason} (settings: {', '.join(SETUP_KEYS)}, coach)")
        if coach is not None:
            await self._save_coach(request, coach)
        if self.posts.local_date(updated) in updated.skip_dates:
            await self.posts.skip_today(request.channel)  # a question already up today stops counting
        if not updated.active:
            off = line(
                "No questions, reminders or digests here until ", Command("setup", settings=(("posting", "on"),)), "."
            )
            return await self._settings_reply(
                request, "Saved. Posting is off; history and streaks stay. The settings are:", updated, off
            )
        return await self._settings_reply(request, "Saved. This channel's settings are now:", updated)

    async def _coach_choice(self, words: Sequence[str]) -> CoachMode | Reply:
        """The coach an admin asked for, or the reply saying why it cannot be had (nothing is changed then)."""
        word = words[-1]
        value = word.partition("=")[2].strip().lower()
        if len(set(words)) > 1 or value not in ("rules", "model"):
            return say("Nothing was changed. ", Setting(COACH_KEY, value[:40]), ": coach is rules or model.")
        if value == "model" and (self.coach is None or not self.coach.available):
            return say(
                "Nothing was changed. ",
                Setting(COACH_KEY, "model"),
                ": this deployment has no model set up. Whoever runs debrief sets DEBRIEF_LLM_BASE_URL and "
                "DEBRIEF_LLM_MODEL (a hosted API or a local server such as Ollama; see the README).",
            )
        return "model" if value == "model" else "rules"

    async def _save_coach(self, request: CommandRequest, mode: CoachMode) -> None:
        if self.coach is not None:
            await self.coach.set_mode(request.member.workspace, mode)

    def _model_name(self) -> str:
        return self.coach.model_name if self.coach is not None else ""

    async def _settings_reply(
        self, request: CommandRequest, headline: str, settings: ChannelSettings, note: Line | None = None
    ) -> Reply:
        mode = await self.coach.mode(request.member.workspace) if self.coach is not None else "rules"
        coach = f"model ({self._model_name()}), for the whole workspace" if mode == "model" else "rules"
        lines = [line(Setting(key, value)) for key, value in settings.describe()]
        lines.append(line(Setting(COACH_KEY, coach)))
        notes = (text(note, kind=Kind.NOTE),) if note else ()
        return Reply(headline, body=(text(headline), text(*lines, kind=Kind.BULLETS), *notes))

    async def _post(self, request: CommandRequest) -> Reply:
        if request.args:
            return say(code("post"), " takes no words: it posts today's question in this channel.")
        return await self.posts.post_now(request.channel, request.port)

    async def _skip(self, request: CommandRequest) -> Reply:
        if request.args:
            return say(code("skip"), " takes no words: it skips today's question in this channel.")
        return await self.posts.skip_today(request.channel)

    async def _pause(self, request: CommandRequest) -> Reply:
        return await self.members.pause_reply(request.member, request.channel, request.args)

    async def _resume(self, request: CommandRequest) -> Reply:
        if request.args:
            return say(code("resume"), " takes no words: it ends your pause.")
        return await self.members.resume_reply(request.member, request.channel)

    async def _me(self, request: CommandRequest) -> Reply:
        return await self.members.me_reply(request.member, request.channel, request.args)

    async def _mock(self, request: CommandRequest) -> Reply:
        words = [w.lower() for w in request.args]
        member = request.member
        if len(words) > 2:
            return say(
                "Use ",
                Command("mock", ("behavioral",)),
                " or ",
                Command("mock", ("loop",)),
                ", or ",
                Command("mock", ("skip",)),
                ", ",
                Command("mock", ("repeat",)),
                " or ",
                Command("mock", ("stop",)),
                " while one runs.",
            )
        action = words[0] if words else ""
        if action in MOCK_ACTIONS:
            turn = await getattr(self.mocks, action)(member)
            return await self._deliver_mock(request, turn, started=False)
        if action in ("resume", "abandon"):
            turn = await self.mocks.start(member, words[1] if len(words) > 1 else "", if_open=action)
        else:
            turn = await self.mocks.start(member, action)
        return await self._deliver_mock(request, turn, started=True, wanted=action or "behavioral")

    async def _export(self, request: CommandRequest) -> Reply:
        if request.args or request.users:
            return say(
                Command("export"),
                " takes no words: it sends you your own data (nobody can export another member's).",
            )
        if self.exports is None:
            return say("Exports are not available here.")
        export = await self.exports.export(request.member)
        if await request.port.send_private_files(request.member, export.reply, export.files):
            names = " and ".join(f.filename for f in export.files)
            return say(f"Your data is in your direct messages: {names}.")
        return say("I could not reach you privately. Open your direct messages to the bot and try again.")

    async def _forget_me(self, request: CommandRequest) -> Reply:
        words = [w.lower() for w in request.args]
        if self.forget_me is None:
            return say("Deleting data is not available here.")
        if len(request.users) > 1 or (request.users and words):
            return say("Name one member, and nothing else: ", Command("forget-me", ("@member",)), ".")
        if words and words[0] == "confirm" and len(words) <= 2:
            nonce = request.args[1] if len(words) == 2 else None
            return await self.forget_me.confirm_forget(request.member, nonce, lambda: self._is_admin(request))
        if words == ["cancel"]:
            return await self.forget_me.cancel_forget(request.member)
        if words:
            return say(
                "Use ",
                Command("forget-me"),
                " to ask, then ",
                Command("forget-me", ("confirm",)),
                " (or the button) to delete; ",
                Command("forget-me", ("cancel",)),
                " keeps everything. Nothing was changed.",
            )
        target = request.users[0] if request.users else request.member.user_id
        if target != request.member.user_id and not await self._is_admin(request):
            return say(
                "Only workspace admins can delete another member's data. ",
                Command("forget-me"),
                " deletes yours.",
            )
        return await self.forget_me.ask_to_forget(request.member, Member(request.member.workspace, target))

    async def _deliver_mock(
        self, request: CommandRequest, turn: MockTurn, *, started: bool, wanted: str = "behavioral"
    ) -> Reply:
        """Mock turns go to the member privately (DM, or a private thread where DMs are closed)."""
        if turn.status in (MockStatus.UNKNOWN_ROUND, MockStatus.NO_SESSION, MockStatus.REJECTED):
            return turn.reply
        if turn.status is MockStatus.NEEDS_CHOICE:
            return say(
                turn.text,
                " Type ",
                Command("mock", ("resume",)),
                " or ",
                Command("mock", ("abandon", wanted[:40])),
                ".",
            )
        if await request.port.send_private(request.member, turn.reply):
            return say("Your mock interview continues in your direct messages." if started else "Done; see your DMs.")
        thread = await request.port.open_private_thread(request.channel, request.member, turn.reply)
        if thread is None:
            return say("I could not reach you privately. Open your direct messages to the bot and try again.")
        await self.mocks.bind(request.member, thread.thread_id)
        return say("Your DMs are closed, so your mock runs in a private thread in this channel.")


def _with_usage(first: tuple[Inline, ...]) -> Reply:
    help_ = usage()
    return Reply(plain_line(first), body=(text(first),), sections=(Section(help_.title, ()), *help_.sections))


def _coach_saved(mode: CoachMode, model_name: str) -> str:
    if mode == "model":
        return (
            f"Saved. Answers in this workspace are now judged by {model_name}, with the rules engine checking every "
            "quote and score; each answer, its question and rubric are sent to that model. Members are told the "
            "first time. This channel's settings:"
        )
    return "Saved. Answers in this workspace are judged by the rules engine only. This channel's settings:"
