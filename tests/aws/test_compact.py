"""Compaction into Parquet: a re-run changes nothing, late records merge in, and SQL answers as over the JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
from moto.server import ThreadedMotoServer

from newsingest.local.analytics import Layout, S3Access, Tables, records_sql
from newsingest.models.records import Article, Entity, EntityType, Flag
from newsingest.pipeline.compact import DayOutcome, closed_days, compact_days
from newsingest.storage.archive import Archive, record_key
from newsingest.storage.compacted import PARQUET_PREFIX, CompactedTables

KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
DAYS = [date(2026, 11, 16) + timedelta(days=n) for n in range(4)]
SOURCES = ["harbour", "ledger", "wire"]
NAMES = [(EntityType.PERSON, "Anita Kowalczyk"), (EntityType.ORG, "Harbour Board"), (EntityType.PLACE, "Solent")]


def article(n: int, version: int = 1, day: date = DAYS[0]) -> Article:
    text = f"Story {n} version {version}: the harbour board met in Southampton. " * (1 + n % 4)
    published = datetime(day.year, day.month, day.day, n % 24, tzinfo=UTC)
    entities = [
        Entity(name=name, type=kind, mentions=1 + (n + i) % 3, offsets=[i * 7, i * 7 + 40], salience=0.25 * (i + 1))
        for i, (kind, name) in enumerate(NAMES)
        if (n + i) % 2 == 0
    ]
    return Article(
        article_id=f"a{n:04d}",
        url=f"https://{SOURCES[n % 3]}.example/{n}",
        canonical_url=f"https://{SOURCES[n % 3]}.example/{n}",
        source_id=SOURCES[n % 3],
        domain=f"{SOURCES[n % 3]}.example",
        title=f"Story {n}" if n % 5 else None,
        authors=["Ana Lima"] if n % 2 else [],
        published_at=published if n % 7 else None,
        fetched_at=published + timedelta(hours=1),
        text=text,
        word_count=len(text.split()),
        content_hash=f"{n:064d}",
        simhash=f"{n:016x}",
        version=version,
        entities=entities,
        flags=[Flag(kind="paywall", reason="metered")] if n % 6 == 0 else [],
        provenance={"title": "jsonld"},
        raw_s3_key="warc/2026-11-16/x.warc.gz",
        raw_offset=100 * n,
        raw_length=99,
        pipeline_version="test",
        extractor_versions={"trafilatura": "2.3.1"},
    )


@pytest.fixture(scope="module")
def s3():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._server.server_port}"
    yield endpoint, boto3.client("s3", endpoint_url=endpoint, **KEYS)
    server.stop()


@pytest.fixture
def bucket(s3, request):
    endpoint, client = s3
    name = f"compact-{request.node.name.replace('_', '-')[:40]}".lower()
    client.create_bucket(Bucket=name)
    archive = Archive(client, name)
    for n in range(40):
        day = DAYS[n % len(DAYS)]
        archive.put_record(article(n, day=day))
        if n % 4 == 1:  # a second version, the same day
            archive.put_record(article(n, version=2, day=day))
    return endpoint, client, name


def parquet_objects(client, bucket: str) -> dict[str, str]:
    listed = client.list_objects_v2(Bucket=bucket, Prefix=PARQUET_PREFIX).get("Contents", [])
    return {o["Key"]: o["ETag"] for o in listed}


def layout(tables: CompactedTables) -> Layout:
    return Layout(frozenset(tables.compacted_days()), frozenset(tables.days_with_records()))


def test_closed_days_are_before_today():
    assert closed_days(date(2026, 11, 20), 3) == [date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19)]


def test_a_re_run_writes_nothing(bucket):
    _, client, name = bucket
    tables = CompactedTables(client, name)
    first = compact_days(DAYS, tables)
    assert [r.outcome for r in first] == [DayOutcome.COMPACTED] * len(DAYS)
    assert sum(r.rows["article_versions"] for r in first) == 50 and sum(r.rows["articles_latest"] for r in first) == 40
    before = parquet_objects(client, name)
    assert len(before) == 3 * len(DAYS)  # two tables and a manifest per day

    puts: list = []
    client.meta.events.register("before-call.s3.PutObject", lambda **kw: puts.append(kw))
    client.meta.events.register("before-call.s3.CreateMultipartUpload", lambda **kw: puts.append(kw))
    again = compact_days(DAYS, tables)
    assert [r.outcome for r in again] == [DayOutcome.UNCHANGED] * len(DAYS)
    assert puts == []
    assert parquet_objects(client, name) == before
    assert compact_days([DAYS[-1] + timedelta(days=1)], tables)[0].outcome is DayOutcome.EMPTY


def test_a_late_record_merges_with_a_day_whose_json_has_expired(bucket):
    endpoint, client, name = bucket
    tables = CompactedTables(client, name)
    compact_days(DAYS[:1], tables)
    expired = [key for key, _ in tables.day_records(DAYS[0]).objects]
    for key in expired:  # the lifecycle rule expired the day's JSON
        client.delete_object(Bucket=name, Key=key)
    late = article(1000, day=DAYS[0])
    Archive(client, name).put_record(late)

    (report,) = compact_days(DAYS[:1], tables)
    assert report.outcome is DayOutcome.COMPACTED and report.json_objects == 1
    _, rows = records_sql(
        f"SELECT article_id, version FROM article_versions WHERE dt = '{DAYS[0]}' ORDER BY 1, 2",
        name,
        S3Access(region="us-east-1", key_id="testing", secret="testing", endpoint=endpoint),
        Layout(frozenset({DAYS[0]}), frozenset({DAYS[0]})),
    )
    expected = sorted(
        {(k.rsplit("/", 1)[1].split("-v")[0], int(k.rsplit("-v", 1)[1].removesuffix(".json"))) for k in expired}
        | {(late.article_id, 1)}
    )
    assert rows == expected
    assert record_key(late) not in expired


QUERIES = {
    "count by source for a day": (
        "SELECT source_id, count(*) FROM articles WHERE dt = '2026-11-17' GROUP BY 1 ORDER BY 1"
    ),
    "mentions of an entity in a week": (
        "SELECT DISTINCT article_id FROM articles_latest, unnest(entities) AS e(entity) "
        "WHERE dt BETWEEN '2026-11-16' AND '2026-11-22' AND entity.name = 'Harbour Board' ORDER BY 1"
    ),
    "latest versions of ids": (
        "SELECT article_id, version, text FROM articles_latest "
        "WHERE article_id IN ('a0001', 'a0005', 'a0010') ORDER BY 1"
    ),
    "every row, every column": "SELECT * FROM article_versions ORDER BY article_id, version",
    "one row per article": "SELECT count(*), count(DISTINCT article_id) FROM articles_latest",
    "the newest version of every article": "SELECT article_id, version, dt FROM latest ORDER BY 1",
}


@pytest.mark.parametrize("query", QUERIES)
def test_sql_over_the_compacted_tables_answers_as_over_the_json(bucket, query):
    endpoint, client, name = bucket
    tables = CompactedTables(client, name)
    access = S3Access(region="us-east-1", key_id="testing", secret="testing", endpoint=endpoint)
    json_columns, json_rows = records_sql(QUERIES[query], name, access, layout(tables), Tables.JSON)
    compact_days(DAYS, tables)
    assert layout(tables).compacted_days == set(DAYS)
    parquet_columns, parquet_rows = records_sql(QUERIES[query], name, access, layout(tables))
    assert parquet_columns == json_columns
    assert parquet_rows == json_rows and json_rows and json_rows != [(0, 0)]


def test_uncompacted_days_are_read_from_json_beside_the_parquet(bucket):
    endpoint, client, name = bucket
    tables = CompactedTables(client, name)
    compact_days(DAYS[:2], tables)
    access = S3Access(region="us-east-1", key_id="testing", secret="testing", endpoint=endpoint)
    sql = "SELECT dt, count(*) FROM articles GROUP BY dt ORDER BY dt"
    assert records_sql(sql, name, access, layout(tables)) == records_sql(sql, name, access, layout(tables), Tables.JSON)


def test_compact_and_query_on_the_command_line(bucket, monkeypatch, capsys):
    from newsingest.cli import main

    endpoint, client, name = bucket
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for key, value in {"AWS_ENDPOINT_URL": endpoint, "TABLE_NAME": "t", "BUCKET_NAME": name}.items():
        monkeypatch.setenv(key, value)
    assert main(["compact", "--since", str(DAYS[0]), "--until", str(DAYS[1])]) == 0
    out = capsys.readouterr().out
    assert f"{DAYS[0]}: compacted" in out and f"{DAYS[1]}: compacted" in out
    assert CompactedTables(client, name).compacted_days() == set(DAYS[:2])
    assert main(["query", "--format", "jsonl", "--sql", "SELECT count(*) AS n FROM articles_latest"]) == 0
    assert capsys.readouterr().out.strip() == '{"n": 40}'
