"""Discover one source: robots, conditional fetches of its documents, parse, filter, dedup, enqueue.

The steps are the pure discovery core; this module only sequences them around the
stores (table, queue) and the fetcher it is given.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from newsingest.discovery.documents import parse_document
from newsingest.discovery.filters import filter_candidates
from newsingest.discovery.model import Candidate
from newsingest.discovery.robots import UNREACHABLE, Robots, sitemaps_to_read
from newsingest.discovery.state import SourceState, conditional_headers, observe
from newsingest.fetching.fetcher import Fetcher, FetchError, FetchResult, retry_after_seconds
from newsingest.models.messages import ArticleTask
from newsingest.models.outcomes import SkipReason
from newsingest.models.source import Source
from newsingest.storage.hosts import HostRepository
from newsingest.storage.queues import QueueSender
from newsingest.storage.stores import Repositories
from newsingest.storage.urls import CLAIMED, QUEUED, KnownUrl, UrlRepository

ROBOTS_TTL = timedelta(hours=24)
UNREACHABLE_ROBOTS_TTL = timedelta(minutes=10)
MAX_INLINE_WAIT = 20.0  # seconds a fetch may sleep for its slot; longer, and the work is retried later
DEFAULT_BACKOFF_SECONDS = 60.0  # a 429/503 without Retry-After  # a 5xx or unreachable robots.txt is asked again soon
RECLAIM_AFTER = timedelta(minutes=15)  # a claim still unconfirmed after this (3x the discover timeout) is resent
MAX_HINT_CHARS = 1_000  # a feed's title hint in a message: SQS messages are capped at 256 KB
MAX_CHILD_DOCUMENTS = 50  # sitemap-index children and autodiscovered feeds followed per run


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


class HostBusy(Exception):
    """The host's next fetch slot is further away than a Lambda should sleep: try again later."""

    def __init__(self, host: str, wait: float):
        super().__init__(f"{host} asked us to wait {wait:.0f} s")
        self.wait = wait


@dataclass
class Politeness:
    """Per-host fetch slots shared by every Lambda (DynamoDB). Crawl delays come from the source's
    override, else robots.txt, else our default; a 429/503 pushes the host's next slot back by
    its Retry-After."""

    hosts: HostRepository
    default_delay: float
    sleep: Callable[[float], None] = time.sleep
    max_inline_wait: float = MAX_INLINE_WAIT

    def wait_turn(self, url: str, source: Source, robots: Robots | None, max_wait: float | None = None) -> None:
        """Take the host's next fetch slot and sleep until it; HostBusy when it is further away than
        we may sleep (`max_inline_wait`, or `max_wait`: what the Lambda's remaining time allows)."""
        self.wait_until(
            url, time.time() + self.hosts.reserve_fetch_slot(urlsplit(url).netloc, self.delay(source, robots)), max_wait
        )

    def delay(self, source: Source, robots: Robots | None) -> float:
        if source.crawl_delay is not None:
            return source.crawl_delay
        if robots is not None and robots.crawl_delay is not None:
            return robots.crawl_delay
        return self.default_delay

    def book(self, host: str, urls: list[str], delay: float) -> dict[str, float]:
        """Book the fetch slots of a batch's URLs of one host with one compare-and-set (two requests,
        not two per URL, and no contention between the batch's own fetch workers): URL -> due time."""
        start = time.time()
        waits = self.hosts.reserve_fetch_slots(host, delay, len(urls), now=start)
        return {url: start + wait for url, wait in zip(urls, waits, strict=True)}

    def wait_until(self, url: str, due: float, max_wait: float | None = None) -> None:
        """Sleep until a booked slot; HostBusy when it is further away than we may sleep."""
        wait = due - time.time()
        if wait > self.max_inline_wait or (max_wait is not None and wait > max_wait):
            raise HostBusy(urlsplit(url).netloc, wait)
        if wait > 0:
            self.sleep(wait)

    def back_off(self, url: str, seconds: float | None) -> float:
        """The host said 429/503: no Lambda fetches from it again before Retry-After (or a default)."""
        wait = seconds if seconds is not None else DEFAULT_BACKOFF_SECONDS
        self.hosts.defer_host(urlsplit(url).netloc, time.time() + wait)
        return wait


def fetch_robots(url: str, fetcher: Fetcher, hosts: HostRepository, user_agent: str, now: datetime) -> Robots:
    """robots.txt for the URL's host, cached in the table for a day (every Lambda shares it)."""
    parts = urlsplit(url)
    host = parts.netloc
    cached = hosts.get_robots(host, now)
    if cached is not None:
        return Robots.from_text(cached)
    try:
        result = fetcher.get(f"{parts.scheme}://{host}/robots.txt")
        status, body = result.status, result.body
    except FetchError:
        status, body = UNREACHABLE, b""  # RFC 9309: assume complete disallow, for now
    robots = Robots.parse(body if 200 <= status < 300 else None, status, user_agent)
    ttl = ROBOTS_TTL if robots.mode != "disallow_all" else UNREACHABLE_ROBOTS_TTL
    hosts.put_robots(host, robots.to_text(), now, ttl)
    return robots


def discover_source(
    source: Source,
    state: SourceState,
    *,
    tick: datetime,
    fetcher: Fetcher,
    repos: Repositories,
    queue: QueueSender,
    politeness: Politeness,
    user_agent: str,
    max_urls: int,
    since: date | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> tuple[DiscoveryReport, SourceState]:
    """Run one discovery of a source; returns what happened and the source's next state."""
    report = DiscoveryReport(source.id)
    robots = fetch_robots(str(source.homepage), fetcher, repos.hosts, user_agent, tick)
    if robots.mode == "disallow_all":  # robots.txt answered 5xx/429 or not at all: a failed run
        report.failed_documents = 1
        report.problems.append("robots.txt unavailable (5xx, 429 or unreachable): nothing fetched")
        return report, _next_state(state, dict(state.documents), report, tick)
    documents = _starting_documents(source) + sitemaps_to_read(robots, source, backfill=since is not None)
    max_documents = len(documents) + MAX_CHILD_DOCUMENTS
    seen_documents: set[str] = set()
    candidates: list[Candidate] = []
    doc_states = dict(state.documents)
    since_dt = datetime.combine(since, datetime.min.time(), tzinfo=tick.tzinfo) if since else None

    while documents and len(seen_documents) < max_documents:
        url = documents.pop(0)
        if url in seen_documents:
            continue
        seen_documents.add(url)
        if not robots.allowed(url):
            report.problems.append(f"{url}: disallowed by robots.txt")
            continue
        try:
            politeness.wait_turn(url, source, robots)
        except HostBusy as busy:
            report.failed_documents += 1
            report.problems.append(f"{url}: {busy}")
            continue
        previous = doc_states.get(url)
        # A backfill reads everything again: conditional headers would hide old entries.
        sent = conditional_headers(previous, tick) if since is None else {}
        report.documents += 1
        try:
            result = fetcher.get(url, sent)
        except FetchError as err:
            report.failed_documents += 1
            report.problems.append(f"{url}: {err.detail}")
            continue
        failure = _document_failure(result, url, tick, politeness)
        if failure:
            report.failed_documents += 1
            report.problems.append(f"{url}: {failure}")
            continue
        doc_states[url], must_parse = observe(previous, result.status, result.headers, result.body, tick, sent)
        if not must_parse:
            report.not_modified += 1
            continue
        parsed = parse_document(result.body, result.final_url, result.content_type, limit=max_urls, since=since_dt)
        report.problems.extend(f"{url}: {p}" for p in parsed.problems)
        if parsed.truncated:
            report.problems.append(f"{url}: more than {max_urls} entries; the rest waits for the next run")
        found = [c for c in parsed.candidates if since_dt is None or _published_since(c, since_dt)]
        if len(found) > max_urls - len(candidates):  # every kind of document, not only sitemaps
            report.problems.append(f"{url}: over {max_urls} entries this run; the rest waits for the next run")
            found = found[: max(0, max_urls - len(candidates))]
        candidates.extend(found)
        if progress:
            progress(url, len(found))
        documents.extend(parsed.sitemaps + [f for f in parsed.feeds if f not in seen_documents])

    report.candidates = len(candidates)
    kept, skipped = filter_candidates(source, candidates)
    allowed = []
    for candidate in kept:
        if robots.allowed(candidate.url):
            allowed.append(candidate)
        else:
            skipped.append((candidate, SkipReason.ROBOTS_DISALLOWED, "disallowed by robots.txt"))
    # One BatchGetItem per 100 URLs tells which URLs are known: a URL skipped on an earlier run
    # (an excluded link on every section page, say) is not written again on every tick.
    known = repos.urls.known([c.url for c in allowed] + [c.url for c, _reason, _detail in skipped])
    for candidate, reason, _detail in skipped:
        seen = known.get(candidate.url)
        if seen is None or (seen.status, seen.reason) != ("skipped", reason.value):
            report.skipped[reason] += 1
            repos.urls.mark(candidate.url, "skipped", source_id=source.id, reason=reason.value, now=tick)

    tasks, claim_error = _claim_new(allowed, known, source, tick, repos.urls, report, backfill=since is not None)
    enqueue(tasks, known, queue, repos.urls, report, tick)
    if claim_error is not None:  # what was claimed is queued; the record fails and the rest comes back
        raise claim_error
    return report, _next_state(state, doc_states, report, tick)


def enqueue(
    tasks: list[ArticleTask],
    known: Mapping[str, KnownUrl],
    queue: QueueSender,
    urls: UrlRepository,
    report: DiscoveryReport,
    tick: datetime,
) -> None:
    """Send the claimed URLs' messages (by count and bytes), then mark them queued; a message that
    could not be sent has its claim released, so a later run finds the URL as before. A URL left
    `claimed` by a crash between the two is sent again by a later run (`_claim_new`)."""
    _sent, failed = queue.send_each(tasks)
    failed_at = {i for i, _err in failed}
    for i, err in failed:
        report.problems.append(f"{tasks[i].url}: not queued: {err}")
        urls.release(tasks[i].url, known.get(tasks[i].url), tick)
    urls.confirm_queued([t.url for i, t in enumerate(tasks) if i not in failed_at], tick)


def _published_since(candidate: Candidate, since: datetime) -> bool:
    """Entries without a date are kept: a backfill would rather read a page too many than miss one."""
    published = candidate.hints.published_at
    return published is None or published >= since


def _starting_documents(source: Source) -> list[str]:
    """Feeds, sitemaps and section pages; a source with none of them is discovered from its homepage."""
    documents = [str(u) for u in (*source.feeds, *source.sitemaps, *source.section_pages)]
    return documents or [str(source.homepage)]


def _document_failure(result: FetchResult, url: str, tick: datetime, politeness: Politeness) -> str | None:
    """Why a document's answer cannot be used; a 429/503 also holds every Lambda off the host."""
    if result.status in (429, 503):
        wait = politeness.back_off(url, retry_after_seconds(result.headers.get("retry-after"), tick))
        return f"HTTP {result.status}, host held back {wait:.0f} s"
    if result.status != 304 and not 200 <= result.status < 300:
        return f"HTTP {result.status}"
    return None


def _claim_new(
    candidates: list[Candidate],
    known: Mapping[str, KnownUrl],
    source: Source,
    tick: datetime,
    urls: UrlRepository,
    report: DiscoveryReport,
    backfill: bool,
) -> tuple[list[ArticleTask], Exception | None]:
    """Only unknown, changed or abandoned URLs take a (conditional) write; the known ones cost nothing
    more. An error part-way stops claiming: what was claimed so far is returned with the error."""
    tasks = []
    for candidate in candidates:
        seen = known.get(candidate.url)
        via = "backfill" if backfill else candidate.via
        try:
            if seen is None:
                if urls.claim(candidate.url, source.id, candidate.revision, tick):
                    report.new += 1
                    tasks.append(_task(candidate, source, tick, via))
                else:
                    report.known += 1
            elif _abandoned(seen, tick):
                if urls.reclaim(seen, tick):
                    tasks.append(_task(candidate, source, tick, via if seen.article_id is None else "refresh"))
            elif candidate.revision and seen.revision != candidate.revision and seen.status not in (CLAIMED, QUEUED):
                if urls.claim_revision(candidate.url, candidate.revision, tick):
                    report.refreshed += 1
                    tasks.append(_task(candidate, source, tick, "refresh"))
            else:
                report.known += 1
        except Exception as err:
            return tasks, err
    return tasks, None


def _abandoned(seen: KnownUrl, tick: datetime) -> bool:
    """Claimed, never confirmed queued, and older than any discover run lasts: its discoverer died."""
    if seen.status != CLAIMED or not seen.updated_at:
        return False
    return tick - datetime.fromisoformat(seen.updated_at) > RECLAIM_AFTER


def _task(candidate: Candidate, source: Source, tick: datetime, via: str) -> ArticleTask:
    return ArticleTask(
        url=candidate.url,
        source_id=source.id,
        discovered_at=tick,
        discovered_via=via,
        hints=candidate.hints.model_copy(update={"title": (candidate.hints.title or "")[:MAX_HINT_CHARS] or None}),
        revision=candidate.revision,
    )


def _next_state(state: SourceState, documents: dict, report: DiscoveryReport, tick: datetime) -> SourceState:
    all_failed = report.documents > 0 and report.failed_documents == report.documents
    return state.model_copy(
        update={
            "documents": documents,
            "first_run_at": state.first_run_at or tick,
            "last_run_at": tick,
            "last_new_at": tick if report.new else state.last_new_at,
            "consecutive_failures": state.consecutive_failures + 1 if all_failed else 0,
            "last_error": report.problems[-1] if all_failed and report.problems else None,
            "total_new": state.total_new + report.new,
        }
    )
