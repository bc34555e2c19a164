"""The sources file as the running application sees it: read through a short TTL cache.

A warm Lambda container handles many batches; re-reading sources.yaml from S3 for each one
costs a GetObject per batch for a file that changes a few times a month. One minute of cache
means an edit takes effect on the next tick, as before. A file that cannot be read (S3 down, a
bad edit) keeps the last good sources for another TTL and reports why, instead of failing every
record of every batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from newsingest.models.source import Source
from newsingest.sources import SourceProblem, load_sources

SOURCES_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class SourceSet:
    """The valid sources (enabled or not) and every problem found in the file."""

    sources: tuple[Source, ...] = ()
    problems: tuple[SourceProblem, ...] = ()

    @property
    def by_id(self) -> dict[str, Source]:
        return {source.id: source for source in self.sources}

    def get(self, source_id: str) -> Source | None:
        return self.by_id.get(source_id)

    def why_unknown(self, source_id: str) -> str:
        """An operator's answer to "why is this source not there?": the file's own problems, or the known ids."""
        about = [str(p) for p in self.problems if f"id={source_id}" in p.location]
        if about:
            return "; ".join(about)
        known = ", ".join(sorted(self.by_id)) or "none"
        problems = f" ({len(self.problems)} problems in the file: {self.problems[0]})" if self.problems else ""
        return f"unknown source {source_id!r}; known: {known}{problems}"


@dataclass
class SourceCatalog:
    read: Callable[[], str]
    origin: str
    env: Mapping[str, str] = field(default_factory=dict)
    ttl: float = SOURCES_TTL_SECONDS
    clock: Callable[[], float] = time.monotonic
    _cached: SourceSet | None = None
    _read_at: float = float("-inf")

    def load(self) -> SourceSet:
        now = self.clock()
        if self._cached is not None and now - self._read_at < self.ttl:
            return self._cached
        try:
            sources, problems = load_sources(self.read(), origin=self.origin, env=self.env)
            self._cached = SourceSet(tuple(sources), tuple(problems))
        except Exception as err:  # S3 or the file unreadable: reported, the last good sources kept
            problem = SourceProblem(self.origin, f"cannot read the sources file: {err}")
            kept = self._cached.sources if self._cached else ()
            self._cached = SourceSet(kept, (problem,))
        self._read_at = now
        return self._cached
