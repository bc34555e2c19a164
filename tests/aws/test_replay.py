"""Replay re-derives records from the raw archive: nothing fetched, and with an unchanged pipeline nothing changes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import yaml
from warcio.archiveiterator import ArchiveIterator

from newsingest import PIPELINE_VERSION
from newsingest.client import ArticleClient
from newsingest.local.runner import REPO_ROOT, LocalRuntime
from newsingest.models.records import Article
from newsingest.replay import newest_per_url, replay
from newsingest.storage.archive import Archive, RawMeta, RawRef
from newsingest.storage.queues import QueueSender
from newsingest.storage.stores import Repositories

TICK = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
# Two of the three sample sites, enough to filter by one: replay does the same per page whatever the
# site. Not northern-ledger: its redirect and the page it leads to are two archived pages of one
# article, and replayed in one batch (as they are with fewer pages) one of them commits first and the
# other is retried (RetryLater), which `stats.failed == 0` below does not allow for. Politeness is
# not what replay is about: no crawl delay between the first tick's fetches.
REPLAYED = ("harbour-times", "civic-wire")


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replay")
    sources = yaml.safe_load((REPO_ROOT / "sample_sites" / "sources.yaml").read_text())
    sources["sources"] = [{**source, "crawl_delay": 0} for source in sources["sources"] if source["id"] in REPLAYED]
    (folder / "sources.yaml").write_text(yaml.safe_dump(sources))
    with LocalRuntime(
        sources_path=folder / "sources.yaml", log_path=folder / "handlers.jsonl", state_file=None
    ) as runtime:
        runtime.tick(TICK)
        assert {record.source_id for record in runtime.latest_records()} == set(REPLAYED)
        yield runtime


def records(runtime) -> dict[str, bytes]:
    s3, bucket = runtime.clients["s3"], runtime.resources.bucket_name
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="articles/").get("Contents", [])]
    return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def index_items(runtime) -> dict[tuple[str, str], dict]:
    """The article items (latest + versions) as stored, but for when the commit claimed them (a clock
    reading); the test may scan, the client never does."""
    items = runtime.clients["dynamodb"].scan(TableName=runtime.resources.table_name)["Items"]
    return {
        (i["pk"]["S"], i["sk"]["S"]): {k: v for k, v in i.items() if k != "claimed_at"}
        for i in items
        if i["pk"]["S"].startswith("ART#")
    }


def client(runtime) -> ArticleClient:
    return ArticleClient(
        Repositories.over(runtime.clients["dynamodb"], runtime.resources.table_name),
        Archive(runtime.clients["s3"], runtime.resources.bucket_name),
    )


def queue(runtime) -> QueueSender:
    return QueueSender(runtime.clients["sqs"], runtime.resources.queues["ArticleQueue"].url)


def run_replay(runtime, now: datetime, **filters):
    report = replay(client(runtime), queue(runtime), now=now, **filters)
    stats = runtime.process.drain()
    return report, stats


def test_replay_with_an_unchanged_pipeline_changes_nothing(runtime):
    before_records, before_items = records(runtime), index_items(runtime)
    requests_before = len(runtime.sites.requests)
    assert before_records

    articles = {k.rsplit("-v", 1)[0] for k in before_records}
    # A second run (its own run id; one source, to keep it short) is processed again and still changes nothing.
    for n, source in enumerate((None, "civic-wire")):
        received_before = runtime.process.stats.received
        report, stats = run_replay(runtime, TICK + timedelta(hours=1, seconds=n), source_id=source)
        assert report.queued == report.records + report.retried > 0
        if source is None:
            assert report.records == len(articles)  # one page per article
        assert stats.received - received_before == report.queued
        assert stats.failed == 0
        assert records(runtime) == before_records
        assert index_items(runtime) == before_items

    assert len(runtime.sites.requests) == requests_before, "replay fetched from the web"
    assert all(b'"pipeline_version":"' + PIPELINE_VERSION.encode() + b'"' in body for body in before_records.values())


def test_replay_filters_by_source_and_fetch_day(runtime):
    fetch_day = datetime.now(UTC).date()  # the sample sites are fetched now, whatever the tick says
    everything = replay(client(runtime), queue(runtime), now=TICK)
    one_source = replay(client(runtime), queue(runtime), now=TICK, source_id="civic-wire", since=fetch_day)
    tomorrow = replay(client(runtime), queue(runtime), now=TICK, since=fetch_day + timedelta(days=1))
    runtime.clients["sqs"].purge_queue(QueueUrl=runtime.resources.queues["ArticleQueue"].url)
    assert 0 < one_source.archived < everything.archived
    assert 0 < one_source.queued < everything.queued
    assert tomorrow.archived == tomorrow.queued == 0


def test_an_orphan_url_is_retried_from_its_newest_page_only():
    def page(key: str, url: str, source: str, day: int, offset: int | None = None) -> tuple[RawRef, RawMeta]:
        fetched = datetime(2026, 11, day, 9, tzinfo=UTC)
        ref = RawRef(key, offset, None if offset is None else 100)
        return ref, RawMeta(url, url, 200, None, None, None, fetched, source)

    pages = [
        page("raw/harbour/2026-11-20/u1/20261120T090000Z.html.gz", "https://h.example/1", "harbour", 20),
        page("warc/2026-11-22/b.warc.gz", "https://h.example/1?utm_source=x", "harbour", 22, offset=10),
        page("warc/2026-11-21/a.warc.gz", "https://h.example/2", "harbour", 21, offset=10),
        page("warc/2026-11-21/a.warc.gz", "https://h.example/2", "harbour", 20, offset=500),
        page("warc/2026-11-19/c.warc.gz", "https://h.example/1", "other", 19, offset=10),
    ]
    assert newest_per_url(pages) == {
        RawRef("warc/2026-11-22/b.warc.gz", 10, 100),
        RawRef("warc/2026-11-21/a.warc.gz", 10, 100),
        RawRef("warc/2026-11-19/c.warc.gz", 10, 100),
    }


def test_the_raw_archive_is_warc_that_warcio_reads_with_one_range_per_record(runtime):
    """Every raw file we wrote is a WARC file warcio checks clean; each record's range is its page."""
    s3, bucket = runtime.clients["s3"], runtime.resources.bucket_name
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="warc/").get("Contents", [])]
    assert keys and not s3.list_objects_v2(Bucket=bucket, Prefix="raw/").get("KeyCount")
    files = {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}
    pages = 0
    for body in files.values():
        kinds = [record.rec_type for record in ArchiveIterator(io.BytesIO(body))]
        assert kinds[0] == "warcinfo" and kinds[1:] == ["request", "response", "metadata"] * ((len(kinds) - 1) // 3)
        pages += (len(kinds) - 1) // 3
    for body in records(runtime).values():
        record = Article.model_validate_json(body)
        assert record.raw_s3_key in files and record.raw_offset is not None and record.raw_length is not None
        piece = files[record.raw_s3_key][record.raw_offset : record.raw_offset + record.raw_length]
        response = [r for r in ArchiveIterator(io.BytesIO(piece)) if r.rec_type == "response"]
        assert len(response) == 1 and response[0].rec_headers.get_header("WARC-Target-URI") == record.url
    assert pages / len(files) > 1, "one WARC file per batch, not per page"
