"""Sources as configuration: adding a news site is a YAML edit, never a code change."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

import re2
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

_PYTHON_END = re.compile(r"(?<!\\)((?:\\\\)*)\\Z")  # Python's \Z is RE2's \z (an odd run of backslashes)
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the reason goes into the ValueError, not to stderr


@lru_cache(maxsize=1024)
def url_pattern(pattern: str):
    """An include/exclude pattern compiled by RE2: matching time is linear in the URL, whatever the
    pattern (`(a+)+$` cannot backtrack), because an operator's typo must not stall discovery."""
    try:
        return re2.compile(_PYTHON_END.sub(r"\1\\z", pattern), _RE2_OPTIONS)
    except (re2.error, UnicodeError) as err:
        detail = err.args[0].decode() if err.args and isinstance(err.args[0], bytes) else str(err)
        raise ValueError(
            f"bad regular expression {pattern!r}: {detail} (patterns are matched by RE2 in linear time: "
            "no backreferences, lookahead or lookbehind)"
        ) from err


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
    robots_sitemaps: bool = Field(
        False,
        description="Also discover from the sitemaps robots.txt lists, on every run (a backfill always reads them)",
    )
    enabled: bool = True

    @field_validator("include", "exclude")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            url_pattern(pattern)
        return patterns

    @property
    def fetch_interval(self) -> timedelta:
        return timedelta(minutes=self.fetch_interval_minutes)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[Source]
