"""The raw archive in S3: one WARC file per batch that warcio checks clean, one ranged GET per page,
and pages archived before WARC still listed and read."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.cli import main as warcio

from newsingest.storage.archive import Archive, RawRef, raw_key
from newsingest.storage.raw import RawMeta
from newsingest.storage.warc import RawPage

FETCHED = datetime(2026, 11, 20, 9, 30, 1, 123456, tzinfo=UTC)


def page(n: int, source: str = "harbour", fetched: datetime = FETCHED) -> RawPage:
    url = f"https://{source}.example/news/{n}?ref=feed"
    meta = RawMeta(
        url=url,
        final_url=url.replace("?ref=feed", ""),
        status=200,
        content_type="text/html; charset=utf-8",
        etag=f'"etag-{n}"',
        last_modified="Fri, 20 Nov 2026 09:00:00 GMT",
        fetched_at=fetched + timedelta(seconds=n),
        source_id=source,
    )
    body = f"<html><body><h1>Story {n}</h1><p>Caf\u00e9 news.</p></body></html>".encode() * (n + 1)
    response = {"content-type": meta.content_type, "etag": meta.etag, "last-modified": meta.last_modified}
    response |= {"content-encoding": "gzip", "vary": "Accept"}
    return RawPage(body, meta, response, {"User-Agent": "newsingest/test", "Host": f"{source}.example"})


@pytest.fixture
def archive(aws) -> Archive:
    return Archive(aws.clients["s3"], aws.resources.bucket_name)


def test_a_batch_is_one_put_of_a_file_warcio_checks_clean(aws, archive, tmp_path, capsys):
    puts = aws.count_calls("s3", "PutObject")
    pages = [page(n) for n in range(10)]
    refs = archive.put_pages(pages)
    assert len(puts) == 1 and len({r.key for r in refs}) == 1
    assert refs[0].key.startswith("warc/2026-11-20/") and refs[0].key.endswith(".warc.gz")

    body = aws.clients["s3"].get_object(Bucket=archive.bucket, Key=refs[0].key)["Body"].read()
    (tmp_path / "batch.warc.gz").write_bytes(body)
    with pytest.raises(SystemExit) as checked:
        warcio(["check", str(tmp_path / "batch.warc.gz")])
    assert checked.value.code == 0, capsys.readouterr().out
    records = list(ArchiveIterator(io.BytesIO(body)))
    assert [r.rec_type for r in records] == ["warcinfo"] + ["request", "response", "metadata"] * 10


def test_each_page_is_one_ranged_get_that_gives_back_what_was_fetched(aws, archive):
    pages = [page(n) for n in range(5)]
    refs = archive.put_pages(pages)
    gets = aws.count_calls("s3", "GetObject")
    for original, ref in zip(pages, refs, strict=True):
        body, meta = archive.get_page(ref)
        assert body == original.body and meta == original.meta
    assert len(gets) == len(pages) and all(g["params"]["Range"].startswith("bytes=") for g in gets)


def test_the_response_record_keeps_the_headers_that_came_back(archive, aws):
    (ref,) = archive.put_pages([page(3)])
    data = aws.clients["s3"].get_object(Bucket=archive.bucket, Key=ref.key, Range=ref.byte_range)
    (response,) = [r for r in ArchiveIterator(io.BytesIO(data["Body"].read())) if r.rec_type == "response"]
    assert response.http_headers.get_statuscode() == "200"
    assert response.http_headers.get_header("etag") == '"etag-3"'
    assert response.http_headers.get_header("vary") == "Accept"
    # the body is stored decoded: the encoding it came in is kept, renamed, so no reader decodes it twice
    assert response.http_headers.get_header("content-encoding") is None
    assert response.http_headers.get_header("x-crawler-content-encoding") == "gzip"


def test_pages_of_both_formats_are_listed_by_source_and_fetch_day(archive):
    warc_refs = archive.put_pages([page(1), page(2, source="ledger")])
    old = page(7)
    old_key = raw_key(old.meta.source_id, "u7", old.meta.fetched_at)
    archive.put_raw(old_key, old.body, old.meta)
    later = page(8, fetched=FETCHED + timedelta(days=2))
    archive.put_pages([later])

    listed = dict(archive.list_pages())
    assert len(listed) == 4 and listed[RawRef(old_key)] == old.meta
    assert set(warc_refs) <= set(listed)
    harbour = dict(archive.list_pages(source_id="harbour", until=date(2026, 11, 20)))
    assert {meta.url for meta in harbour.values()} == {page(1).meta.url, old.meta.url}
    body, meta = archive.get_page(RawRef(old_key))  # the old format: the whole object
    assert body == old.body and meta == old.meta
