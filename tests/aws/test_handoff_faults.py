"""Discovery's claim + enqueue, and the process stage's preparation, under injected faults and bad input
(docs/commit.md): a URL marked queued is in the queue, nothing stays claimed-but-unqueued, a failed
refresh comes back, one hostile entry stops nothing else, one record's error fails that record only."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from aws_fixtures import INDEX
from faults import CRASH, SERVER_ERROR, THROTTLE, Crash, Faults
from news_site import TICK

from newsingest.fetching.fetcher import Fetcher, FetchPolicy
from newsingest.models.messages import ArticleTask
from newsingest.models.outcomes import SkipReason
from newsingest.models.source import Source
from newsingest.pipeline.commit import RetryLater
from newsingest.pipeline.discover import RECLAIM_AFTER, Discovery, DiscoveryReport
from newsingest.pipeline.ingest import Ingest
from newsingest.pipeline.politeness import Politeness
from newsingest.pipeline.process import Skip
from newsingest.storage import dynamo
from newsingest.storage.queues import MAX_BATCH_BYTES, QueueSender


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(dynamo.time, "sleep", lambda seconds: None)


def fetcher() -> Fetcher:
    return Fetcher(FetchPolicy("newsingest-test", 2.0, 5.0, 5_000_000, 5, allow_hosts=("127.0.0.1",)))


def discover(aws, source: Source, tick: datetime = TICK, max_urls: int = 5000) -> DiscoveryReport:
    return Discovery(
        source,
        tick,
        fetcher=fetcher(),
        repos=aws.repos,
        queue=QueueSender(aws.clients["sqs"], aws.resources.queues["ArticleQueue"].url),
        politeness=politeness(aws),
        max_urls=max_urls,
    ).run()


def politeness(aws) -> Politeness:
    return Politeness(aws.repos.hosts, fetcher(), "newsingest-test", 0.0)


def queued_urls(aws) -> list[str]:
    """Every message in the ArticleQueue (consumed), by URL."""
    sqs, url = aws.clients["sqs"], aws.resources.queues["ArticleQueue"].url
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        found += [json.loads(m["Body"])["url"] for m in messages]
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        )
    return found


def statuses(aws, urls: list[str]) -> dict[str, str]:
    return {u: k.status for u, k in aws.repos.urls.known(urls).items()}


def test_claims_throttled_part_way_queue_what_was_claimed_and_the_next_run_the_rest(aws, site):
    news = site(30)
    urls = [f"{news.base}/news/{n}" for n in range(30)]
    faults = Faults(aws.clients["dynamodb"]).after("PutItem", 11, THROTTLE)  # robots.txt cache, then 10 claims
    with pytest.raises(Exception, match="Rate exceeded"):
        discover(aws, news.source())
    first = queued_urls(aws)
    assert len(first) == 10
    assert set(statuses(aws, urls).values()) == {"queued"}  # the ten claimed are the ten queued
    faults.clear()
    discover(aws, news.source(), TICK + timedelta(minutes=15))
    assert sorted(first + queued_urls(aws)) == sorted(urls)
    assert set(statuses(aws, urls).values()) == {"queued"}


def test_a_refresh_whose_enqueue_failed_is_queued_again(aws, site):
    news = site(3)
    discover(aws, news.source())
    queued_urls(aws)
    for url in [f"{news.base}/news/{n}" for n in range(3)]:  # processed: stored
        aws.repos.urls.mark(url, "stored", source_id="harbour", article_id="a")
    news.updated = "2026-11-24T05:00:00Z"  # every entry changed: a refresh each
    faults = Faults(aws.clients["sqs"]).after("SendMessageBatch", 0, SERVER_ERROR)
    report = discover(aws, news.source(), TICK + timedelta(minutes=15))
    assert report.refreshed == 3 and any("not queued" in p for p in report.problems)
    assert queued_urls(aws) == []
    faults.clear()
    report = discover(aws, news.source(), TICK + timedelta(minutes=30))
    assert report.refreshed == 3
    assert len(queued_urls(aws)) == 3


def test_a_crash_between_claim_and_send_is_sent_by_a_later_run(aws, site):
    news = site(4)
    Faults(aws.clients["sqs"]).after("SendMessageBatch", 0, CRASH, times=1)
    with pytest.raises(Crash):
        discover(aws, news.source())
    urls = [f"{news.base}/news/{n}" for n in range(4)]
    assert set(statuses(aws, urls).values()) == {"claimed"}  # claimed, not queued: nothing says queued
    discover(aws, news.source(), TICK + timedelta(minutes=1))
    assert queued_urls(aws) == []  # the discoverer might still be alive
    discover(aws, news.source(), TICK + RECLAIM_AFTER + timedelta(minutes=1))
    assert sorted(queued_urls(aws)) == sorted(urls)
    assert set(statuses(aws, urls).values()) == {"queued"}


def test_a_one_megabyte_title_stops_no_entry_and_batches_stay_under_256_kb(aws, site):
    news = site(12, title="x" * 1_000_000)
    sizes = []
    aws.clients["sqs"].meta.events.register(
        "provide-client-params.sqs.SendMessageBatch",
        lambda params, **kw: sizes.append(sum(len(e["MessageBody"].encode()) for e in params["Entries"])),
    )
    report = discover(aws, news.source())
    assert report.new == 12
    assert len(queued_urls(aws)) == 12
    assert sizes and max(sizes) <= MAX_BATCH_BYTES


def test_byte_split_send_batches(aws):
    sender = QueueSender(aws.clients["sqs"], aws.resources.queues["ArticleQueue"].url)
    calls = []
    aws.clients["sqs"].meta.events.register(
        "provide-client-params.sqs.SendMessageBatch", lambda params, **kw: calls.append(len(params["Entries"]))
    )
    big = "y" * 100_000
    tasks = [
        ArticleTask(url=f"https://h.example/{n}?{big}", source_id="h", discovered_at=TICK, discovered_via="feed")
        for n in range(5)
    ]
    assert sender.send(tasks) == 5
    assert calls == [2, 2, 1]  # 100 KB each: two per request under 256 KB
    too_big = ArticleTask(
        url="https://h.example/" + "z" * 300_000, source_id="h", discovered_at=TICK, discovered_via="feed"
    )
    sent, failed = sender.send_each([tasks[0], too_big])
    assert sent == 1 and [i for i, _ in failed] == [1]


def test_max_urls_per_discovery_bounds_a_feed_too(aws, site):
    news = site(40)
    report = discover(aws, news.source(), max_urls=25)
    assert report.new == 25
    assert any("over 25 entries" in p for p in report.problems)


def prepare(aws, tasks, source: Source, remaining=None):
    ingest = Ingest(
        sources={source.id: source}, fetcher=fetcher(), stores=aws.stores, politeness=politeness(aws), tagger=None,
        entity_index=INDEX, now=lambda: TICK,
    )  # fmt: skip
    return ingest.prepare(tasks, remaining)


def tasks_for(urls: list[str]) -> list[ArticleTask]:
    return [ArticleTask(url=u, source_id="harbour", discovered_at=TICK, discovered_via="feed") for u in urls]


def test_a_refused_warc_file_fails_the_pages_it_held_and_nothing_else(aws, site):
    """The batch's raw pages are one WARC file (one PUT): a 500 on it sends those pages back for a retry."""
    news = site(3)
    Faults(aws.clients["s3"]).after("PutObject", 0, SERVER_ERROR, times=1)
    urls = [f"{news.base}/news/{n}" for n in range(3)] + ["ftp://harbour.example/news/1"]
    prepared = prepare(aws, tasks_for(urls), news.source())
    assert all(isinstance(p, Exception) for p in prepared[:3])
    assert isinstance(prepared[3], Skip)
    assert not aws.clients["s3"].list_objects_v2(Bucket=aws.resources.bucket_name, Prefix="warc/").get("KeyCount")


def test_a_url_that_can_never_be_fetched_is_skipped_at_once_with_its_reason(aws, site):
    news = site(1)
    urls = ["ftp://harbour.example/news/1", "http://169.254.169.254/latest/meta-data", "not a url at all"]
    prepared = prepare(aws, tasks_for(urls), news.source())
    assert [p.reason for p in prepared] == [SkipReason.BAD_URL, SkipReason.BLOCKED_ADDRESS, SkipReason.BAD_URL]
    assert news.fetched == []


def test_with_three_seconds_left_nothing_is_fetched_and_every_record_comes_back(aws, site):
    news = site(10)
    prepared = prepare(aws, tasks_for([f"{news.base}/news/{n}" for n in range(10)]), news.source(), lambda: 3.0)
    assert all(isinstance(p, RetryLater) for p in prepared)
    assert news.fetched == []


def test_no_fetch_starts_with_less_time_left_than_the_fetchers_own_deadline(aws, site):
    """A fetch may take the fetcher's whole deadline (all hops, body included), then extraction and the commit."""
    news = site(2)
    deadline = fetcher().policy.total_timeout
    short = prepare(aws, tasks_for([f"{news.base}/news/0"]), news.source(), lambda: deadline + 1.0)
    assert isinstance(short[0], RetryLater) and news.fetched == []
    enough = prepare(aws, tasks_for([f"{news.base}/news/1"]), news.source(), lambda: deadline + 60.0)
    assert not isinstance(enough[0], Exception) and "/news/1" in news.fetched


def test_a_batchs_fetch_slots_are_booked_once_per_host(aws, site):
    news = site(10)
    slot_writes = []
    aws.clients["dynamodb"].meta.events.register(
        "provide-client-params.dynamodb.UpdateItem",
        lambda params, **kw: slot_writes.append(1) if params["Key"]["sk"]["S"] == "POLITE" else None,
    )
    prepared = prepare(aws, tasks_for([f"{news.base}/news/{n}" for n in range(10)]), news.source())
    assert not any(isinstance(p, Exception | Skip) for p in prepared)
    assert len(slot_writes) == 1
