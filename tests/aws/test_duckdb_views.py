"""The `latest` view (one row per article: its newest version) over S3, and `newsingest query --sql`
over a local JSON-lines export with the same views."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from test_duckdb import BUCKET, TEXT, access, endpoint, make_article  # noqa: F401  (endpoint: a fixture)

from newsingest.cli import main
from newsingest.local.analytics import file_sql, records_sql


def test_latest_holds_each_articles_newest_version_once(endpoint):  # noqa: F811
    columns, rows = records_sql("SELECT article_id, version FROM latest ORDER BY article_id", BUCKET, access(endpoint))
    assert columns == ["article_id", "version"]
    assert rows == [("a", 2), ("b", 1)]


@pytest.fixture
def export(tmp_path):
    """An export as `newsingest run --export` writes it: one record per line."""
    first = make_article("https://harbour.example/a", TEXT + " A.")
    late_evening = datetime(2026, 11, 20, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # the 21st in UTC
    records = [
        first,
        first.model_copy(update={"version": 2, "text": TEXT + " A, revised."}),
        make_article("https://harbour.example/b", TEXT + " B.", published_at=None),  # fetch day
        make_article("https://harbour.example/c", TEXT + " C.", published_at=late_evening),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    return path, records


def test_the_views_over_an_export_file(export):
    path, records = export
    _, rows = file_sql("SELECT article_id, version, dt FROM articles ORDER BY article_id, version", path)
    assert rows == [(r.article_id, r.version, r.day) for r in records]  # dt as the archive partitions it
    assert rows[-1][2] == "2026-11-20"  # the day written in the record, not the UTC day
    _, rows = file_sql("SELECT article_id, version FROM latest ORDER BY article_id", path)
    assert rows == [("a", 2), ("b", 1), ("c", 1)]
    _, rows = file_sql("SELECT published_at FROM latest WHERE article_id = 'c'", path)
    assert rows == [(datetime(2026, 11, 21, 4, 30, tzinfo=UTC),)]  # still typed as a timestamp


def test_query_sql_over_records_on_the_command_line_needs_no_aws(export, monkeypatch, capsys):
    for key in ("TABLE_NAME", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID"):
        monkeypatch.delenv(key, raising=False)
    path, _ = export
    sql = "SELECT dt, count(*) AS n FROM latest GROUP BY dt ORDER BY dt"
    assert main(["query", "--format", "jsonl", "--records", str(path), "--sql", sql]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows == [{"dt": "2026-11-20", "n": 3}]


@pytest.mark.parametrize(
    ("argv", "code", "said"),
    [
        (["--sql", "SELECT nope FROM latest"], 1, 'Referenced column "nope" not found'),
        (["--id", "a"], 2, "--records needs --sql"),
    ],
)
def test_records_errors_are_one_line(export, capsys, argv, code, said):
    path, _ = export
    assert main(["query", "--records", str(path), *argv]) == code
    err = " ".join(capsys.readouterr().err.split())
    assert said in err and "Traceback" not in err


def test_a_missing_records_file_is_named(tmp_path, capsys):
    assert main(["query", "--records", str(tmp_path / "none.jsonl"), "--sql", "SELECT 1"]) == 3  # not there
    err = capsys.readouterr().err
    assert str(tmp_path / "none.jsonl") in "".join(err.splitlines())  # rich folds a long path across lines
