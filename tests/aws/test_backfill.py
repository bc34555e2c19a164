"""`newsingest backfill`: older articles through the same queues and the same dedup."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newsingest.cli import main
from newsingest.local.runner import REPO_ROOT, LocalRuntime


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


def test_backfill_since_a_later_date_takes_fewer(runtime):
    main(["backfill", "northern-ledger", "--since", "2026-11-20"])
    later = queued(runtime)
    runtime.tick(datetime(2026, 11, 24, 6, tzinfo=UTC))  # process them, then discover the rest normally
    assert later
    assert all(t["hints"]["published_at"] is None or t["hints"]["published_at"] >= "2026-11-20" for t in later)


def test_backfill_of_an_unknown_source_says_so(runtime, capsys):
    assert main(["backfill", "nope", "--since", "2026-11-01"]) == 1
    assert "unknown source" in capsys.readouterr().err


def skipped_urls(runtime) -> dict[str, str]:
    """URL -> updated_at of every URL item recorded as skipped."""
    items = runtime.clients["dynamodb"].scan(TableName=runtime.resources.table_name)["Items"]
    return {i["url"]["S"]: i["updated_at"]["S"] for i in items if i.get("status", {}).get("S") == "skipped"}


def test_a_url_skipped_before_is_not_written_again(runtime, capsys):
    main(["backfill", "harbour-times", "--since", "2026-11-01"])
    first = skipped_urls(runtime)
    assert first  # the robots-disallowed feed item is recorded as skipped
    assert "1 skipped" in capsys.readouterr().out
    main(["backfill", "harbour-times", "--since", "2026-11-01"])
    assert skipped_urls(runtime) == first  # not written again: same items, same times
    assert "0 skipped" in capsys.readouterr().out


def test_a_backfill_after_a_scheduled_run_still_reads_the_unchanged_feed(runtime, capsys):
    runtime.tick(datetime(2026, 11, 24, 6, tzinfo=UTC))  # the feed is read and its validators kept
    assert main(["backfill", "harbour-times", "--since", "2026-11-01"]) == 0
    out = capsys.readouterr().out
    found = int(out.split(" URLs found")[0].rsplit(" ", 1)[1])
    assert found > 0 and "0 enqueued" in out  # every entry read again; all already known, nothing twice
