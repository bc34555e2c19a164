"""From parsed candidates to the URLs worth a dedup lookup: canonical, on the source, wanted.

Every candidate dropped here comes back with its SkipReason and a sentence, so nothing
disappears silently. Duplicates within one run (the same story in the feed, the sitemap and
the home page) are not skips: they collapse into one candidate carrying the richest hints.
"""

from __future__ import annotations

from dataclasses import replace

from newsingest.discovery.model import Candidate
from newsingest.discovery.urls import canonicalize, same_site
from newsingest.models import EntryHints, SkipReason, Source
from newsingest.models.source import url_pattern

Skipped = tuple[Candidate, SkipReason, str]


def filter_candidates(source: Source, candidates) -> tuple[list[Candidate], list[Skipped]]:
    """(kept, in first-seen order with canonical URLs; skipped with reasons)."""
    sites = [str(source.homepage), *map(str, source.section_pages)]
    include = [url_pattern(p) for p in source.include]
    exclude = [url_pattern(p) for p in source.exclude]
    kept: dict[str, Candidate] = {}
    skipped: list[Skipped] = []
    for candidate in candidates:
        url = canonicalize(candidate.url)
        if url is None:
            skipped.append((candidate, SkipReason.BAD_URL, f"not a usable http(s) URL: {candidate.url!r}"))
        elif not any(same_site(url, site) for site in sites):
            skipped.append((candidate, SkipReason.OFF_SOURCE, f"{url} is not on {source.homepage}"))
        elif reason := _pattern_reason(url, include, exclude):
            skipped.append((candidate, SkipReason.EXCLUDED, reason))
        elif url in kept:
            kept[url] = _merge(kept[url], candidate)
        else:
            kept[url] = replace(candidate, url=url)
    return list(kept.values()), skipped


def _pattern_reason(url: str, include: list, exclude: list) -> str | None:
    if include and not any(p.search(url) for p in include):
        return "matches none of the source's include patterns"
    for pattern in exclude:
        if pattern.search(url):
            return f"matches the source's exclude pattern {pattern.pattern!r}"
    return None


def _merge(first: Candidate, other: Candidate) -> Candidate:
    """Keep where the URL was first found; the richer hints win, gaps filled from the other."""
    rich, poor = (other.hints, first.hints) if _richness(other.hints) > _richness(first.hints) else (
        first.hints, other.hints)  # fmt: skip
    hints = EntryHints(**{name: getattr(rich, name) or getattr(poor, name) for name in EntryHints.model_fields})
    return replace(first, hints=hints, revision=first.revision or other.revision)


def _richness(hints: EntryHints) -> int:
    return sum(value is not None for value in hints.model_dump().values())
