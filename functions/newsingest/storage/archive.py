"""S3 adapter: the raw page archive (replayable) and the published records.

Layout (the Glue tables and the tests read the same constants):
  warc/{fetch day}/{stamp}-{batch id}.warc.gz          the raw archive: one WARC file per process batch
                                                         (storage/warc.py); a page is a byte range in it
  raw/{source_id}/{fetch day}/{url key}/{fetched}.html.gz  the raw archive written before WARC: one gzip
                                                         object per page, fetch metadata as object metadata;
                                                         still read by replay, no longer written
  articles/v1/dt={day}/{article_id}-v{version}.json    one JSON object, one line
"""

from __future__ import annotations

import gzip
import hashlib
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from itertools import batched

from newsingest.models.records import Article
from newsingest.storage.raw import RawMeta
from newsingest.storage.warc import WARC_PREFIX, RawPage, read_pages, warc_day, warc_key, write_warc

RAW_PREFIX = "raw/"
RECORDS_PREFIX = "articles/v1/"
PARTITION_KEY = "dt"
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"


def raw_key(source_id: str, url_key: str, fetched_at: datetime) -> str:
    return (
        f"{RAW_PREFIX}{source_id}/{fetched_at.date().isoformat()}/{url_key}/{fetched_at.strftime(_TIME_FORMAT)}.html.gz"
    )


def day_prefix(day: date | str) -> str:
    """The dt partition of one day's records (the day an article is dated: Article.day)."""
    return f"{RECORDS_PREFIX}{PARTITION_KEY}={day}/"


def record_key(article: Article) -> str:
    return f"{day_prefix(article.day)}{article.article_id}-v{article.version}.json"


def record_article_id(key: str) -> str:
    """The article id in a record key (`.../{article_id}-v{version}.json`)."""
    return key.rsplit("/", 1)[1].rsplit("-v", 1)[0]


def raw_day(key: str) -> date:
    return date.fromisoformat(key.split("/")[2])


@dataclass(frozen=True)
class RawRef:
    """Where an archived page is: a WARC file and the page's byte range (or, written before WARC, a whole object)."""

    key: str
    offset: int | None = None
    length: int | None = None

    @property
    def byte_range(self) -> str | None:
        return (
            None
            if self.offset is None or self.length is None
            else f"bytes={self.offset}-{self.offset + self.length - 1}"
        )


@dataclass(frozen=True)
class DayRecords:
    """The JSON record objects of one dt partition, as listed (key, ETag): what compaction reads and
    what a day's articles are listed from."""

    day: date
    objects: tuple[tuple[str, str], ...]

    @property
    def fingerprint(self) -> str:
        lines = "".join(f"{key}\t{etag}\n" for key, etag in sorted(self.objects))
        return hashlib.sha256(lines.encode("utf-8")).hexdigest()

    @property
    def article_ids(self) -> list[str]:
        """Every article with a version dated this day, once each."""
        return list(dict.fromkeys(record_article_id(key) for key, _ in self.objects))


HEAD_CONCURRENCY = 16


class Archive:
    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    def put_pages(self, pages: Sequence[RawPage]) -> list[RawRef]:
        """One WARC file for a batch of pages: one PUT, however many pages. Refs align with `pages`."""
        if not pages:
            return []
        key = warc_key(min(p.meta.fetched_at for p in pages), uuid.uuid4().hex[:12])
        body, ranges = write_warc(pages, key.rsplit("/", 1)[1])
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/warc")
        return [RawRef(key, r.offset, r.length) for r in ranges]

    def get_page(self, ref: RawRef) -> tuple[bytes, RawMeta]:
        """One GET: the page's byte range of its WARC file, or the whole object of the old format."""
        if ref.byte_range is None:
            return self.get_raw(ref.key)
        data = self.client.get_object(Bucket=self.bucket, Key=ref.key, Range=ref.byte_range)["Body"].read()
        for _range, body, meta in read_pages(data):
            return body, meta
        raise ValueError(f"no page at {ref}")

    def list_pages(
        self, source_id: str | None = None, since: date | None = None, until: date | None = None
    ) -> Iterator[tuple[RawRef, RawMeta]]:
        """Every archived page fetched in [since, until] (days), both formats, with its fetch metadata.

        WARC files are read whole (one GET per batch file); old-format pages answer a HEAD each.
        """
        for key in self._keys(WARC_PREFIX):
            day = date.fromisoformat(warc_day(key))
            if (since is None or day >= since) and (until is None or day <= until):
                data = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                for page_range, _body, meta in read_pages(data):
                    if source_id is None or meta.source_id == source_id:
                        yield RawRef(key, page_range.offset, page_range.length), meta
        with ThreadPoolExecutor(max_workers=HEAD_CONCURRENCY) as pool:
            for chunk in batched(self.list_raw(source_id, since, until), 100):
                for key, meta in zip(chunk, pool.map(self.head_raw, chunk), strict=True):
                    yield RawRef(key), meta

    def put_raw(self, key: str, body: bytes, meta: RawMeta) -> None:
        """The format before WARC (one gzip object per page): kept so tests can build such an archive."""
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=gzip.compress(body, compresslevel=6),
            ContentType="application/gzip",
            Metadata=meta.to_s3(),
        )

    def get_raw(self, key: str) -> tuple[bytes, RawMeta]:
        response = self.client.get_object(Bucket=self.bucket, Key=key)
        return gzip.decompress(response["Body"].read()), RawMeta.from_s3(response["Metadata"])

    def head_raw(self, key: str) -> RawMeta:
        """The fetch metadata alone (a HEAD): what a replay needs to queue a page without reading it."""
        return RawMeta.from_s3(self.client.head_object(Bucket=self.bucket, Key=key)["Metadata"])

    def list_raw(
        self, source_id: str | None = None, since: date | None = None, until: date | None = None
    ) -> Iterator[str]:
        """Raw page keys, oldest day first, filtered on the day in the key (no object reads)."""
        prefix = f"{RAW_PREFIX}{source_id}/" if source_id else RAW_PREFIX
        for key in self._keys(prefix):
            day = raw_day(key)
            if (since is None or day >= since) and (until is None or day <= until):
                yield key

    def put_record(self, article: Article) -> str:
        key = record_key(article)
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=article.model_dump_json().encode("utf-8") + b"\n",
            ContentType="application/json",
        )
        return key

    def get_record(self, key: str) -> Article:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return Article.model_validate_json(body)

    def find_record(self, key: str) -> Article | None:
        """The record, or None when S3 has none at that key (a version claimed, its record not yet written)."""
        try:
            return self.get_record(key)
        except self.client.exceptions.NoSuchKey:
            return None

    def day_records(self, day: date) -> DayRecords:
        """One day's record objects: ListObjectsV2 on its dt= prefix (1,000 keys a page), no object reads."""
        objects = tuple((o["Key"], o["ETag"]) for o in self._objects(day_prefix(day)) if o["Key"].endswith(".json"))
        return DayRecords(day, objects)

    def list_records(self, since: date | None = None, until: date | None = None) -> Iterator[str]:
        for key in self._keys(RECORDS_PREFIX):
            day = date.fromisoformat(key.split("/")[2].removeprefix(f"{PARTITION_KEY}="))
            if (since is None or day >= since) and (until is None or day <= until):
                yield key

    def _keys(self, prefix: str) -> Iterator[str]:
        return (obj["Key"] for obj in self._objects(prefix))

    def _objects(self, prefix: str) -> Iterator[dict]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])
