"""Every setting debrief reads from the environment, in one typed object."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

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
