"""`debrief run` and `debrief practice`: start the bot, or practise in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot.app.bootstrap import Core, bootstrap
from bot.app.health import HealthServer
from bot.app.logs import configure_logging
from bot.app.metrics import MetricsPage
from bot.app.platform_runner import PlatformRunner
from bot.app.retry import until_reachable
from bot.app.settings import Settings
from bot.errors import StartRefused, StoreUnavailable
from handlers.console.terminal import StdioTerminal
from scheduler.channel_jobs import ChannelJobs

log = logging.getLogger("debrief")
NO_PLATFORM = (
    "No chat platform is configured and there is no terminal to practise in. Set SLACK_BOT_TOKEN and "
    "SLACK_APP_TOKEN (Socket Mode), SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET with SLACK_MODE=http, "
    "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET for workspaces that install the app, or "
    "DISCORD_TOKEN; see .env.example."
)
# Stopping must finish within 5 seconds whatever is running: these budgets add up to less.
JOBS_GRACE_SECONDS = 2.0
PLATFORM_STOP_SECONDS = 1.0
STRAGGLER_GRACE_SECONDS = 1.0


def add_parsers(commands: Any) -> None:
    """Register `run` and `practice`."""
    run = commands.add_parser("run", help="start every configured chat platform (terminal practice without any)")
    run.add_argument("--platform", choices=["slack", "discord", "console"], help="start only this platform")
    run.set_defaults(run=run_bot)

    practice = commands.add_parser("practice", help="answer today's question in the terminal")
    target = practice.add_mutually_exclusive_group()
    target.add_argument(
        "--category", metavar="CATEGORY", help="a question from this category (see `debrief content list`)"
    )
    target.add_argument("--question", metavar="ID", help="this question")
    target.add_argument("--history", action="store_true", help="list your past answers with scores")
    practice.add_argument(
        "--chart",
        metavar="PNG",
        type=Path,
        help="with --history: also write your progress chart (scores over time, criteria by week) to this file",
    )
    target.add_argument(
        "--export", metavar="FILE", type=Path, help="write all your data to FILE (JSON), your answers beside it (CSV)"
    )
    target.add_argument("--forget", action="store_true", help="delete all your data (asks you to confirm first)")
    practice.set_defaults(run=run_practice_command)


def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    """Start the configured platforms; with none configured, run terminal practice (if there is a terminal)."""
    if args.platform == "slack" and not settings.slack_configured:
        missing = ", ".join(settings.slack_missing())
        print(f"{missing}: needed to run Slack (SLACK_MODE={settings.slack_mode}); see .env.example", file=sys.stderr)
        return 2
    if args.platform == "discord" and not settings.discord_configured:
        print("DISCORD_TOKEN: needed to run Discord; see .env.example", file=sys.stderr)
        return 2
    configured = [
        name for name, ok in (("slack", settings.slack_configured), ("discord", settings.discord_configured)) if ok
    ]
    platforms = [args.platform] if args.platform else configured
    if not platforms or platforms == ["console"]:
        if args.platform != "console" and not sys.stdin.isatty():
            print(NO_PLATFORM, file=sys.stderr)
            return 2
        return run_practice_command(
            argparse.Namespace(category=None, question=None, history=False, chart=None, export=None, forget=False),
            settings,
        )
    configure_logging(settings.log_level, settings.log_format)
    return asyncio.run(serve(settings, platforms))


async def serve(settings: Settings, platforms: list[str]) -> int:
    """Run the chat platforms and the scheduler until SIGINT or SIGTERM; the exit status."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, _on_signal, stop)
    async with bootstrap(settings) as core:
        try:
            await core.stores.ping()
            moved = await core.stores.schedule.move_legacy_keys()
        except StoreUnavailable:
            print(f"REDIS_URL: cannot reach {settings.redis_address()}; is Redis running there?", file=sys.stderr)
            return 2  # like any setting that points nowhere usable
        if moved:
            log.info("moved %d entries of the shared keys into their shards", moved)
        if core.coach.available:
            log.info(
                "model feedback available to workspaces that choose it (setup coach=model): %s, timeout %g s, "
                "%d requests per workspace a day",
                core.coach.model_name,
                core.coach.timeout,
                core.coach.daily_budget,
            )
        runners = _runners(core, platforms)
        jobs = ChannelJobs(
            core.scheduled, {r.name: r.port for r in runners}, refresh_seconds=settings.schedule_refresh_seconds
        )
        health = _health(settings, core, runners, jobs)
        if health is not None:
            await health.start()
        try:
            return await _serve_until_stopped(runners, jobs, stop)
        finally:
            if health is not None:
                await health.stop()


def _on_signal(stop: asyncio.Event) -> None:
    if stop.is_set():  # a second Ctrl-C: the operator does not want to wait
        log.warning("stopping now")
        raise SystemExit(130)
    log.info("stopping")
    stop.set()


async def _serve_until_stopped(runners: list[PlatformRunner], jobs: ChannelJobs, stop: asyncio.Event) -> int:
    startup = asyncio.create_task(_start(runners, jobs))
    stopping = asyncio.create_task(stop.wait())
    watchers: list[asyncio.Task[Any]] = []
    status = 0
    try:
        done, _ = await asyncio.wait({startup, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if startup in done:
            watchers = [asyncio.create_task(w()) for w in _watchers(runners)]
            startup.result()
            log.info("debrief is running (%s)", ", ".join(r.name for r in runners))
            done, _ = await asyncio.wait({stopping, *watchers}, return_when=asyncio.FIRST_COMPLETED)
            for watcher in watchers:
                if watcher in done:
                    watcher.result()
    except StartRefused as exc:
        print(exc, file=sys.stderr)
        status = 2
    finally:
        for task in (startup, stopping, *watchers):
            task.cancel()
        await asyncio.gather(startup, stopping, *watchers, return_exceptions=True)
        await _shut_down(runners, jobs)
    return status


async def _start(runners: list[PlatformRunner], jobs: ChannelJobs) -> None:
    """Check every platform's credentials (retrying while unreachable), start the scheduler, then connect."""
    await asyncio.gather(*(until_reachable(r.name.capitalize(), r.check, log) for r in runners))
    await jobs.start()
    await asyncio.gather(*(r.start() for r in runners))


def _watchers(runners: list[PlatformRunner]) -> list[Callable[[], Coroutine[Any, Any, None]]]:
    """Platforms whose connection can end for good (a revoked token mid-run) are watched."""
    return [w for w in (getattr(r, "wait", None) for r in runners) if w is not None]


async def _shut_down(runners: list[PlatformRunner], jobs: ChannelJobs) -> None:
    """Finish or release running jobs, disconnect, then give in-flight replies a moment before cancelling."""
    await asyncio.gather(
        jobs.stop(grace=JOBS_GRACE_SECONDS),
        *(asyncio.wait_for(r.stop(), PLATFORM_STOP_SECONDS) for r in runners),
        return_exceptions=True,
    )
    me = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
    if others:
        _, pending = await asyncio.wait(others, timeout=STRAGGLER_GRACE_SECONDS)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


def _runners(core: Core, platforms: list[str]) -> list[PlatformRunner]:
    """The adapters for the chosen platforms (imported only when used: each SDK takes time to load)."""
    from bot.app import adapters

    runners: list[PlatformRunner] = []
    if "slack" in platforms:
        runners.append(adapters.slack_runner(core))
    if "discord" in platforms:
        runners.append(adapters.discord_runner(core))
    return runners


def _health(settings: Settings, core: Core, runners: list[PlatformRunner], jobs: ChannelJobs) -> HealthServer | None:
    if not settings.health_port:
        return None

    async def redis() -> bool:
        await core.stores.ping()
        return True

    async def scheduler() -> bool:
        return jobs.running

    checks = {"redis": redis, "scheduler": scheduler, **{r.name: r.connected for r in runners}}
    return HealthServer(settings.health_host, settings.health_port, checks, metrics_page(core, runners))


def metrics_page(core: Core, runners: Sequence[PlatformRunner]) -> MetricsPage:
    """The process's /metrics: its registry, with each running platform's outbox depth read at scrape time."""
    return MetricsPage(core.metrics, [r.name for r in runners], core.outbox.pending)


def run_practice_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run one practice round (or list history) on the event loop."""
    from handlers.console.practice import Practice, run_export, run_forget, run_history, run_practice

    if getattr(args, "chart", None) is not None and not args.history:
        print("--chart goes with --history: debrief practice --history --chart progress.png", file=sys.stderr)
        return 2

    async def main() -> int:
        terminal = StdioTerminal()
        _interrupt_on_ctrl_c(terminal)
        async with bootstrap(settings) as core:
            practice = Practice(
                core.bank,
                core.posts,
                core.answers,
                settings.timezone,
                settings.data_dir,
                progress=core.progress,
                exports=core.exports,
                forget_me=core.forget_me,
                coach=core.coach,
            )
            if args.history:
                return await run_history(practice, terminal, chart=getattr(args, "chart", None))
            if args.export is not None:
                return await run_export(practice, terminal, args.export)
            if args.forget:
                return await run_forget(practice, terminal)
            category = args.category
            if category is not None and category not in core.bank.categories:
                print(f"unknown category '{category}' (one of: {', '.join(core.bank.categories)})", file=sys.stderr)
                return 2
            return await run_practice(practice, terminal, category=category, question_id=args.question)

    return asyncio.run(main())


def _interrupt_on_ctrl_c(terminal: StdioTerminal) -> None:
    """Ctrl-C interrupts the question being answered (the first time) or the process (the second time)."""
    pressed = 0

    def on_sigint() -> None:
        nonlocal pressed
        pressed += 1
        if pressed > 1:
            raise KeyboardInterrupt
        terminal.interrupt()

    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, on_sigint)
