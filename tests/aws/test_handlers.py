"""The Lambda handlers, each built over an application on in-process moto (as a Lambda container
builds it), driven with real SQS events against the sample sites on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from deployed import SAMPLE_SOURCES, deploy

from newsingest.discovery.state import SourceState
from newsingest.local.driver import LambdaContext, queue_depth
from newsingest.models.messages import ArticleTask, DiscoverRequest

TICK = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@pytest.fixture
def runtime(aws, sites):
    return deploy(aws, SAMPLE_SOURCES, sites)


def sqs_event(*bodies: str) -> dict:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "r",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1",
                    "SenderId": "s",
                    "ApproximateFirstReceiveTimestamp": "1",
                },
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:q",
                "awsRegion": "us-east-1",
            }
            for body in bodies
        ]
    }


def task(runtime, site: str, path: str, source: str | None = None) -> str:
    return ArticleTask(
        url=runtime.sites.base_urls[site] + path,
        source_id=source or site,
        discovered_at=TICK,
        discovered_via="feed",
    ).model_dump_json()


def records_in_s3(runtime) -> list[str]:
    response = runtime.clients["s3"].list_objects_v2(Bucket=runtime.resources.bucket_name, Prefix="articles/")
    return [o["Key"] for o in response.get("Contents", [])]


def test_schedule_queues_every_due_source_once(runtime):
    result = runtime.handlers["schedule"]({"scheduled_time": TICK.isoformat()}, LambdaContext("schedule"))
    assert sorted(result["queued"]) == ["civic-wire", "harbour-times", "northern-ledger"]
    assert queue_depth(runtime.clients["sqs"], runtime.resources.queues["DiscoverQueue"].url) == 3


def test_process_reports_partial_failures_and_a_redelivery_stores_nothing_twice(runtime):
    good = task(runtime, "harbour-times", "/news/2026/11/16/southampton-channel-dredging-approved")
    missing = task(runtime, "harbour-times", "/news/2026/11/15/ferry-timetable-changes")
    event = sqs_event(good, missing, "{not json")
    process = runtime.handlers["process"]

    response = process(event, LambdaContext("process"))
    assert response["batchItemFailures"] == [{"itemIdentifier": event["Records"][2]["messageId"]}]
    first_records = records_in_s3(runtime)
    assert len(first_records) == 1

    events_before = _published(runtime)
    response = process(event, LambdaContext("process"))  # SQS delivers the same messages again
    assert len(response["batchItemFailures"]) == 1
    assert records_in_s3(runtime) == first_records
    repos = runtime.app.repos
    stored = repos.urls.get(json.loads(good)["url"])
    assert stored.status == "stored"
    assert [v.version for v in repos.articles.versions(stored.article_id)] == [1]
    assert _published(runtime) == events_before
    skipped = repos.urls.get(json.loads(missing)["url"])
    assert (skipped.status, skipped.reason) == ("skipped", "http_client_error")


def test_a_failing_fetch_fails_only_its_record(runtime):
    # A name that does not resolve may resolve later: the fetch fails and the record is retried.
    # (127.0.0.1 outside the sample sites' ports is a blocked address now: skipped at once, not failed.)
    unreachable = ArticleTask(
        url="http://never.invalid/never", source_id="harbour-times", discovered_at=TICK, discovered_via="feed"
    ).model_dump_json()
    good = task(runtime, "harbour-times", "/news/2026/11/16/southampton-channel-dredging-approved")
    event = sqs_event(unreachable, good)
    response = runtime.handlers["process"](event, LambdaContext("process"))
    assert response["batchItemFailures"] == [{"itemIdentifier": event["Records"][0]["messageId"]}]
    assert len(records_in_s3(runtime)) == 1


# Two invocations in one process share Powertools' metrics buffer (never so in Lambda): one flushes both.
@pytest.mark.filterwarnings("ignore:No application metrics to publish")
def test_two_discoverers_at_once_never_enqueue_an_article_twice(runtime):
    request = DiscoverRequest(source_id="civic-wire", tick=TICK).model_dump_json()
    discover = runtime.handlers["discover"]
    results = []

    def run_one():
        results.append(discover(sqs_event(request), LambdaContext("discover")))

    threads = [threading.Thread(target=run_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [{"batchItemFailures": []}] * 2
    sqs = runtime.clients["sqs"]
    bodies = []
    while True:
        received = sqs.receive_message(QueueUrl=runtime.resources.queues["ArticleQueue"].url, MaxNumberOfMessages=10)
        messages = received.get("Messages", [])
        if not messages:
            break
        bodies += [json.loads(m["Body"])["url"] for m in messages]
    assert bodies
    assert len(bodies) == len(set(bodies))


def _published(runtime) -> int:
    """Events reach a consumer queue through a rule, as a downstream team would subscribe."""
    return runtime.published_count if hasattr(runtime, "published_count") else _subscribe(runtime)


def _subscribe(runtime) -> int:
    events, sqs = runtime.clients["events"], runtime.clients["sqs"]
    url = sqs.create_queue(QueueName="consumer")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="consumer",
        EventBusName=runtime.resources.event_bus_name,
        EventPattern=json.dumps({"source": ["newsingest"], "detail-type": ["ArticleIngested", "ArticleUpdated"]}),
    )
    events.put_targets(
        Rule="consumer", EventBusName=runtime.resources.event_bus_name, Targets=[{"Id": "q", "Arn": arn}]
    )
    return 0


def test_a_429_holds_the_message_back_as_long_as_retry_after_asks(aws, tmp_path):
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits = []

    class Busy(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404 if self.path == "/robots.txt" else 429)
            self.send_header("Retry-After", "120")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Busy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"sources:\n  - id: busy\n    name: Busy\n    homepage: {base}/\n    feeds: [{base}/feed]\n")
    try:
        runtime = deploy(aws, sources, allow=(f"127.0.0.1:{server.server_port}",))
        process = runtime.handlers["process"]

        sqs, queue = runtime.clients["sqs"], runtime.resources.queues["ArticleQueue"].url
        body = ArticleTask(url=f"{base}/story", source_id="busy", discovered_at=TICK, discovered_via="feed")
        sqs.send_message(QueueUrl=queue, MessageBody=body.model_dump_json())
        (message,) = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=1, AttributeNames=["All"])["Messages"]
        event = sqs_event(message["Body"])
        event["Records"][0].update(messageId=message["MessageId"], receiptHandle=message["ReceiptHandle"])
        with pytest.raises(BatchProcessingError):  # every record failed: Lambda retries the batch
            process(event, LambdaContext("process"))
        time.sleep(1.5)  # past the 1 s the message was received with
        assert sqs.receive_message(QueueUrl=queue).get("Messages", []) == []  # held back for 120 s

        # Any Lambda's next article from that host waits too, without asking the host again.
        asked = len(hits)
        other = ArticleTask(url=f"{base}/other", source_id="busy", discovered_at=TICK, discovered_via="feed")
        with pytest.raises(BatchProcessingError):
            process(sqs_event(other.model_dump_json()), LambdaContext("process"))
        assert len(hits) == asked
    finally:
        server.shutdown()


def test_schedule_flags_failing_and_stale_sources(runtime, capsys):
    states = runtime.app.repos.source_states
    states.put(
        SourceState.model_validate(
            {
                "source_id": "harbour-times",
                "last_run_at": "2026-11-24T05:45:00Z",
                "consecutive_failures": 3,
                "last_error": "HTTP 503",
            }
        )
    )
    states.put(
        SourceState.model_validate(
            {
                "source_id": "civic-wire",
                "first_run_at": "2026-11-01T00:00:00Z",
                "last_run_at": "2026-11-24T05:45:00Z",
                "last_new_at": "2026-11-20T00:00:00Z",
            }
        )
    )
    result = runtime.handlers["schedule"]({"scheduled_time": TICK.isoformat()}, LambdaContext("schedule"))
    assert sorted(result["unhealthy"]) == ["civic-wire", "harbour-times"]
    assert "3 consecutive failures" in result["unhealthy"]["harbour-times"]
    assert "harbour-times" not in result["queued"]  # backing off: failures stretch its interval
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert [m["UnhealthySources"] for m in metrics if "UnhealthySources" in m] == [[2.0]]


def test_a_source_given_only_its_homepage_is_discovered_through_its_feed(aws, sites, tmp_path):
    runtime = deploy(aws, tmp_path / "sources.yaml", sites)
    # the sources file is written below, once the sites' addresses are known
    base = runtime.sites.base_urls["northern-ledger"]
    (tmp_path / "sources.yaml").write_text(f"sources:\n  - id: ledger\n    name: Ledger\n    homepage: {base}/\n")
    discover = runtime.handlers["discover"]

    request = DiscoverRequest(source_id="ledger", tick=TICK).model_dump_json()
    assert discover(sqs_event(request), LambdaContext("discover")) == {"batchItemFailures": []}
    sqs, queue = runtime.clients["sqs"], runtime.resources.queues["ArticleQueue"].url
    urls = set()
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        urls |= {json.loads(m["Body"])["url"] for m in messages}
    assert any(u.startswith(f"{base}/2026/11/") for u in urls)
    assert len(urls) >= 8
    fetched = {r.path for r in runtime.sites.requests if r.site == "northern-ledger"}
    assert "/feed.atom" in fetched  # found by autodiscovery on the homepage
