"""The process stage around the pure core: fetch a batch, archive it, process it, commit each record.

Two phases, so the expensive work is batched and the writes stay idempotent:
  prepare_batch: fetch every page of the SQS batch concurrently (politely), archive the raw
                 pages (one WARC file for the batch: one PUT), run the core over all pages
                 at once (one NER pass for the batch);
  commit:        per record, decide new / new version / unchanged / duplicate and write S3,
                 DynamoDB and EventBridge. The handler wraps it in Powertools idempotency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from newsingest.discovery.robots import Robots
from newsingest.discovery.urls import same_site
from newsingest.entities.tagger import Tagger
from newsingest.extraction.cleaning import repeated_lines
from newsingest.extraction.fingerprints import NEAR_DUPLICATE_BITS, hamming
from newsingest.fetching.fetcher import Fetcher, FetchError, FetchResult, retry_after_seconds
from newsingest.models.messages import ArticleTask
from newsingest.models.outcomes import Outcome, SkipReason
from newsingest.models.records import Article
from newsingest.models.source import Source
from newsingest.pipeline.discover import HostBusy, Politeness, fetch_robots
from newsingest.pipeline.process import PageInput, Skip, process_pages
from newsingest.storage.archive import Archive, RawMeta, RawRef
from newsingest.storage.articles import LatestVersion
from newsingest.storage.stores import Repositories, Stores
from newsingest.storage.warc import RawPage

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
BOILERPLATE_HISTORY = 30  # stored articles per source that boilerplate lines are learned from
MAX_BOILERPLATE_LINES = 500


class RetryLater(Exception):
    """A transient failure: the SQS record fails, is retried, and after maxReceiveCount lands in the DLQ."""

    def __init__(self, detail: str, retry_after: float | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


Prepared = Article | Skip | RetryLater


def prepare_batch(
    tasks: Sequence[ArticleTask],
    *,
    sources: Mapping[str, Source],
    fetcher: Fetcher,
    stores: Stores,
    politeness: Politeness,
    tagger: Tagger | None,
    user_agent: str,
    now: Callable[[], datetime],
) -> list[Prepared]:
    """Everything but the writes that make a record visible; aligned with `tasks`."""
    results: list[Prepared | PageInput | None] = [None] * len(tasks)
    to_fetch: list[int] = []
    robots_by_host: dict[str, Robots] = {}
    for i, task in enumerate(tasks):
        if task.raw_s3_key:
            results[i] = _archived_page(task, stores.archive)
            continue
        source = sources.get(task.source_id)
        if source is None:
            results[i] = Skip(SkipReason.EXCLUDED, f"source {task.source_id!r} is no longer configured")
            continue
        host = urlsplit(task.url).netloc
        if host not in robots_by_host:
            robots_by_host[host] = fetch_robots(task.url, fetcher, stores.repos.hosts, user_agent, now())
        if robots_by_host[host].mode == "disallow_all":
            results[i] = RetryLater("robots.txt unavailable (5xx, 429 or unreachable)")
            continue
        if not robots_by_host[host].allowed(task.url):
            results[i] = Skip(SkipReason.ROBOTS_DISALLOWED, "disallowed by robots.txt")
            continue
        to_fetch.append(i)

    source_of = {tasks[i].url: sources[tasks[i].source_id] for i in to_fetch}

    def wait_turn(url: str) -> None:  # runs in the fetch worker, so hosts wait in parallel
        politeness.wait_turn(url, source_of[url], robots_by_host[urlsplit(url).netloc])

    fetched = fetcher.get_many([(tasks[i].url, None) for i in to_fetch], before=wait_turn)
    to_archive: dict[int, RawPage] = {}
    for i, outcome in zip(to_fetch, fetched, strict=True):
        results[i] = _fetch_outcome(tasks[i], outcome, sources[tasks[i].source_id], politeness)
        if isinstance(results[i], PageInput):
            to_archive[i] = _raw_page(tasks[i], outcome)
    for i, ref in zip(to_archive, stores.archive.put_pages(list(to_archive.values())), strict=True):
        results[i] = replace(results[i], raw_s3_key=ref.key, raw_offset=ref.offset, raw_length=ref.length)

    pages = [r for r in results if isinstance(r, PageInput)]
    boilerplate = {
        source_id: learned_boilerplate(source_id, stores.repos) for source_id in {p.source_id for p in pages}
    }
    processed = iter(process_pages(pages, tagger=tagger, boilerplate=boilerplate))
    return [next(processed) if isinstance(r, PageInput) else r for r in results]


def learned_boilerplate(source_id: str, repos: Repositories) -> set[str]:
    """Lines repeated across the source's recent articles, learned from its stored history.

    What was learned once is kept (the item SRC#id/LINES): otherwise, once removed from new
    records, a line would fade from the history and come back.
    """
    known = repos.boilerplate.get(source_id)
    learned = known | repeated_lines(repos.articles.recent_texts(source_id, BOILERPLATE_HISTORY))
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
    if isinstance(outcome, FetchResult) and outcome.status in (429, 503):
        wait = politeness.back_off(
            task.url, retry_after_seconds(outcome.headers.get("retry-after"), outcome.fetched_at)
        )
        return RetryLater(f"HTTP {outcome.status}", wait)
    if isinstance(outcome, FetchResult | FetchError):
        return _fetched_page(task, outcome, source)
    raise outcome  # anything else is a bug or an AWS failure: the batch fails and SQS retries it


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


def next_version(article: Article, latest: LatestVersion | None, *, rederive: bool = False) -> Article | None:
    """A changed text at a known canonical URL is a new version; the same text is nothing new,
    unless we are replaying, when the record of the same version is derived again."""
    if latest is None:
        return article
    if latest.content_hash == article.content_hash:
        return article.model_copy(update={"version": latest.version}) if rederive else None
    return article.model_copy(
        update={"version": latest.version + 1, "modified_at": article.modified_at or article.fetched_at}
    )


def nearest_duplicate(simhash: str, candidates: Mapping[str, str], own_id: str) -> str | None:
    """The closest earlier text within NEAR_DUPLICATE_BITS, if any."""
    scored = [(hamming(simhash, other), article_id) for article_id, other in candidates.items() if article_id != own_id]
    close = sorted(s for s in scored if s[0] <= NEAR_DUPLICATE_BITS)
    return close[0][1] if close else None


def commit(task: ArticleTask, prepared: Prepared, *, stores: Stores, entity_limit: int) -> dict:
    """Make one record visible (or record why not). Safe to repeat: every write is keyed by version."""
    if isinstance(prepared, RetryLater):
        raise prepared
    if isinstance(prepared, Skip):
        stores.urls.mark(task.url, "skipped", source_id=task.source_id, reason=prepared.reason.value)
        return {"outcome": Outcome.SKIPPED.value, "reason": prepared.reason.value, "detail": prepared.detail}

    article = prepared
    latest = stores.articles.latest_versions([article.article_id]).get(article.article_id)
    versioned = next_version(article, latest, rederive=task.discovered_via == "replay")
    if versioned is None:
        _mark(stores, task, article, "stored")
        return {"outcome": Outcome.UNCHANGED.value, "article_id": article.article_id, "version": latest.version}

    outcome = Outcome.UPDATED if versioned.version > 1 else Outcome.STORED
    if versioned.version == 1:  # duplicates are decided on first sight; a rederived record decides again
        owner = stores.articles.claim_content(versioned.content_hash, versioned.article_id)
        owner = owner or nearest_duplicate(
            versioned.simhash, stores.articles.similar_candidates(versioned.simhash), versioned.article_id
        )
        if owner:
            versioned = versioned.model_copy(update={"duplicate_of": owner})
            outcome = Outcome.DUPLICATE

    record_key = stores.archive.put_record(versioned)
    stores.articles.put(versioned, record_key, entity_limit=entity_limit)
    _mark(stores, task, versioned, outcome.value)
    stores.events.publish([(versioned, record_key)])
    return {
        "outcome": outcome.value,
        "article_id": versioned.article_id,
        "version": versioned.version,
        "duplicate_of": versioned.duplicate_of,
        "record_s3_key": record_key,
    }


def _mark(stores: Stores, task: ArticleTask, article: Article, status: str) -> None:
    """The task's URL and the page's canonical URL both point at the article from now on."""
    for url in dict.fromkeys((task.url, article.canonical_url)):
        stores.urls.mark(url, status, source_id=task.source_id, article_id=article.article_id)
