"""`newsingest query --sql`: DuckDB reads the S3 records through httpfs, here from a moto server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from moto.server import ThreadedMotoServer

from newsingest.cli import main
from newsingest.local.analytics import S3Access, records_sql
from newsingest.models.records import Article
from newsingest.storage.archive import Archive

BUCKET = "records-under-test"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
TEXT = "The harbour board approved the new ferry terminal after a long public consultation."


def make_article(url: str, text: str, published_at: datetime | None = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)):
    return Article(
        article_id=url.rsplit("/", 1)[1],
        url=url,
        canonical_url=url,
        source_id="harbour",
        domain="harbour.example",
        title=text.split(".")[0],
        published_at=published_at,
        fetched_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        text=text,
        word_count=len(text.split()),
        content_hash="0" * 64,
        simhash="0" * 16,
        pipeline_version="test",
    )


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{server._server.server_port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_keys())
    s3.create_bucket(Bucket=BUCKET)
    archive = Archive(s3, BUCKET)
    first = make_article("https://harbour.example/a", TEXT + " A.")
    archive.put_record(first)
    archive.put_record(first.model_copy(update={"version": 2, "text": TEXT + " A, revised."}))
    archive.put_record(make_article("https://harbour.example/b", TEXT + " B.", published_at=None))  # fetch day
    yield endpoint
    server.stop()


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def access(endpoint: str) -> S3Access:
    return S3Access(region="us-east-1", key_id="testing", secret="testing", endpoint=endpoint)


def test_every_record_version_is_a_row(endpoint):
    columns, rows = records_sql(
        "SELECT article_id, version, source_id FROM articles ORDER BY article_id, version", BUCKET, access(endpoint)
    )
    assert columns == ["article_id", "version", "source_id"]
    assert len(rows) == 3
    assert [r[1] for r in rows].count(2) == 1


def test_the_partition_is_a_column_to_filter_on(endpoint):
    _, rows = records_sql(
        "SELECT count(*), min(title) FROM articles WHERE dt = '2026-11-20' AND published_at IS NOT NULL",
        BUCKET,
        access(endpoint),
    )
    assert rows == [(2, "The harbour board approved the new ferry terminal after a long public consultation")]
    _, rows = records_sql("SELECT count(*) FROM articles WHERE dt = '2026-11-21'", BUCKET, access(endpoint))
    assert rows == [(0,)]


def test_query_sql_on_the_command_line(endpoint, monkeypatch, capsys):
    for key, value in {**CREDENTIALS, "AWS_ENDPOINT_URL": endpoint, "TABLE_NAME": "t", "BUCKET_NAME": BUCKET}.items():
        monkeypatch.setenv(key, value)
    code = main(["query", "--format", "jsonl", "--sql", "SELECT dt, count(*) AS n FROM articles GROUP BY dt"])
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [{"dt": "2026-11-20", "n": 3}]
