"""`newsingest backfill`: older articles through the same queues and the same dedup."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from deployed import SAMPLE_SOURCES, deploy

from newsingest.cli import main
from newsingest.local.runner import REPO_ROOT, LocalRuntime

TICK = datetime(2026, 11, 24, 6, tzinfo=UTC)


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the CLI finds this runtime by its .newsingest/local.json
    with LocalRuntime(
        sources_path=REPO_ROOT / "sample_sites" / "sources.yaml", log_path=tmp_path / "handlers.jsonl"
    ) as runtime:
        yield runtime


def queued(runtime) -> list[dict]:
    sqs, url = runtime.clients["sqs"], runtime.resources.queues["ArticleQueue"].url
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies += [json.loads(m["Body"]) for m in messages]
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return bodies


def test_backfill_enqueues_a_sources_articles_once(runtime, capsys):
    assert main(["backfill", "northern-ledger", "--since", "2026-11-01"]) == 0
    first = queued(runtime)
    assert first and {t["discovered_via"] for t in first} == {"backfill"}
    assert len({t["url"] for t in first}) == len(first)
    assert "enqueued" in capsys.readouterr().out

    assert main(["backfill", "northern-ledger", "--since", "2026-11-01"]) == 0
    assert queued(runtime) == []  # the same dedup: nothing twice


def test_backfill_of_an_unknown_source_says_so(runtime, capsys):
    assert main(["backfill", "nope", "--since", "2026-11-01"]) == 1
    assert "unknown source" in capsys.readouterr().err


def skipped_urls(deployed) -> dict[str, str]:
    """URL -> updated_at of every URL item recorded as skipped."""
    items = deployed.clients["dynamodb"].scan(TableName=deployed.resources.table_name)["Items"]
    return {i["url"]["S"]: i["updated_at"]["S"] for i in items if i.get("status", {}).get("S") == "skipped"}


@pytest.fixture
def deployed(aws, sites):
    """The same application in-process: the backfill use case without the CLI or the runtime."""
    return deploy(aws, SAMPLE_SOURCES, sites)


def backfill(deployed, source_id: str, since: date, tick: datetime = TICK):
    return deployed.app.discover(deployed.app.catalog.load().get(source_id), tick, since=since)


def test_backfill_since_a_later_date_takes_fewer_and_the_earlier_one_the_rest(deployed):
    later = backfill(deployed, "northern-ledger", date(2026, 11, 20))
    first = queued(deployed)
    assert later.new == len(first) > 0
    assert all(t["hints"]["published_at"] is None or t["hints"]["published_at"] >= "2026-11-20" for t in first)
    everything = backfill(deployed, "northern-ledger", date(2026, 11, 1), TICK + timedelta(minutes=1))
    rest = queued(deployed)
    assert everything.candidates > later.candidates and everything.new == len(rest) > 0
    assert not {t["url"] for t in first} & {t["url"] for t in rest}  # nothing twice


def test_a_url_skipped_before_is_not_written_again(deployed):
    report = backfill(deployed, "harbour-times", date(2026, 11, 1))
    first = skipped_urls(deployed)
    assert first and sum(report.skipped.values()) == 1  # the robots-disallowed feed item
    again = backfill(deployed, "harbour-times", date(2026, 11, 1), TICK + timedelta(minutes=1))
    assert skipped_urls(deployed) == first and sum(again.skipped.values()) == 0  # not written again


def test_a_backfill_after_a_scheduled_run_still_reads_the_unchanged_feed(deployed):
    source = deployed.app.catalog.load().get("harbour-times")
    scheduled = deployed.app.discover(source, TICK)  # the feed is read and its validators kept
    assert scheduled.new > 0
    report = backfill(deployed, "harbour-times", date(2026, 11, 1), TICK + timedelta(minutes=15))
    assert report.candidates > 0 and report.new == 0  # every entry read again; all already known, nothing twice
