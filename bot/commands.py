"""The `/debrief` subcommands, shared by every chat platform: parse, check who may, act, reply."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from bot.channels import SETUP_KEYS, ChannelSettings, SetupError
from bot.chat_port import ChatPort, Reply, Section
from bot.coach import Coach
from bot.daily_post import PostStatus, question_reply
from bot.identities import Channel, Member
from bot.mock.rounds import MockInterviews, MockStatus, MockTurn

SUBCOMMANDS = ("help", "today", "streak", "leaderboard", "setup", "post", "skip", "mock")
MOCK_ACTIONS = ("skip", "repeat", "stop", "resume", "abandon")
ADMIN_ONLY = frozenset({"setup", "post", "skip"})
BOARDS = ("points", "streak", "longest", "reviewers")
MAX_ARGS = 20

USAGE = (
    "*How to use debrief*\n"
    "`/debrief today`: today's question in this channel, privately\n"
    "`/debrief streak`: your streak and freezes\n"
    "`/debrief leaderboard [points|streak|longest|reviewers]`: the top 10 here\n"
    "`/debrief review`: review a peer's answer on the same rubric\n"
    "`/debrief mock [round|loop]`: a private mock interview (rounds: recruiter, behavioral, technical, "
    "xfn, leadership, metrics, system_design, or loop for all five); `mock skip|repeat|stop` while it runs\n"
    "Admins:\n"
    "`/debrief setup`: show this channel's settings; `/debrief setup key=value ...` changes them "
    "(time=09:00 tz=Europe/Berlin days=weekdays tracks=behavioral,metrics difficulty=1-3 "
    "feedback=private|public window=24h reminders=on|off digest=on|off review=on|off reviewers=named|anonymous)\n"
    "`/debrief post`: post today's question here now\n"
    "`/debrief skip`: skip today's question here\n"
    "Answer a question by replying in its thread."
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


def parse_command_text(text: str) -> tuple[str, tuple[str, ...]]:
    """Split `setup time=09:00 ...` into a lower-cased subcommand and its words."""
    words = text.split()
    if not words:
        return "help", ()
    return words[0].lower(), tuple(words[1:])


class ChatCommands:
    """Runs subcommands against the core; every outcome is a Reply, never an exception for bad input."""

    def __init__(self, coach: Coach, mocks: MockInterviews, admins: Sequence[str] = ()) -> None:
        self.coach = coach
        self.mocks = mocks
        self.admins = frozenset(admins)

    async def run(self, request: CommandRequest) -> Reply:
        """Dispatch one subcommand; unknown or malformed input gets the usage text."""
        if request.name not in SUBCOMMANDS:
            return Reply(f"Unknown command `{request.name[:40]}`.\n\n{USAGE}")
        if len(request.args) > MAX_ARGS:
            return Reply(f"Too many words ({len(request.args)}); see `/debrief help`.")
        if request.name in ADMIN_ONLY and not await self._is_admin(request):
            return Reply(
                f"Only workspace admins can use `/debrief {request.name}`. "
                "Ask an admin, or see `/debrief help` for what you can do."
            )
        handler = getattr(self, f"_{request.name}")
        reply: Reply = await handler(request)
        return reply

    async def _is_admin(self, request: CommandRequest) -> bool:
        member = request.member
        if member.user_id in self.admins or f"{member.workspace}:{member.user_id}" in self.admins:
            return True
        return await request.is_platform_admin()

    async def _settings(self, channel: Channel) -> ChannelSettings:
        return await self.coach.channel_settings(channel) or ChannelSettings()

    async def _help(self, request: CommandRequest) -> Reply:
        if request.args:
            return Reply(f"`help` takes no words.\n\n{USAGE}")
        return Reply(USAGE)

    async def _today(self, request: CommandRequest) -> Reply:
        settings = await self.coach.channel_settings(request.channel)
        if settings is None:
            return Reply("This channel has no daily question yet. An admin can start one with `/debrief post`.")
        prompts = await self.coach.todays_prompts(request.channel, settings)
        if not prompts:
            at = settings.post_time.strftime("%H:%M")
            return Reply(f"No question here yet today. It is due at {at} ({settings.timezone}).")
        question = self.coach.bank.question(prompts[0].question_id)
        return question_reply(self.coach.bank, question, window=timedelta(hours=settings.window_hours), private=True)

    async def _streak(self, request: CommandRequest) -> Reply:
        settings = await self._settings(request.channel)
        streak = await self.coach.streak(request.member, settings)
        return Reply(f"Your streak: {streak.describe()}")

    async def _leaderboard(self, request: CommandRequest) -> Reply:
        board = request.args[0].lower() if request.args else "points"
        if board not in BOARDS or len(request.args) > 1:
            return Reply(f"Leaderboards: {', '.join(BOARDS)}. Try `/debrief leaderboard streak`.")
        settings = await self._settings(request.channel)
        result = await self.coach.leaderboard(request.member.workspace, board, settings)
        if not result.rows:
            return Reply("Nobody is on this leaderboard yet. Answer today's question to be first.")
        unit = {"points": "points", "streak": "days", "longest": "days", "reviewers": "review points"}[board]
        lines = [f"{rank}. {row.name}: {row.value} {unit}" for rank, row in enumerate(result.rows, start=1)]
        title = {"points": "Points", "streak": "Current streaks", "longest": "Longest streaks",
                 "reviewers": "Top reviewers"}[board]
        return Reply(f"{title} leaderboard", sections=(Section(title, "\n".join(lines), from_members=True),))

    async def _setup(self, request: CommandRequest) -> Reply:
        if not request.args:
            current = await self.coach.channel_settings(request.channel)
            described = "\n".join(f"{k}={v}" for k, v in (current or ChannelSettings()).describe())
            state = "Settings for this channel" if current else "This channel is not set up; the defaults would be"
            return Reply(f"{state}:", sections=(Section(None, described),))
        try:
            updated = await self.coach.configure_channel(request.channel, request.args)
        except SetupError as exc:
            return Reply(f"Nothing was changed. {exc} (settings: {', '.join(SETUP_KEYS)})")
        described = "\n".join(f"{k}={v}" for k, v in updated.describe())
        return Reply("Saved. This channel's settings are now:", sections=(Section(None, described),))

    async def _post(self, request: CommandRequest) -> Reply:
        if request.args:
            return Reply("`post` takes no words: it posts today's question in this channel.")
        settings = await self.coach.channel_settings(request.channel)
        if settings is None:
            settings = ChannelSettings()
            await self.coach.store.save_channel_settings(request.channel, settings)
        outcome = await self.coach.post_daily_prompt(request.channel, settings, request.port)
        if outcome.status is PostStatus.POSTED:
            return Reply(f"Posted today's question ({outcome.prompt.question_id if outcome.prompt else ''}).")
        if outcome.status is PostStatus.SKIPPED:
            return Reply("Today was skipped in this channel, so nothing was posted.")
        return Reply("Today's question is already posted in this channel; there is one a day.")

    async def _skip(self, request: CommandRequest) -> Reply:
        if request.args:
            return Reply("`skip` takes no words: it skips today's question in this channel.")
        settings = await self._settings(request.channel)
        outcome = await self.coach.skip_today(request.channel, settings)
        if outcome.prompt is not None:
            return Reply("Skipped. Today's question stays up, but not answering it will not break anyone's streak.")
        return Reply("Skipped. No question will be posted here today.")

    async def _mock(self, request: CommandRequest) -> Reply:
        words = [w.lower() for w in request.args]
        member = request.member
        if len(words) > 2:
            return Reply("Use `/debrief mock [round|loop]`, or `mock skip|repeat|stop` while one runs.")
        action = words[0] if words else ""
        if action in ("skip", "repeat", "stop"):
            turn = await getattr(self.mocks, action)(member)
            return await self._deliver_mock(request, turn, started=False)
        if action in ("resume", "abandon"):
            turn = await self.mocks.start(member, words[1] if len(words) > 1 else "", if_open=action)
        else:
            turn = await self.mocks.start(member, action)
        return await self._deliver_mock(request, turn, started=True)

    async def _deliver_mock(self, request: CommandRequest, turn: MockTurn, *, started: bool) -> Reply:
        """Mock turns go to the member privately (DM, or a private thread where DMs are closed)."""
        if turn.status in (MockStatus.UNKNOWN_ROUND, MockStatus.NO_SESSION, MockStatus.REJECTED):
            return Reply(turn.text)
        if turn.status is MockStatus.NEEDS_CHOICE:
            return Reply(f"{turn.text} Type `/debrief mock resume` or `/debrief mock abandon <round>`.")
        message = Reply(turn.text)
        if await request.port.send_private(request.member, message):
            return Reply("Your mock interview continues in your direct messages." if started else "Done; see your DMs.")
        thread = await request.port.open_private_thread(request.channel, request.member, message)
        if thread is None:
            return Reply("I could not reach you privately. Open your direct messages to the bot and try again.")
        await self.mocks.bind(request.member, thread.thread_id)
        return Reply("Your DMs are closed, so your mock runs in a private thread in this channel.")
