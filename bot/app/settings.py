"""Every setting debrief reads from the environment, in one typed object, validated at start."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.channel_settings import known_zone

REDIS_SCHEMES = ("redis", "rediss", "unix")
# Settings whose values are never echoed back, not even in an error.
SECRET_SETTINGS = frozenset(
    {
        "REDIS_URL",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_CLIENT_SECRET",
        "DISCORD_TOKEN",
        "DEBRIEF_LLM_API_KEY",
    }
)


class SettingError(ValueError):
    """A setting that cannot be used; the message names the setting and why, never its secret value."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def _split(value: object) -> object:
    if isinstance(value, str):
        return [p.strip() for p in value.replace(",", os.pathsep).split(os.pathsep) if p.strip()]
    return value


def zone_setting(value: str) -> str:
    """The value if it names an IANA time zone; ValueError saying so otherwise."""
    if not known_zone(value):
        raise ValueError(f"unknown time zone '{value[:60]}' (use Area/City, e.g. Europe/Berlin)")
    return value


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL")
    return value


class Settings(BaseSettings):
    """Settings read once in main(). Names are the environment variables (DEBRIEF_ prefix unless noted)."""

    # Empty values count as unset, so a copied .env.example with blanks behaves like no .env at all.
    model_config = SettingsConfigDict(env_prefix="DEBRIEF_", env_file=".env", extra="ignore", env_ignore_empty=True)

    content_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    redis_url: SecretStr | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "DEBRIEF_REDIS_URL"))
    # REDIS_URL names one node of a Redis Cluster; the client finds the others from it.
    redis_cluster: bool = Field(default=False, validation_alias=AliasChoices("REDIS_CLUSTER", "DEBRIEF_REDIS_CLUSTER"))
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("debrief", appauthor=False)))
    timezone: str | None = None
    admins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # How often each replica re-reads channel settings: a setup made through another replica is live this soon.
    schedule_refresh_seconds: float = Field(default=30, ge=0.5, le=3600)
    health_port: int = Field(default=8080, ge=0, le=65535)
    # All interfaces by default: an orchestrator probes the container from outside.
    health_host: str = "0.0.0.0"

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", validation_alias="LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", validation_alias="LOG_FORMAT")

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    slack_mode: Literal["socket", "http"] = Field(default="socket", validation_alias="SLACK_MODE")
    slack_http_port: int = Field(default=3000, ge=1, le=65535, validation_alias="SLACK_HTTP_PORT")
    # All interfaces by default: Slack itself must reach the HTTP endpoint.
    slack_http_host: str = Field(default="0.0.0.0", validation_alias="SLACK_HTTP_HOST")
    slack_api_url: str | None = Field(default=None, validation_alias="SLACK_API_URL")
    # With these two (and no SLACK_BOT_TOKEN) workspaces install the app through the install flow (OAuth).
    slack_client_id: str | None = Field(default=None, validation_alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_CLIENT_SECRET")

    # An OpenAI-compatible Chat Completions server (a hosted API, or Ollama, vLLM, llama.cpp's server) that
    # workspaces may choose to judge answers with (`setup coach=model`).
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_timeout_seconds: float = Field(default=8.0, gt=0, le=120, allow_inf_nan=False)
    llm_daily_budget: int = Field(default=500, ge=1, le=1_000_000)

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    discord_api_base: str | None = Field(default=None, validation_alias="DISCORD_API_BASE")
    discord_guild_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias="DISCORD_GUILD_IDS"
    )

    @field_validator("log_level", "log_format", "slack_mode", mode="before")
    @classmethod
    def _case(cls, value: object, info: Any) -> object:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @field_validator("discord_guild_ids", mode="before")
    @classmethod
    def _split_guilds(cls, value: object) -> object:
        """Accept DISCORD_GUILD_IDS as ids separated by ',' or ':'."""
        parts = _split(value)
        if isinstance(parts, list):
            for part in parts:
                if not str(part).isascii() or not str(part).isdigit():
                    raise ValueError(f"'{str(part)[:30]}' is not a server id (digits, separated by commas)")
        return parts

    @field_validator("content_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        """Accept DEBRIEF_CONTENT_DIRS as paths separated by ':' (os.pathsep) or ','."""
        parts = _split(value)
        return [Path(p).expanduser() for p in parts] if isinstance(parts, list) else parts

    @field_validator("content_dirs")
    @classmethod
    def _dirs_exist(cls, value: list[Path]) -> list[Path]:
        for path in value:
            if not path.is_dir():
                raise ValueError(f"{path} is not a directory")
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        """Accept DEBRIEF_ADMINS as user ids separated by ',' or ':'."""
        return _split(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else zone_setting(value)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        try:
            parts = urlsplit(value.get_secret_value())
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise ValueError("not a valid URL (expected redis://[:password@]host:6379/0)") from None
        if parts.scheme not in REDIS_SCHEMES:
            raise ValueError("must start with redis://, rediss:// or unix:// (e.g. redis://localhost:6379/0)")
        if parts.scheme != "unix" and not parts.hostname:
            raise ValueError("names no host (expected redis://[:password@]host:6379/0)")
        if parts.scheme == "unix" and not parts.path:
            raise ValueError("names no socket path (expected unix:///path/to/redis.sock)")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be the Bot User OAuth Token, which starts with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token with connections:write, which starts with xapp-")
        return value

    @field_validator("discord_token", "slack_signing_secret", "slack_client_secret")
    @classmethod
    def _one_word(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().split()) != 1:
            raise ValueError("must be a single word without spaces")
        return value

    @field_validator("llm_model")
    @classmethod
    def _model_name(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or len(value) > 200 or any(c.isspace() for c in value.strip())):
            raise ValueError("must be the model's name as the server knows it, e.g. llama3.1:8b or gpt-4o-mini")
        return value.strip() if value is not None else None

    @field_validator("slack_api_url", "discord_api_base", "llm_base_url")
    @classmethod
    def _urls(cls, value: str | None) -> str | None:
        return _http_url(value)

    @field_validator("llm_base_url")
    @classmethod
    def _no_credentials_in_url(cls, value: str | None) -> str | None:
        """Request URLs end up in logs: a key belongs in DEBRIEF_LLM_API_KEY."""
        if value is not None and "@" in urlsplit(value).netloc:
            raise ValueError("must not carry a user or password; put the key in DEBRIEF_LLM_API_KEY")
        return value

    @field_validator("slack_client_id")
    @classmethod
    def _client_id(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9]+\.[0-9]+", value.strip()):
            raise ValueError("must be the app's Client ID from Basic Information (digits, a dot, digits)")
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _complete_slack(self) -> Settings:
        """Half a Slack set-up is a mistake to report, not a reason to quietly run without Slack."""
        if self.slack_installs:
            if self.slack_bot_token is not None:
                raise ValueError(
                    "SLACK_BOT_TOKEN: set it for one workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for "
                    "workspaces that install the app, not both"
                )
            if self.slack_mode != "http" and "slack_mode" in self.model_fields_set:
                raise ValueError("SLACK_MODE: the install flow (SLACK_CLIENT_ID) serves HTTP; set it to http or unset")
            self.slack_mode = "http"
            missing = self.slack_missing()
            if missing:
                raise ValueError(
                    f"{missing[0]}: needed too for workspaces to install the app (SLACK_CLIENT_ID, "
                    "SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET); see .env.example"
                )
            return self
        given = [self.slack_bot_token, self.slack_app_token, self.slack_signing_secret]
        if any(v is not None for v in given):
            missing = self.slack_missing()
            if missing:
                raise ValueError(
                    f"{missing[0]}: needed too for Slack in {self.slack_mode} mode (SLACK_MODE); see .env.example"
                )
        return self

    @model_validator(mode="after")
    def _complete_model(self) -> Settings:
        """A model needs both where it is served and which one it is."""
        if self.llm_base_url is not None and self.llm_model is None:
            raise ValueError("DEBRIEF_LLM_MODEL: needed with DEBRIEF_LLM_BASE_URL (the model's name, e.g. llama3.1:8b)")
        if self.llm_model is not None and self.llm_base_url is None:
            raise ValueError(
                "DEBRIEF_LLM_BASE_URL: needed with DEBRIEF_LLM_MODEL (e.g. http://localhost:11434/v1 for Ollama)"
            )
        if self.llm_api_key is not None and self.llm_base_url is None:
            raise ValueError("DEBRIEF_LLM_BASE_URL: needed with DEBRIEF_LLM_API_KEY (where the model is served)")
        return self

    @model_validator(mode="after")
    def _cluster_needs_a_node(self) -> Settings:
        """A cluster is reached over the network through one of its nodes; the private Redis is no cluster."""
        if self.redis_cluster:
            url = self.redis_url.get_secret_value() if self.redis_url is not None else ""
            if urlsplit(url).scheme not in ("redis", "rediss"):
                raise ValueError("REDIS_CLUSTER: needs REDIS_URL naming one node (redis://host:port) of the cluster")
        return self

    @property
    def slack_installs(self) -> bool:
        """Whether workspaces install the app through the install flow (SLACK_CLIENT_ID or SLACK_CLIENT_SECRET set)."""
        return self.slack_client_id is not None or self.slack_client_secret is not None

    @property
    def model_configured(self) -> bool:
        """Whether a model is set up for workspaces to choose (`setup coach=model`)."""
        return self.llm_base_url is not None and self.llm_model is not None

    @property
    def discord_configured(self) -> bool:
        """Whether a Discord bot token is set."""
        return self.discord_token is not None

    @property
    def slack_configured(self) -> bool:
        """Whether the tokens for the chosen Slack mode (or the install flow) are all set."""
        return (self.slack_bot_token is not None or self.slack_installs) and not self.slack_missing()

    def slack_missing(self) -> list[str]:
        """The Slack settings still needed for the chosen mode, or for the install flow."""
        if self.slack_installs:
            installs = {
                "SLACK_CLIENT_ID": self.slack_client_id,
                "SLACK_CLIENT_SECRET": self.slack_client_secret,
                "SLACK_SIGNING_SECRET": self.slack_signing_secret,
            }
            return [name for name, value in installs.items() if value is None]
        needed: dict[str, object] = {"SLACK_BOT_TOKEN": self.slack_bot_token}
        if self.slack_mode == "http":
            needed["SLACK_SIGNING_SECRET"] = self.slack_signing_secret
        else:
            needed["SLACK_APP_TOKEN"] = self.slack_app_token
        return [name for name, value in needed.items() if value is None]

    def redis_address(self) -> str:
        """REDIS_URL without its password, for messages."""
        if self.redis_url is None:
            return "the embedded redis-server"
        parts = urlsplit(self.redis_url.get_secret_value())
        if parts.scheme == "unix":
            return f"unix://{parts.path}"
        return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def env_name(field: str) -> str:
    """The environment variable behind a Settings field."""
    info = Settings.model_fields[field]
    alias = info.validation_alias
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"DEBRIEF_{field.upper()}"


def load_settings(**overrides: Any) -> Settings:
    """Read and validate every setting; raise SettingError naming the first bad one (never its secret)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise _setting_error(exc) from None


def _setting_error(exc: ValidationError) -> SettingError:
    error = exc.errors(include_url=False)[0]
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    location = [str(part) for part in error.get("loc", ())]
    if not location:  # a rule across settings names its setting itself
        name, _, reason = message.partition(": ")
        return SettingError(name, reason)
    name = env_name(location[0]) if location[0] in Settings.model_fields else location[0]
    kind = error.get("type")
    if kind == "literal_error":
        message = "must be " + message.removeprefix("Input should be ")
    elif kind in ("int_parsing", "int_type"):
        message = "must be a whole number"
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        message = message.replace("Input should be", "must be")
    elif kind == "finite_number":
        message = "must be a number of seconds"
    elif kind == "float_parsing":
        message = "must be a number"
    given = error.get("input")
    if (
        name not in SECRET_SETTINGS
        and isinstance(given, str)
        and kind
        in (
            "literal_error",
            "int_parsing",
            "float_parsing",
            "finite_number",
            "greater_than_equal",
            "less_than_equal",
            "greater_than",
            "less_than",
        )
    ):
        message += f" (got '{given[:60]}')"
    return SettingError(name, message)
