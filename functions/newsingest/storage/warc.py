"""The raw archive as WARC (warcio): what web archives, pywb, CDX indexers and research tools read.

One gzipped WARC file per process batch, under warc/{fetch day}/{stamp}-{batch id}.warc.gz. Per page,
three records in this order: `request` (the headers we sent), `response` (the headers that came
back and the body as stored: decoded, so its Content-Encoding is kept as X-Crawler-Content-Encoding),
and a `metadata` record (application/warc-fields: source id, the URL asked for, the exact fetch
time). Each record is its own gzip member, so a page is one byte range: from its request record to
the end of its metadata record. That (key, offset, length) is what the record and a replay task keep.

Pure functions over bytes here; the S3 calls are in storage/archive.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsingest.storage.raw import RawMeta

WARC_PREFIX = "warc/"
WARC_SUFFIX = ".warc.gz"
# Stored bodies are decoded; these response headers would describe bytes we do not keep.
_RENAMED = {"content-encoding", "transfer-encoding", "content-length"}
_CRAWLER_HEADER = "x-crawler-"


@dataclass(frozen=True)
class RawPage:
    """One fetched page to archive: the body as the pipeline read it, and the exchange around it."""

    body: bytes
    meta: RawMeta
    response_headers: dict[str, str]
    request_headers: dict[str, str]


@dataclass(frozen=True)
class PageRange:
    """Where one page lies in a WARC file: one ranged GET reads it."""

    offset: int
    length: int


def warc_key(fetched_at: datetime, batch_id: str) -> str:
    return (
        f"{WARC_PREFIX}{fetched_at.date().isoformat()}/{fetched_at.strftime('%Y%m%dT%H%M%SZ')}-{batch_id}{WARC_SUFFIX}"
    )


def warc_day(key: str) -> str:
    return key.split("/")[1]


def write_warc(pages: Sequence[RawPage], filename: str) -> tuple[bytes, list[PageRange]]:
    """A whole WARC file (warcinfo first), and each page's byte range in it, aligned with `pages`."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(filename, {"software": "newsingest", "format": "WARC/1.1"}))
    ranges = []
    for page in pages:
        start = out.tell()
        for record in _page_records(writer, page):
            writer.write_record(record)
        ranges.append(PageRange(start, out.tell() - start))
    return out.getvalue(), ranges


def _page_records(writer: WARCWriter, page: RawPage) -> list:
    meta = page.meta
    date = _warc_date(meta.fetched_at)
    response = writer.create_warc_record(
        meta.final_url,
        "response",
        payload=io.BytesIO(page.body),
        length=len(page.body),
        http_headers=_response_headers(meta.status, page.response_headers, len(page.body)),
        warc_headers_dict={"WARC-Date": date},
    )
    concurrent = {"WARC-Date": date, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")}
    target = urlsplit(meta.final_url)
    request_line = f"GET {target.path or '/'}{'?' + target.query if target.query else ''} HTTP/1.1"
    request = writer.create_warc_record(
        meta.final_url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(request_line, list(page.request_headers.items()), is_http_request=True),
        warc_headers_dict=concurrent,
    )
    fields = _metadata_fields(meta)
    metadata = writer.create_warc_record(
        meta.final_url,
        "metadata",
        payload=io.BytesIO(fields),
        length=len(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict=concurrent,
    )
    return [request, response, metadata]


def _warc_date(when: datetime) -> str:
    """WARC/1.1 allows sub-second dates: keep the exact fetch time."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _response_headers(status: int, headers: dict[str, str], body_length: int) -> StatusAndHeaders:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    kept = [(_CRAWLER_HEADER + name if name.lower() in _RENAMED else name, value) for name, value in headers.items()]
    kept.append(("Content-Length", str(body_length)))
    return StatusAndHeaders(f"{status} {phrase}", kept, protocol="HTTP/1.1")


def _metadata_fields(meta: RawMeta) -> bytes:
    fields = {"source-id": meta.source_id, "requested-url": meta.url, "fetched-at": meta.fetched_at.isoformat()}
    return "".join(f"{name}: {value}\r\n" for name, value in fields.items()).encode("utf-8")


def read_pages(data: bytes) -> Iterator[tuple[PageRange, bytes, RawMeta]]:
    """Every page in WARC bytes (a whole file, or one page's range), with its range and fetch metadata."""
    stream = ArchiveIterator(io.BytesIO(data))
    start: int | None = None
    response = None
    for record in stream:
        payload = record.content_stream().read()  # before asking for offsets: that would skip it
        stream.read_to_end(record)
        offset = stream.get_record_offset()
        if record.rec_type == "request":
            start, response = offset, None
        elif record.rec_type == "response":
            start = offset if start is None else start
            response = (payload, record.http_headers, record.rec_headers)
        elif record.rec_type == "metadata" and response is not None and start is not None:
            end = offset + stream.get_record_length()
            body, http, warc = response
            yield PageRange(start, end - start), body, _meta(http, warc, _parse_fields(payload))
            start, response = None, None


def _parse_fields(payload: bytes) -> dict[str, str]:
    fields = {}
    for line in payload.decode("utf-8").splitlines():
        name, _, value = line.partition(":")
        if name:
            fields[name.strip()] = value.strip()
    return fields


def _meta(http: StatusAndHeaders, warc, fields: dict[str, str]) -> RawMeta:
    final_url = warc.get_header("WARC-Target-URI")
    return RawMeta(
        url=fields.get("requested-url", final_url),
        final_url=final_url,
        status=int(http.get_statuscode()),
        content_type=http.get_header("content-type"),
        etag=http.get_header("etag"),
        last_modified=http.get_header("last-modified"),
        fetched_at=datetime.fromisoformat(fields.get("fetched-at") or warc.get_header("WARC-Date")),
        source_id=fields["source-id"],
    )
