"""Every setting debrief reads from the environment, in one typed object."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split(value: object) -> object:
    if isinstance(value, str):
        return [p.strip() for p in value.replace(",", os.pathsep).split(os.pathsep) if p.strip()]
    return value


class Settings(BaseSettings):
    """Settings read once in main(). Names are the environment variables (DEBRIEF_ prefix unless noted)."""

    model_config = SettingsConfigDict(env_prefix="DEBRIEF_", env_file=".env", extra="ignore")

    content_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    redis_url: SecretStr | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "DEBRIEF_REDIS_URL"))
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("debrief", appauthor=False)))
    timezone: str | None = None
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_mode: Literal["socket", "http"] = Field(default="socket", validation_alias="SLACK_MODE")
    slack_http_port: int = Field(default=3000, ge=1, le=65535, validation_alias="SLACK_HTTP_PORT")
    # All interfaces by default: Slack itself must reach the HTTP endpoint.
    slack_http_host: str = Field(default="0.0.0.0", validation_alias="SLACK_HTTP_HOST")
    slack_api_url: str | None = Field(default=None, validation_alias="SLACK_API_URL")

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    discord_api_base: str | None = Field(default=None, validation_alias="DISCORD_API_BASE")
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, validation_alias="DISCORD_GUILD_IDS")

    @field_validator("discord_guild_ids", mode="before")
    @classmethod
    def _split_guilds(cls, value: object) -> object:
        """Accept DISCORD_GUILD_IDS as ids separated by ',' or ':'."""
        return _split(value)

    @property
    def discord_configured(self) -> bool:
        """Whether a Discord bot token is set."""
        return self.discord_token is not None

    @property
    def slack_configured(self) -> bool:
        """Whether the tokens for the chosen Slack mode are all set."""
        if self.slack_bot_token is None:
            return False
        if self.slack_mode == "http":
            return self.slack_signing_secret is not None
        return self.slack_app_token is not None

    def slack_missing(self) -> list[str]:
        """The Slack settings still needed for the chosen mode."""
        needed = {"SLACK_BOT_TOKEN": self.slack_bot_token}
        if self.slack_mode == "http":
            needed["SLACK_SIGNING_SECRET"] = self.slack_signing_secret
        else:
            needed["SLACK_APP_TOKEN"] = self.slack_app_token
        return [name for name, value in needed.items() if value is None]

    @field_validator("content_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        """Accept DEBRIEF_CONTENT_DIRS as paths separated by ':' (os.pathsep) or ','."""
        parts = _split(value)
        return [Path(p).expanduser() for p in parts] if isinstance(parts, list) else parts

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        """Accept DEBRIEF_ADMINS as user ids separated by ',' or ':'."""
        return _split(value)
