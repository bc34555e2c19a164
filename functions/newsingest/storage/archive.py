"""S3 adapter: the raw HTML archive (replayable) and the published records.

Layout (the Glue table and the tests read the same constants):
  raw/{source_id}/{fetch day}/{url key}/{fetched %Y%m%dT%H%M%SZ}.html.gz   gzip, fetch metadata as object metadata
  articles/v1/dt={day}/{article_id}-v{version}.json                       one JSON object, one line
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote, unquote

from newsingest.models.records import Article

RAW_PREFIX = "raw/"
RECORDS_PREFIX = "articles/v1/"
PARTITION_KEY = "dt"
_TIME_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class RawMeta:
    """What we knew when we fetched the page: enough to replay it without the web."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    source_id: str

    def to_s3(self) -> dict[str, str]:
        values = {
            "url": self.url,
            "final-url": self.final_url,
            "status": str(self.status),
            "content-type": self.content_type,
            "etag": self.etag,
            "last-modified": self.last_modified,
            "fetched-at": self.fetched_at.isoformat(),
            "source-id": self.source_id,
        }
        # S3 metadata is ASCII only: percent-encode anything else.
        return {k: _ascii(v) for k, v in values.items() if v is not None}

    @classmethod
    def from_s3(cls, stored: dict[str, str]) -> RawMeta:
        meta = {k: unquote(v) for k, v in stored.items()}
        return cls(
            url=meta["url"],
            final_url=meta.get("final-url", meta["url"]),
            status=int(meta.get("status", "200")),
            content_type=meta.get("content-type"),
            etag=meta.get("etag"),
            last_modified=meta.get("last-modified"),
            fetched_at=datetime.fromisoformat(meta["fetched-at"]),
            source_id=meta["source-id"],
        )


_PRINTABLE_ASCII = "".join(chr(c) for c in range(32, 127))


def _ascii(value: str) -> str:
    return quote(value, safe=_PRINTABLE_ASCII)


def raw_key(source_id: str, url_key: str, fetched_at: datetime) -> str:
    return (
        f"{RAW_PREFIX}{source_id}/{fetched_at.date().isoformat()}/{url_key}/{fetched_at.strftime(_TIME_FORMAT)}.html.gz"
    )


def record_key(article: Article) -> str:
    return f"{RECORDS_PREFIX}{PARTITION_KEY}={article.day}/{article.article_id}-v{article.version}.json"


def raw_day(key: str) -> date:
    return date.fromisoformat(key.split("/")[2])


class Archive:
    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    def put_raw(self, key: str, body: bytes, meta: RawMeta) -> None:
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

    def list_records(self, since: date | None = None, until: date | None = None) -> Iterator[str]:
        for key in self._keys(RECORDS_PREFIX):
            day = date.fromisoformat(key.split("/")[2].removeprefix(f"{PARTITION_KEY}="))
            if (since is None or day >= since) and (until is None or day <= until):
                yield key

    def _keys(self, prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"]
