"""Replay: re-derive records from the raw HTML archive through the current pipeline, fetching nothing.

Archived pages go to the ArticleQueue as tasks with `raw_s3_key` (and, for a WARC file, the page's
`raw_offset`/`raw_length`) set; the process function reads that one byte range from S3 instead of
the web. Both archive formats replay: WARC files, and the one-object-per-page archive before them.
Which pages: for a URL that led to an article, exactly the page its current record was made
from (an older page, or an unchanged re-fetch, would turn old text into a new version or move the
record's fetch time); for a URL that never became an article (skipped, failed), its newest page,
so an improved pipeline gets another go at it.

Idempotent: with an unchanged text, the commit rewrites the same version (same S3 key, same
DynamoDB items, byte for byte, and no second event); a pipeline change that changes the text makes
the next version. Every replay run carries its own run id in the task's `revision`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from newsingest import PIPELINE_VERSION
from newsingest.client import ArticleClient
from newsingest.discovery.urls import canonicalize
from newsingest.models.messages import ArticleTask
from newsingest.storage.archive import RawMeta, RawRef
from newsingest.storage.dynamo import chunks
from newsingest.storage.queues import QueueSender

CHUNK = 100
Page = tuple[RawRef, RawMeta]


@dataclass(frozen=True)
class ReplayReport:
    archived: int  # raw pages under the source and fetch-day filters
    records: int  # pages behind a current record: re-derived
    retried: int  # newest pages of URLs that never became an article: tried again
    queued: int


def newest_per_url(pages: Iterable[Page]) -> set[RawRef]:
    """The latest fetch per (source, canonical URL asked for)."""
    newest: dict[tuple[str, str], Page] = {}
    for ref, meta in pages:
        url = (meta.source_id, canonicalize(meta.url) or meta.url)
        if url not in newest or meta.fetched_at > newest[url][1].fetched_at:
            newest[url] = (ref, meta)
    return {ref for ref, _ in newest.values()}


def select_pages(pages: Sequence[Page], client: ArticleClient, newest: set[RawRef]) -> tuple[list[Page], int]:
    """The pages to replay, and how many of them are behind a current record."""
    known = client.repos.urls.known([meta.url for _, meta in pages])
    article_ids = {k.article_id for k in known.values() if k.article_id}
    record_pages = {RawRef(a.raw_s3_key, a.raw_offset, a.raw_length) for a in client.get_many(sorted(article_ids))}
    chosen, behind_records = [], 0
    for ref, meta in pages:
        url = known.get(meta.url)
        if url is not None and url.article_id:
            if ref in record_pages:
                chosen.append((ref, meta))
                behind_records += 1
        elif ref in newest:
            chosen.append((ref, meta))
    return chosen, behind_records


def replay_task(ref: RawRef, meta: RawMeta, now: datetime, run_id: str) -> ArticleTask:
    return ArticleTask(
        url=meta.url,
        source_id=meta.source_id,
        discovered_at=now,
        discovered_via="replay",
        revision=run_id,
        raw_s3_key=ref.key,
        raw_offset=ref.offset,
        raw_length=ref.length,
    )


def run_id_for(now: datetime) -> str:
    return f"replay {PIPELINE_VERSION} {now.strftime('%Y%m%dT%H%M%SZ')}"


def replay(
    client: ArticleClient,
    queue: QueueSender,
    *,
    now: datetime,
    source_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    on_listed: Callable[[int], None] = lambda total: None,
    on_done: Callable[[int], None] = lambda count: None,
) -> ReplayReport:
    """Queue the pages to replay; the callbacks drive a progress bar (pages listed, then pages handled)."""
    archived = list(client.archive.list_pages(source_id, since, until))
    on_listed(len(archived))
    newest = newest_per_url(archived)
    run_id = run_id_for(now)
    records = retried = queued = 0
    for pages in chunks(archived, CHUNK):
        chosen, behind_records = select_pages(pages, client, newest)
        queued += queue.send([replay_task(ref, meta, now, run_id) for ref, meta in chosen])
        records += behind_records
        retried += len(chosen) - behind_records
        on_done(len(pages))
    return ReplayReport(archived=len(archived), records=records, retried=retried, queued=queued)
