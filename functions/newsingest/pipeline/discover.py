"""Discover one source, as named steps around the pure discovery core.

  run             robots gate, then the documents, then the URLs, then the source's next state
  plan_documents  feeds, sitemaps and section pages (or the homepage); children join as found
  fetch_document  a polite, conditional GET; None (with the problem recorded) when unusable
  parse           the document's candidates and child documents, capped by MAX_URLS_PER_DISCOVERY
  filter          include/exclude patterns and robots.txt; skips recorded with their reason once
  claim_and_enqueue  the two-phase hand-off (docs/commit.md): claim (conditional), send, confirm

A run stops starting document fetches when the Lambda's remaining time cannot cover one more
and still claim and enqueue what it found: the rest waits for the next run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from newsingest.discovery.documents import parse_document
from newsingest.discovery.filters import filter_candidates
from newsingest.discovery.model import Candidate
from newsingest.discovery.robots import Robots, sitemaps_to_read
from newsingest.discovery.state import DocumentState, SourceState, conditional_headers, observe
from newsingest.fetching.fetcher import Fetcher, FetchError, FetchResult
from newsingest.models.messages import ArticleTask
from newsingest.models.outcomes import SkipReason, UrlStatus, Via
from newsingest.models.source import Source
from newsingest.pipeline.politeness import HostBusy, Politeness
from newsingest.storage.queues import QueueSender
from newsingest.storage.stores import Repositories
from newsingest.storage.urls import KnownUrl

RECLAIM_AFTER = timedelta(minutes=15)  # a claim still unconfirmed after this (3x the discover timeout) is resent
MAX_HINT_CHARS = 1_000  # a feed's title hint in a message: SQS messages are capped at 256 KB
MAX_CHILD_DOCUMENTS = 50  # sitemap-index children and autodiscovered feeds followed per run
# Seconds of Lambda time a document fetch (the fetcher's total deadline) plus claiming and
# enqueueing what was found need; with less left, no further document is started.
DOCUMENT_RESERVE_SECONDS = 40.0


@dataclass
class DiscoveryReport:
    source_id: str
    documents: int = 0
    not_modified: int = 0
    candidates: int = 0
    new: int = 0
    refreshed: int = 0
    known: int = 0
    skipped: Counter = field(default_factory=Counter)  # SkipReason -> count
    problems: list[str] = field(default_factory=list)
    failed_documents: int = 0

    def problem(self, url: str, what: object, *, failed: bool = False) -> None:
        self.problems.append(f"{url}: {what}")
        self.failed_documents += failed


@dataclass
class Discovery:
    source: Source
    tick: datetime
    fetcher: Fetcher
    repos: Repositories
    queue: QueueSender
    politeness: Politeness
    max_urls: int
    since: date | None = None  # a backfill: everything published since then, no conditional GETs
    progress: Callable[[str, int], None] | None = None  # (document URL, URLs found): a progress bar
    remaining: Callable[[], float] | None = None  # the Lambda's remaining seconds
    correlation_id: str | None = None  # carried into every message, so the process logs join the tick's

    def __post_init__(self) -> None:
        self.report = DiscoveryReport(self.source.id)
        self.known: dict[str, KnownUrl] = {}
        self.parsed: set[str] = set()  # documents parsed this run
        self.unsettled = False  # a URL this run found is neither queued nor final: read its documents again

    @property
    def since_dt(self) -> datetime | None:
        return datetime.combine(self.since, datetime.min.time(), tzinfo=self.tick.tzinfo) if self.since else None

    def run(self) -> DiscoveryReport:
        """One discovery of the source, then its next state (documents' validators, health) saved."""
        self.state = self.repos.source_states.get(self.source.id)
        self.documents: dict[str, DocumentState] = dict(self.state.documents)
        robots = self.politeness.robots(str(self.source.homepage), self.tick)
        if robots.mode == "disallow_all":  # robots.txt answered 5xx/429 or not at all: a failed run
            self.report.problem("robots.txt", "unavailable (5xx, 429 or unreachable): nothing fetched", failed=True)
            self.save_state()
            return self.report
        candidates = self.collect(robots)
        self.report.candidates = len(candidates)
        allowed = self.filter(candidates, robots)
        self.claim_and_enqueue(allowed)  # raises part-way: the state is not saved, so the next run re-reads
        self.save_state()  # the documents (no 304) and claims what this one could not
        return self.report

    # -- documents ---------------------------------------------------------------------------

    def plan_documents(self) -> list[str]:
        """Feeds, sitemaps and section pages; a source with none of them is discovered from its homepage."""
        source = self.source
        documents = [str(u) for u in (*source.feeds, *source.sitemaps, *source.section_pages)]
        return documents or [str(source.homepage)]

    def collect(self, robots: Robots) -> list[Candidate]:
        """Every document's candidates, following children (sitemap indexes, autodiscovered feeds)."""
        pending = self.plan_documents() + sitemaps_to_read(robots, self.source, backfill=self.since is not None)
        limit = len(pending) + MAX_CHILD_DOCUMENTS
        seen: set[str] = set()
        candidates: list[Candidate] = []
        while pending and len(seen) < limit:
            url = pending.pop(0)
            if url in seen:
                continue
            if not self.time_for_another_document():
                self.report.problem(url, "not fetched: the Lambda's time is nearly up; the next run reads it")
                break
            seen.add(url)
            result = self.fetch_document(url, robots)
            if result is None:
                continue
            found, children = self.parse(url, result, room=self.max_urls - len(candidates))
            candidates.extend(found)
            pending.extend(child for child in children if child not in seen)
        return candidates

    def time_for_another_document(self) -> bool:
        return self.remaining is None or self.remaining() > DOCUMENT_RESERVE_SECONDS

    def fetch_document(self, url: str, robots: Robots) -> FetchResult | None:
        """A polite, conditional GET of one document; None when there is nothing to parse."""
        if not robots.allowed(url):
            self.report.problem(url, "disallowed by robots.txt")
            return None
        try:
            self.politeness.wait_turn(url, self.source, robots)
        except HostBusy as busy:
            self.report.problem(url, busy, failed=True)
            return None
        previous = self.documents.get(url)
        sent = conditional_headers(previous, self.tick) if self.since is None else {}  # a backfill reads all
        self.report.documents += 1
        try:
            result = self.fetcher.get(url, sent)
        except FetchError as err:
            self.report.problem(url, err.detail, failed=True)
            return None
        waited = self.politeness.back_off(url, result)
        if waited is not None or (result.status != 304 and not 200 <= result.status < 300):
            held = f", host held back {waited:.0f} s" if waited is not None else ""
            self.report.problem(url, f"HTTP {result.status}{held}", failed=True)
            return None
        self.documents[url], changed = observe(previous, result.status, result.headers, result.body, self.tick, sent)
        if not changed and self.since is None:  # a backfill reads a document even when it has not changed
            self.report.not_modified += 1
            return None
        self.parsed.add(url)
        return result

    def parse(self, url: str, result: FetchResult, room: int) -> tuple[list[Candidate], list[str]]:
        """The document's candidates (at most `room` more this run) and the child documents it names."""
        parsed = parse_document(
            result.body, result.final_url, result.content_type, limit=self.max_urls, since=self.since_dt
        )
        self.report.problems.extend(f"{url}: {p}" for p in parsed.problems)
        found = [c for c in parsed.candidates if self.since_dt is None or _published_since(c, self.since_dt)]
        if parsed.truncated or len(found) > room:  # every kind of document, not only sitemaps
            self.report.problem(url, f"over {self.max_urls} entries this run; the rest waits for the next run")
            found = found[: max(0, room)]
        if self.progress:
            self.progress(url, len(found))
        return found, parsed.sitemaps + parsed.feeds

    # -- URLs --------------------------------------------------------------------------------

    def filter(self, candidates: list[Candidate], robots: Robots) -> list[Candidate]:
        """The candidates to claim; the rest are recorded as skipped with their reason, once
        (a URL skipped on an earlier run for the same reason is not written again on every tick)."""
        kept, skipped = filter_candidates(self.source, candidates)
        allowed = []
        for candidate in kept:
            if robots.allowed(candidate.url):
                allowed.append(candidate)
            else:
                skipped.append((candidate, SkipReason.ROBOTS_DISALLOWED, "disallowed by robots.txt"))
        self.known = self.repos.urls.known([c.url for c in allowed] + [c.url for c, _r, _d in skipped])
        for candidate, reason, _detail in skipped:
            seen = self.known.get(candidate.url)
            if seen is None or (seen.status, seen.reason) != (UrlStatus.SKIPPED, reason.value):
                self.report.skipped[reason] += 1
                self.repos.urls.mark(
                    candidate.url, UrlStatus.SKIPPED, source_id=self.source.id, reason=reason.value, now=self.tick
                )
        return allowed

    def claim_and_enqueue(self, candidates: list[Candidate]) -> None:
        """Claim what needs queueing, send it, confirm it queued. Whatever was claimed is sent even
        when a claim fails part-way; the error is raised after, so the message comes back for the rest."""
        tasks, error = self.claim(candidates)
        self.enqueue(tasks)
        if error is not None:
            raise error

    def claim(self, candidates: list[Candidate]) -> tuple[list[ArticleTask], Exception | None]:
        """Only unknown, changed or abandoned URLs take a (conditional) write; known ones cost nothing more."""
        tasks: list[ArticleTask] = []
        for candidate in candidates:
            try:
                task = self.claim_one(candidate, self.known.get(candidate.url))
            except Exception as err:  # throttled past botocore's retries: stop, send what is claimed
                return tasks, err
            if task is not None:
                tasks.append(task)
            else:
                self.report.known += 1
        return tasks, None

    def claim_one(self, candidate: Candidate, seen: KnownUrl | None) -> ArticleTask | None:
        urls, via = self.repos.urls, Via.BACKFILL if self.since else Via(candidate.via)
        if seen is None:
            if urls.claim(candidate.url, self.source.id, candidate.revision, self.tick):
                self.report.new += 1
                return self.task(candidate, via)
        elif seen.status == UrlStatus.CLAIMED:  # another discoverer's, in flight, or abandoned by a dead one
            if _abandoned(seen, self.tick) and urls.reclaim(seen, self.tick):
                return self.task(candidate, via if seen.article_id is None else Via.REFRESH)
            self.unsettled = True
        elif _changed(candidate, seen) and urls.claim_revision(candidate.url, candidate.revision, self.tick):
            self.report.refreshed += 1
            return self.task(candidate, Via.REFRESH)
        return None

    def enqueue(self, tasks: list[ArticleTask]) -> None:
        """Send the claimed URLs' messages (batched by count and bytes), then mark them queued; a
        message that could not be sent has its claim released, so a later run finds the URL as
        before. A URL left `claimed` by a crash between the two is sent again by a later run."""
        _sent, failed = self.queue.send_each(tasks)
        failed_at = {i for i, _err in failed}
        self.unsettled |= bool(failed)
        for i, err in failed:
            self.report.problem(tasks[i].url, f"not queued: {err}")
            self.repos.urls.release(tasks[i].url, self.known.get(tasks[i].url), self.tick)
        self.repos.urls.confirm_queued([t.url for i, t in enumerate(tasks) if i not in failed_at], self.tick)

    def task(self, candidate: Candidate, via: Via) -> ArticleTask:
        title = (candidate.hints.title or "")[:MAX_HINT_CHARS] or None
        return ArticleTask(
            url=candidate.url,
            source_id=self.source.id,
            discovered_at=self.tick,
            discovered_via=via,
            hints=candidate.hints.model_copy(update={"title": title}),
            revision=candidate.revision,
            correlation_id=self.correlation_id,
        )

    # -- state -------------------------------------------------------------------------------

    def save_state(self) -> None:
        """The documents' validators are kept only when every URL they gave is queued or final: a
        conditional GET must not hide a URL that still needs sending (a failed send, a claim in flight)."""
        documents = self.documents
        if self.unsettled:
            documents = {url: doc for url, doc in documents.items() if url not in self.parsed}
        self.repos.source_states.put(next_state(self.state, documents, self.report, self.tick))


def next_state(
    state: SourceState, documents: Mapping[str, DocumentState], report: DiscoveryReport, tick: datetime
) -> SourceState:
    all_failed = report.documents > 0 and report.failed_documents == report.documents
    return state.model_copy(
        update={
            "documents": dict(documents),
            "first_run_at": state.first_run_at or tick,
            "last_run_at": tick,
            "last_new_at": tick if report.new else state.last_new_at,
            "consecutive_failures": state.consecutive_failures + 1 if all_failed else 0,
            "last_error": report.problems[-1] if all_failed and report.problems else None,
            "total_new": state.total_new + report.new,
        }
    )


def _published_since(candidate: Candidate, since: datetime) -> bool:
    """Entries without a date are kept: a backfill would rather read a page too many than miss one."""
    published = candidate.hints.published_at
    return published is None or published >= since


def _changed(candidate: Candidate, seen: KnownUrl) -> bool:
    """A known URL whose entry has a new revision, and is not already on its way."""
    in_flight = seen.status in (UrlStatus.CLAIMED, UrlStatus.QUEUED)
    return bool(candidate.revision) and seen.revision != candidate.revision and not in_flight


def _abandoned(seen: KnownUrl, tick: datetime) -> bool:
    """Claimed, never confirmed queued, and older than any discover run lasts: its discoverer died."""
    if not seen.updated_at:
        return False
    return tick - datetime.fromisoformat(seen.updated_at) > RECLAIM_AFTER
