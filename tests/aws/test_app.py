"""The use cases through the application, against in-process moto and a news site on 127.0.0.1:
schedule -> discover -> ingest, each called directly, with no runtime, handler or queue driver."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from news_site import TICK

from newsingest.app import SourceCatalog
from newsingest.local.state import NoLocalRuntime, local_application, read_state
from newsingest.models.messages import ArticleTask, DiscoverRequest
from newsingest.models.outcomes import Outcome, SkipReason
from newsingest.pipeline.commit import RetryLater
from newsingest.pipeline.ingest import Ingest


def sources_file(tmp_path, *sources: str) -> str:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + "".join(sources), encoding="utf-8")
    return str(path)


def source_yaml(source_id: str, base: str, enabled: bool = True) -> str:
    return (
        f"  - id: {source_id}\n    name: {source_id}\n    homepage: {base}/\n    feeds: [{base}/feed.xml]\n"
        f"    enabled: {str(enabled).lower()}\n    crawl_delay: 0\n"
    )


def messages(aws, queue: str) -> list[dict]:
    sqs, url = aws.clients["sqs"], aws.resources.queues[queue].url
    found = []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        found += [json.loads(m["Body"]) for m in got]
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return found


@pytest.fixture
def app(aws, site, tmp_path):
    news = site(5)
    uri = sources_file(
        tmp_path,
        source_yaml("harbour", news.base),
        source_yaml("resting", news.base, enabled=False),
        "  - id: broken\n    name: Broken\n    homepage: not a url\n",
    )
    app = aws.application(sources_uri=uri, fetch_allow_hosts="127.0.0.1", default_crawl_delay=0, tagger="none")
    app.news = news
    return app


def test_schedule_queues_each_due_enabled_source_and_reports_a_bad_one(app, aws):
    outcome = app.schedule(TICK)
    assert outcome.queued == ["harbour"]
    assert len(outcome.problems) == 1 and "broken" in outcome.problems[0]
    assert [DiscoverRequest.model_validate(m).source_id for m in messages(aws, "DiscoverQueue")] == ["harbour"]


def test_discover_then_ingest_store_every_article_once(app, aws):
    source = app.catalog.load().get("harbour")
    report = app.discover(source, TICK)
    assert (report.documents, report.new) == (1, 5)
    tasks = [ArticleTask.model_validate(m) for m in messages(aws, "ArticleQueue")]
    assert sorted(t.url for t in tasks) == sorted(f"{app.news.base}/news/{n}" for n in range(5))

    results = app.ingest(tasks)
    assert [r.outcome for r in results] == [Outcome.STORED] * 5
    again = app.ingest(tasks)
    assert [r.outcome for r in again] == [Outcome.UNCHANGED] * 5, [(r.outcome, r.detail) for r in again]
    stored = app.client.by_source("harbour", since=TICK - timedelta(days=7))
    assert len(list(stored)) == 5

    again = app.discover(source, TICK + timedelta(minutes=15))  # the feed has not changed: nothing queued
    assert (again.new, again.not_modified) == (0, 1) and messages(aws, "ArticleQueue") == []


def test_discover_stops_starting_documents_when_the_lambda_time_is_nearly_up(app, aws):
    report = app.discover(app.catalog.load().get("harbour"), TICK, remaining=lambda: 5.0)
    assert report.documents == 0 and "time is nearly up" in report.problems[0]
    assert app.news.fetched == ["/robots.txt"]


def test_the_sources_file_is_read_at_most_once_per_ttl_and_a_bad_read_keeps_the_last_good_sources():
    reads, now = [], [0.0]
    texts = iter(["sources:\n  - id: a\n    name: A\n    homepage: https://a.example/\n", OSError("S3 is down")])

    def read() -> str:
        reads.append(now[0])
        text = next(texts)
        if isinstance(text, Exception):
            raise text
        return text

    catalog = SourceCatalog(read, origin="s3://b/config/sources.yaml", ttl=60, clock=lambda: now[0])
    assert [s.id for s in catalog.load().sources] == ["a"]
    now[0] = 59
    catalog.load()
    assert reads == [0.0]
    now[0] = 61
    failed = catalog.load()
    assert [s.id for s in failed.sources] == ["a"] and "S3 is down" in str(failed.problems[0])
    assert "unknown source 'b'" in failed.why_unknown("b")


def test_a_state_file_left_by_a_runtime_that_ended_is_reported_not_dialled(tmp_path):
    missing = tmp_path / "local.json"
    with pytest.raises(NoLocalRuntime, match="newsingest run --keep-running"):
        read_state(missing)
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    missing.write_text(json.dumps({"endpoint": "http://127.0.0.1:9", "env": {}, "pid": int(ended.stdout)}))
    with pytest.raises(NoLocalRuntime, match="has ended"):
        local_application(missing)


def test_an_application_reads_the_local_runtimes_settings_from_its_state_file(tmp_path):
    state = tmp_path / "local.json"
    env = {"TABLE_NAME": "t-IndexTable", "BUCKET_NAME": "t-bucket", "FETCH_ALLOW_HOSTS": "127.0.0.1:8001"}
    state.write_text(json.dumps({"endpoint": "http://127.0.0.1:4566", "region": "eu-west-1", "env": env}))
    app = local_application(state)
    assert (app.settings.table_name, app.settings.bucket_name) == ("t-IndexTable", "t-bucket")
    assert app.settings.allow_hosts == ("127.0.0.1:8001",)
    s3 = app.aws.client("s3")
    assert (s3.meta.endpoint_url, s3.meta.region_name) == ("http://127.0.0.1:4566", "eu-west-1")


def test_a_page_too_slow_on_its_first_delivery_comes_back_once_then_is_skipped(app, aws):
    app.discover(app.catalog.load().get("harbour"), TICK)
    tasks = [ArticleTask.model_validate(m) for m in messages(aws, "ArticleQueue")][:1]
    ingest = Ingest(
        sources=app.catalog.load().by_id, fetcher=app.fetcher, stores=app.stores, politeness=app.politeness,
        tagger=None, entity_index=app.entity_index,
        page_budget=0.0001,  # no page is extracted in a tenth of a millisecond
    )  # fmt: skip
    (first,) = ingest.run(tasks, deliveries=[1])
    assert isinstance(first, RetryLater) and "tried once more" in str(first)
    assert app.repos.urls.get(tasks[0].url).status == "queued"  # nothing recorded: the message comes back
    (second,) = ingest.run(tasks, deliveries=[2])
    assert (second.outcome, second.reason) == (Outcome.SKIPPED, SkipReason.TOO_SLOW)
    assert app.repos.urls.get(tasks[0].url).reason == "too_slow"


def test_a_skip_on_a_later_delivery_never_unlinks_the_stored_article(app, aws):
    app.discover(app.catalog.load().get("harbour"), TICK)
    tasks = [ArticleTask.model_validate(m) for m in messages(aws, "ArticleQueue")][:1]
    (stored,) = app.ingest(tasks)
    assert stored.outcome is Outcome.STORED
    app.news.replaced[urlsplit(tasks[0].url).path] = (b"%PDF-1.7", "application/pdf")  # a PDF now: a skip
    (again,) = app.ingest(tasks)  # SQS delivered the message again; this time it is skipped
    assert (again.outcome, again.reason) == (Outcome.SKIPPED, SkipReason.NOT_HTML)
    url = app.repos.urls.get(tasks[0].url)
    assert (url.status, url.article_id, url.reason) == ("stored", stored.article_id, "not_html")
    assert app.client.by_url(tasks[0].url).article_id == stored.article_id
    # A refresh of it is claimed and queued by discovery, then skipped: the URL settles, never stays `queued`
    # (discovery never refreshes a URL it believes in flight).
    assert app.repos.urls.claim_revision(tasks[0].url, "2026-11-24T07:00:00Z", TICK)
    app.repos.urls.confirm_queued([tasks[0].url], TICK)
    assert app.repos.urls.get(tasks[0].url).status == "queued"
    app.ingest(tasks)
    url = app.repos.urls.get(tasks[0].url)
    assert (url.status, url.article_id) == ("stored", stored.article_id)
