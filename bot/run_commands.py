"""`debrief run` and `debrief practice`: start the bot, or practise in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from typing import Any

from bot.bootstrap import bootstrap
from bot.chat_port import ChatPort
from bot.embedded_redis import EmbeddedRedisError
from bot.settings import Settings
from content.loader import ContentError
from content.schema import Category
from scheduler.channel_jobs import ChannelJobs


def add_parsers(commands: Any) -> None:
    """Register `run` and `practice`."""
    run = commands.add_parser("run", help="start every configured chat platform (terminal practice without any)")
    run.add_argument("--platform", choices=["slack", "discord", "console"], help="start only this platform")
    run.set_defaults(run=run_bot)

    practice = commands.add_parser("practice", help="answer today's question in the terminal")
    target = practice.add_mutually_exclusive_group()
    target.add_argument("--category", choices=[c.value for c in Category], help="a question from this category")
    target.add_argument("--question", metavar="ID", help="this question")
    target.add_argument("--history", action="store_true", help="list your past answers with scores")
    practice.set_defaults(run=run_practice_command)


def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    """Start the configured platforms; with none configured, run terminal practice."""
    if args.platform == "slack" and not settings.slack_configured:
        missing = ", ".join(settings.slack_missing())
        print(f"Slack needs {missing} (SLACK_MODE={settings.slack_mode}); see .env.example.", file=sys.stderr)
        return 2
    if args.platform == "discord" and not settings.discord_configured:
        print("Discord needs DISCORD_TOKEN; see .env.example.", file=sys.stderr)
        return 2
    configured = [name for name, ok in (("slack", settings.slack_configured), ("discord", settings.discord_configured)) if ok]
    platforms = [args.platform] if args.platform else configured
    if not platforms or platforms == ["console"]:
        return run_practice_command(argparse.Namespace(category=None, question=None, history=False), settings)
    try:
        asyncio.run(_serve(settings, platforms))
    except (EmbeddedRedisError, ContentError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


async def _serve(settings: Settings, platforms: list[str]) -> None:
    """Run the chat platforms until SIGINT or SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with bootstrap(settings) as app:
        await app.store.ping()
        tasks = []
        ports: dict[str, ChatPort] = {}
        if "slack" in platforms:
            from handlers.slack.server import build_slack_app, serve_slack

            slack = build_slack_app(app)
            ports["slack"] = slack.port
            tasks.append(asyncio.create_task(serve_slack(app, slack, stop)))
        if "discord" in platforms:
            from handlers.discord.bot import build_discord_bot, run_discord_bot

            assert settings.discord_token is not None
            bot = build_discord_bot(app)
            ports["discord"] = bot.port
            tasks.append(asyncio.create_task(run_discord_bot(bot, settings.discord_token.get_secret_value(), stop)))
        jobs = ChannelJobs(app.coach, ports, reviews=app.reviews)
        await jobs.start()
        try:
            await asyncio.gather(*tasks)
        finally:
            await jobs.stop()


def run_practice_command(args: argparse.Namespace, settings: Settings) -> int:
    """Run one practice round (or list history) on the event loop."""
    from handlers.console.practice import run_history, run_practice
    from handlers.console.terminal import StdioTerminal

    async def main() -> int:
        async with bootstrap(settings) as app:
            terminal = StdioTerminal()
            if args.history:
                return await run_history(app, terminal)
            category = Category(args.category) if args.category else None
            return await run_practice(app, terminal, category=category, question_id=args.question)

    try:
        return asyncio.run(main())
    except (EmbeddedRedisError, ContentError) as exc:
        print(exc, file=sys.stderr)
        return 1
