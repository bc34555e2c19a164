"""The process stage around the pure core: prepare a whole batch, then commit it in one go.

  Ingest.prepare: fetch every page of the SQS batch concurrently (politely), archive the raw
                 pages (one WARC file for the batch: one PUT), run the core over all pages at
                 once (one NER pass for the batch); one record's failure (a fetch) is that record's
                 only, and a refused WARC file fails (for a retry) only the pages it held;
  Ingest.run:    prepare, then pipeline.commit.commit_batch (the crash-consistent batched commit).
Both stop starting work the Lambda's remaining time cannot finish: those records come back.
The corpus memory of entity names (storage.entity_knowledge) is read once per batch in prepare
(inside the tagger's resolution) and written by the commit, before the records are visible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from newsingest.discovery.robots import Robots
from newsingest.discovery.urls import same_site
from newsingest.entities.knowledge import EntityIndexPolicy
from newsingest.entities.tagger import Tagger
from newsingest.extraction.cleaning import repeated_lines
from newsingest.fetching.fetcher import Fetcher, FetchError, FetchResult
from newsingest.fetching.netguard import BlockedAddress, check_url
from newsingest.models.messages import ArticleTask
from newsingest.models.outcomes import SkipReason
from newsingest.models.source import Source
from newsingest.pipeline.commit import COMMIT_RESERVE_SECONDS, Prepared, Result, RetryLater, commit_batch
from newsingest.pipeline.politeness import HostBusy, Politeness
from newsingest.pipeline.process import PAGE_TIME_BUDGET, PageInput, Skip, process_pages
from newsingest.storage.archive import Archive, RawMeta, RawRef
from newsingest.storage.stores import Repositories, Stores
from newsingest.storage.warc import RawPage

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
BOILERPLATE_HISTORY = 30  # stored articles per source that boilerplate lines are learned from
MAX_BOILERPLATE_LINES = 500


EXTRACT_RESERVE_SECONDS = 5.0  # the batch's extraction and tagging after its last fetch


SLOW_PAGE_DELIVERIES = 1  # a page too slow on this many deliveries is skipped; before that it comes back


def second_chance(prepared: Prepared, delivery: int) -> Prepared:
    """A page that ran out of its time budget on its first delivery is tried once more (a busy
    container, a noisy neighbour) before it is skipped as too slow: a pathological page is slow
    every time, a page caught in a slow moment is not."""
    if isinstance(prepared, Skip) and prepared.reason is SkipReason.TOO_SLOW and delivery <= SLOW_PAGE_DELIVERIES:
        return RetryLater(f"{prepared.detail}; tried once more before it is skipped")
    return prepared


def fetch_reserve(fetcher: Fetcher) -> float:
    """The Lambda time a fetch started now may still need: the fetcher's whole deadline (all hops,
    body included), then the batch's extraction; the commit's reserve comes on top."""
    return fetcher.policy.total_timeout + EXTRACT_RESERVE_SECONDS


@dataclass
class Ingest:
    """The process use case over its adapters, built once per application."""

    sources: Mapping[str, Source]
    fetcher: Fetcher
    stores: Stores
    politeness: Politeness
    tagger: Tagger | None
    entity_index: EntityIndexPolicy
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    page_budget: float | None = PAGE_TIME_BUDGET

    def run(
        self,
        tasks: Sequence[ArticleTask],
        remaining: Callable[[], float] | None = None,
        deliveries: Sequence[int] | None = None,
    ) -> list[Result]:
        """One result per task, in order (an Exception fails that record). `deliveries`: how many times
        SQS has delivered each message (None: no redelivery to come, as for the CLI's replays)."""
        prepared = self.prepare(tasks, remaining)
        if deliveries is not None:
            prepared = [second_chance(p, n) for p, n in zip(prepared, deliveries, strict=True)]
        return commit_batch(tasks, prepared, stores=self.stores, entity_index=self.entity_index, remaining=remaining)

    def prepare(self, tasks: Sequence[ArticleTask], remaining: Callable[[], float] | None = None) -> list[Prepared]:
        """Everything but the writes that make a record visible; aligned with `tasks`. One record's
        failure is that record's only; a source's pages fail together only where they share a read."""
        robots: dict[str, Robots] = {}
        results = self.before_fetch(tasks, robots, remaining)
        self.fetch_and_archive(tasks, results, robots, remaining)
        return self.extract(results)

    def before_fetch(
        self, tasks: Sequence[ArticleTask], robots: dict[str, Robots], remaining: Callable[[], float] | None
    ) -> list:
        """Each record's outcome when it needs no fetch (an archived page, a skip, no time left); None: fetch it."""
        results: list = [None] * len(tasks)
        for i, task in enumerate(tasks):
            try:
                results[i] = _before_fetch(
                    task, self.sources, self.fetcher, self.stores.archive, self.politeness, robots, self.now, remaining
                )
            except Exception as err:  # an AWS error reading this record's page or robots: this record only
                results[i] = err
        return results

    def fetch_and_archive(
        self, tasks: Sequence[ArticleTask], results: list, robots: Mapping[str, Robots], remaining
    ) -> None:
        """Fetch the rest concurrently in their booked politeness slots, then archive the pages as one WARC."""
        to_fetch = [i for i, result in enumerate(results) if result is None]
        due = _book_slots(tasks, to_fetch, self.sources, self.politeness, robots, results)
        to_fetch = [i for i in to_fetch if tasks[i].url in due]

        def wait_turn(url: str) -> None:  # runs in the fetch worker, so hosts wait in parallel
            budget = None if remaining is None else remaining() - fetch_reserve(self.fetcher) - COMMIT_RESERVE_SECONDS
            if budget is not None and budget <= 0:
                raise RetryLater("not enough Lambda time left to fetch")
            self.politeness.wait_until(url, due[url], max_wait=budget)

        fetched = self.fetcher.get_many([(tasks[i].url, None) for i in to_fetch], before=wait_turn)
        to_archive: dict[int, RawPage] = {}
        for i, outcome in zip(to_fetch, fetched, strict=True):
            try:
                results[i] = _fetch_outcome(tasks[i], outcome, self.sources[tasks[i].source_id], self.politeness)
            except Exception as err:  # an AWS failure booking the slot, no time left: this record only
                results[i] = err
            if isinstance(results[i], PageInput):
                to_archive[i] = _raw_page(tasks[i], outcome)
        try:
            refs = self.stores.archive.put_pages(list(to_archive.values()))
            for i, ref in zip(to_archive, refs, strict=True):
                results[i] = replace(results[i], raw_s3_key=ref.key, raw_offset=ref.offset, raw_length=ref.length)
        except Exception as err:  # S3 refused the batch's WARC file: its pages come back, the rest go on
            for i in to_archive:
                results[i] = err

    def extract(self, results: list) -> list[Prepared]:
        """The core over every page at once (one NER pass), with each source's learned boilerplate."""
        by_source: dict[str, set[str]] = {}
        for source_id in {r.source_id for r in results if isinstance(r, PageInput)}:
            try:
                by_source[source_id] = learned_boilerplate(source_id, self.stores.repos)
            except Exception as err:  # the source's pages fail together: their text depends on it
                results = [err if isinstance(r, PageInput) and r.source_id == source_id else r for r in results]
        pages = [r for r in results if isinstance(r, PageInput)]
        processed = iter(
            process_pages(
                pages,
                tagger=self.tagger,
                boilerplate=by_source,
                memory=self.stores.knowledge,
                page_budget=self.page_budget,
            )
        )
        return [next(processed) if isinstance(r, PageInput) else r for r in results]


def _book_slots(
    tasks: Sequence[ArticleTask],
    to_fetch: list[int],
    sources: Mapping[str, Source],
    politeness: Politeness,
    robots_by_host: Mapping[str, Robots],
    results: list,
) -> dict[str, float]:
    """Every fetch's politeness slot, booked per host in one go: URL -> due time. A host whose
    booking fails fails its own records."""
    by_host: dict[str, list[int]] = {}
    for i in to_fetch:
        by_host.setdefault(urlsplit(tasks[i].url).netloc, []).append(i)
    due: dict[str, float] = {}
    for host, indexes in by_host.items():
        delay = max(politeness.delay(sources[tasks[i].source_id], robots_by_host[host]) for i in indexes)
        try:
            due.update(politeness.book(host, list(dict.fromkeys(tasks[i].url for i in indexes)), delay))
        except Exception as err:
            for i in indexes:
                results[i] = err
    return due


def _before_fetch(
    task: ArticleTask,
    sources: Mapping[str, Source],
    fetcher: Fetcher,
    archive: Archive,
    politeness: Politeness,
    robots_by_host: dict[str, Robots],
    now: Callable[[], datetime],
    remaining: Callable[[], float] | None,
) -> Prepared | PageInput | None:
    """The record's outcome when it needs no fetch (None: fetch it)."""
    if remaining is not None and remaining() < COMMIT_RESERVE_SECONDS + fetch_reserve(fetcher):
        return RetryLater("not enough Lambda time left to fetch and commit")
    if task.raw_s3_key:
        return _archived_page(task, archive)
    source = sources.get(task.source_id)
    if source is None:
        return Skip(SkipReason.EXCLUDED, f"source {task.source_id!r} is no longer configured")
    never = never_fetchable(task.url, fetcher.policy.allow_hosts)
    if never is not None:
        return never
    host = urlsplit(task.url).netloc
    if host not in robots_by_host:
        robots_by_host[host] = politeness.robots(task.url, now())
    if robots_by_host[host].mode == "disallow_all":
        return RetryLater("robots.txt unavailable (5xx, 429 or unreachable)")
    if not robots_by_host[host].allowed(task.url):
        return Skip(SkipReason.ROBOTS_DISALLOWED, "disallowed by robots.txt")
    return None


def never_fetchable(url: str, allow_hosts: Sequence[str]) -> Skip | None:
    """A URL no retry would ever fetch (not http(s), no host, a blocked address) is skipped at once.
    A name that does not resolve may resolve later: the fetch decides."""
    try:
        check_url(url, allow_hosts)
    except BlockedAddress as err:
        return Skip(SkipReason.BLOCKED_ADDRESS, str(err))
    except ValueError as err:
        return Skip(SkipReason.BAD_URL, str(err))
    except OSError:
        return None
    return None


def learned_boilerplate(source_id: str, repos: Repositories) -> set[str]:
    """Lines repeated across the source's recent articles (their keys: cleaning.line_key), learned
    from its stored history.

    What was learned once is kept (the item SRC#id/LINES): otherwise, once removed from new
    records, a line would fade from the history and come back.
    """
    known = repos.boilerplate.get(source_id)
    learned = known | repeated_lines(repos.articles.recent_line_keys(source_id, BOILERPLATE_HISTORY))
    learned = set(sorted(learned)[:MAX_BOILERPLATE_LINES])
    if learned != known:
        repos.boilerplate.put(source_id, learned)
    return learned


def _archived_page(task: ArticleTask, archive: Archive) -> PageInput:
    html, meta = archive.get_page(RawRef(task.raw_s3_key, task.raw_offset, task.raw_length))
    return PageInput(
        html=html,
        url=meta.final_url,
        source_id=task.source_id,
        fetched_at=meta.fetched_at,
        raw_s3_key=task.raw_s3_key,
        raw_offset=task.raw_offset,
        raw_length=task.raw_length,
        hints=task.hints,
        requested_url=meta.url,
    )


def _fetch_outcome(
    task: ArticleTask, outcome: FetchResult | Exception, source: Source, politeness: Politeness
) -> PageInput | Skip | RetryLater:
    if isinstance(outcome, HostBusy):
        return RetryLater(str(outcome), outcome.wait)
    if isinstance(outcome, FetchResult) and (wait := politeness.back_off(task.url, outcome)) is not None:
        return RetryLater(f"HTTP {outcome.status}", wait)
    if isinstance(outcome, FetchResult | FetchError):
        return _fetched_page(task, outcome, source)
    raise outcome  # anything else (an AWS failure booking the slot, no time left) fails this record


def _fetched_page(
    task: ArticleTask, fetched: FetchResult | FetchError, source: Source
) -> PageInput | Skip | RetryLater:
    """A page worth processing (archived by the caller, with the rest of the batch), or why not."""
    if isinstance(fetched, FetchError):
        if fetched.retryable or fetched.reason is None:
            return RetryLater(f"fetch failed: {fetched.detail}", fetched.retry_after)
        return Skip(fetched.reason, fetched.detail)
    if fetched.status >= 500:
        return RetryLater(f"HTTP {fetched.status}")
    if fetched.status >= 400:
        return Skip(SkipReason.HTTP_CLIENT_ERROR, f"HTTP {fetched.status}")
    if fetched.content_type not in HTML_TYPES:
        return Skip(SkipReason.NOT_HTML, f"content type {fetched.content_type}")
    if not same_site(fetched.final_url, str(source.homepage)):
        return Skip(SkipReason.OFF_SOURCE, f"redirected to {fetched.final_url}")
    return PageInput(
        html=fetched.body,
        url=fetched.final_url,
        source_id=task.source_id,
        fetched_at=fetched.fetched_at,
        hints=task.hints,
        requested_url=task.url,
    )


def _raw_page(task: ArticleTask, fetched: FetchResult) -> RawPage:
    meta = RawMeta(
        url=task.url,
        final_url=fetched.final_url,
        status=fetched.status,
        content_type=fetched.headers.get("content-type"),
        etag=fetched.headers.get("etag"),
        last_modified=fetched.headers.get("last-modified"),
        fetched_at=fetched.fetched_at,
        source_id=task.source_id,
    )
    return RawPage(fetched.body, meta, fetched.headers, fetched.request_headers)
