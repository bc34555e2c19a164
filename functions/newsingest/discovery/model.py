"""What parsing one discovery document yields: candidate URLs, and why anything was left out."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsingest.models import EntryHints
from newsingest.models.outcomes import Via


@dataclass(frozen=True)
class Candidate:
    """A URL that may be a new article; `revision` lets a changed entry of a known URL be refreshed."""

    url: str
    via: Via
    hints: EntryHints = field(default_factory=EntryHints)
    revision: str | None = None  # the entry's updated/lastmod, as written


@dataclass
class DocumentParse:
    """Problems are recorded, never raised: a bad document must not crash a batch."""

    kind: str  # "feed", "sitemap", "sitemapindex", "html", "unknown"
    candidates: list[Candidate]
    problems: list[str]
    feeds: list[str] = field(default_factory=list)  # autodiscovered feed URLs
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index
    truncated: bool = False  # the limit cut the candidates short
