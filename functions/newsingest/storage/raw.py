"""Fetch metadata of an archived page, in both archive formats (S3 object metadata, WARC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote


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
