"""Every setting debrief reads from the environment, in one typed object."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Settings read once in main(); names are the environment variables without the prefix."""

    model_config = SettingsConfigDict(env_prefix="DEBRIEF_", env_file=".env", extra="ignore")

    content_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list)

    @field_validator("content_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        """Accept DEBRIEF_CONTENT_DIRS as a path list separated by ':' (os.pathsep) or ','."""
        if isinstance(value, str):
            parts = value.replace(",", os.pathsep).split(os.pathsep)
            return [Path(p.strip()).expanduser() for p in parts if p.strip()]
        return value
