"""Building each chat adapter from the core: the adapter gets its configuration and only the use cases it needs."""

from __future__ import annotations

from bot.app.bootstrap import Core
from bot.app.settings import Settings
from handlers.discord.bot import DebriefBot, DiscordConfig, DiscordUseCases
from handlers.discord.endpoints import use_api_base
from handlers.discord.runner import DiscordRunner
from handlers.slack.config import SlackConfig
from handlers.slack.installations import RedisInstallationStore
from handlers.slack.listeners import SlackUseCases
from handlers.slack.oauth_state import RedisOAuthStateStore
from handlers.slack.server import STATE_SECONDS, InstallStores, SlackApp, SlackRunner, build_slack_app


def slack_config(settings: Settings) -> SlackConfig:
    """The Slack adapter's configuration from SLACK_* settings."""
    return SlackConfig(
        bot_token=settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None,
        app_token=settings.slack_app_token.get_secret_value() if settings.slack_app_token else None,
        signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else "",
        mode=settings.slack_mode,
        http_host=settings.slack_http_host,
        http_port=settings.slack_http_port,
        api_url=settings.slack_api_url,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else None,
    )


def slack_app(core: Core) -> SlackApp:
    """The Bolt app over the core (nothing started)."""
    use_cases = SlackUseCases(
        core.commands,
        core.answers,
        core.posts,
        core.reviews,
        core.mocks,
        core.home,
        core.standings,
        core.outbox,
        core.onboarding,
        core.strong_answers,
        core.metrics,
    )
    config = slack_config(core.settings)
    installs = None
    if config.installs:
        redis = core.stores.redis
        installs = InstallStores(RedisInstallationStore(redis), RedisOAuthStateStore(redis, STATE_SECONDS, core.clock))
    return build_slack_app(config, use_cases, installs)


def slack_runner(core: Core) -> SlackRunner:
    """Slack, ready for the process runner."""
    return SlackRunner(slack_app(core), slack_config(core.settings))


def discord_config(settings: Settings, guild_ready_timeout: float = 2.0) -> DiscordConfig:
    """The Discord adapter's configuration from DISCORD_* settings."""
    token = settings.discord_token.get_secret_value() if settings.discord_token else ""
    return DiscordConfig(token, settings.discord_api_base, tuple(settings.discord_guild_ids), guild_ready_timeout)


def discord_bot(core: Core, guild_ready_timeout: float = 2.0) -> DebriefBot:
    """The discord.py bot over the core (nothing connected); points discord.py at DISCORD_API_BASE first."""
    config = discord_config(core.settings, guild_ready_timeout)
    use_api_base(config.api_base)
    use_cases = DiscordUseCases(
        core.commands,
        core.answers,
        core.posts,
        core.reviews,
        core.mocks,
        core.bank,
        core.outbox,
        core.onboarding,
        core.strong_answers,
        core.metrics,
    )
    return DebriefBot(use_cases, config)


def discord_runner(core: Core) -> DiscordRunner:
    """Discord, ready for the process runner."""
    return DiscordRunner(discord_bot(core))
