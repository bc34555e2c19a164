"""Sources as configuration: adding a news site is a YAML edit, never a code change."""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="Stable id: used in keys and partitions")
    name: str
    homepage: HttpUrl
    feeds: list[HttpUrl] = Field(default_factory=list)
    sitemaps: list[HttpUrl] = Field(default_factory=list)
    section_pages: list[HttpUrl] = Field(default_factory=list)
    language: str | None = Field(None, pattern=r"^[a-z]{2}$")
    include: list[str] = Field(default_factory=list, description="Regexes; a URL must match one (if any given)")
    exclude: list[str] = Field(default_factory=list, description="Regexes; a URL matching one is skipped")
    fetch_interval_minutes: int = Field(15, ge=1, le=7 * 24 * 60)
    crawl_delay: float | None = Field(None, ge=0, le=600, description="Seconds; overrides robots.txt")
    enabled: bool = True

    @field_validator("include", "exclude")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"bad regular expression {pattern!r}: {err}") from err
        return patterns

    @property
    def fetch_interval(self) -> timedelta:
        return timedelta(minutes=self.fetch_interval_minutes)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source]
