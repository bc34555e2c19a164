"""Replay: re-derive records from the raw HTML archive through the current pipeline, fetching nothing.

Archived pages go to the ArticleQueue as tasks with `raw_s3_key` set; the process function reads
the page from S3 instead of the web. Which pages: for a URL that led to an article, exactly the
page its current record was made from (an older page, or an unchanged re-fetch, would turn old
text into a new version or move the record's fetch time); for a URL that never became an article
(skipped, failed), its newest page, so an improved pipeline gets another go at it.

Idempotent: with an unchanged text, the commit rewrites the same version (same S3 key, same
DynamoDB items, byte for byte, and no second event); a pipeline change that changes the text makes
the next version. Every replay run carries its own run id in the task's `revision`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from newsingest import PIPELINE_VERSION
from newsingest.client import ArticleClient
from newsingest.models.messages import ArticleTask
from newsingest.storage.archive import RawMeta
from newsingest.storage.dynamo import chunks
from newsingest.storage.queues import QueueSender

HEAD_CONCURRENCY = 16
CHUNK = 100


@dataclass(frozen=True)
class ReplayReport:
    archived: int  # raw pages under the source and fetch-day filters
    records: int  # pages behind a current record: re-derived
    retried: int  # newest pages of URLs that never became an article: tried again
    queued: int


def newest_per_url(raw_keys: Iterable[str]) -> set[str]:
    """Keys are raw/{source}/{day}/{url key}/{fetched stamp}.html.gz: the latest stamp per (source, url key)."""
    newest: dict[tuple[str, str], tuple[str, str]] = {}
    for key in raw_keys:
        _, source, _day, url_key, stamp = key.split("/")
        if (source, url_key) not in newest or stamp > newest[(source, url_key)][0]:
            newest[(source, url_key)] = (stamp, key)
    return {key for _, key in newest.values()}


def select_pages(
    pages: Sequence[tuple[str, RawMeta]], client: ArticleClient, newest: set[str]
) -> tuple[list[tuple[str, RawMeta]], int]:
    """The pages to replay, and how many of them are behind a current record."""
    known = client.repos.urls.known([meta.url for _, meta in pages])
    article_ids = {k.article_id for k in known.values() if k.article_id}
    record_pages = {a.raw_s3_key for a in client.get_many(sorted(article_ids))}
    chosen, behind_records = [], 0
    for key, meta in pages:
        url = known.get(meta.url)
        if url is not None and url.article_id:
            if key in record_pages:
                chosen.append((key, meta))
                behind_records += 1
        elif key in newest:
            chosen.append((key, meta))
    return chosen, behind_records


def replay_task(key: str, meta: RawMeta, now: datetime, run_id: str) -> ArticleTask:
    return ArticleTask(
        url=meta.url,
        source_id=meta.source_id,
        discovered_at=now,
        discovered_via="replay",
        revision=run_id,
        raw_s3_key=key,
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
    archived = list(client.archive.list_raw(source_id, since, until))
    on_listed(len(archived))
    newest = newest_per_url(archived)
    run_id = run_id_for(now)
    records = retried = queued = 0
    with ThreadPoolExecutor(max_workers=HEAD_CONCURRENCY) as pool:
        for chunk in chunks(archived, CHUNK):
            pages = list(zip(chunk, pool.map(client.archive.head_raw, chunk), strict=True))
            chosen, behind_records = select_pages(pages, client, newest)
            queued += queue.send([replay_task(key, meta, now, run_id) for key, meta in chosen])
            records += behind_records
            retried += len(chosen) - behind_records
            on_done(len(chunk))
    return ReplayReport(archived=len(archived), records=records, retried=retried, queued=queued)
