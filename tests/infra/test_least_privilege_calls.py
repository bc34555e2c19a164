"""Every AWS call each handler makes is granted by that function's role in the translated template.

The three handlers run in turn under embedded AWS (moto server) over the sample sites: the
schedule tick, discovery of every due source, then a batch of article processing. botocore's
one entry point for API calls records each call with the function that made it; each call is
then evaluated against that function's statements. With test_least_privilege.py (nothing more
than this is granted where it matters), the template's grants are what the code uses.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime
from urllib.parse import urlsplit

import botocore.client
import pytest
from iam_policy import PSEUDO, allowed, function_statements

from newsingest.local.driver import LambdaContext
from newsingest.local.runner import REPO_ROOT, LocalRuntime

TICK = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
ACCOUNT, REGION = PSEUDO["AWS::AccountId"], PSEUDO["AWS::Region"]
S3_ACTIONS = {"HeadObject": "GetObject", "ListObjectsV2": "ListBucket"}
SQS_ACTIONS = {"SendMessageBatch": "SendMessage", "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def sqs_event(bodies: list[str]) -> dict:
    records = [
        {"messageId": str(uuid.uuid4()), "receiptHandle": f"r{i}", "body": body, "attributes": {
            "ApproximateReceiveCount": "1", "SentTimestamp": "1", "SenderId": "s",
            "ApproximateFirstReceiveTimestamp": "1"}, "messageAttributes": {}, "md5OfBody": "0" * 32,
         "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:q", "awsRegion": REGION}
        for i, body in enumerate(bodies)
    ]  # fmt: skip
    return {"Records": records}


@pytest.fixture(scope="module")
def calls():
    """(function, service, operation, params) of every call the handlers made, and the runtime's names."""
    made: list[tuple[str, str, str, dict]] = []
    current: list[str | None] = [None]
    original = botocore.client.BaseClient._make_api_call

    def recording(self, operation, params):
        if current[0] is not None:
            made.append((current[0], self.meta.service_model.service_name, operation, params))
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = recording
    try:
        with LocalRuntime(sources_path=REPO_ROOT / "sample_sites" / "sources.yaml", state_file=None) as runtime:
            schedule, discover, process = (runtime.handlers[n] for n in ("schedule", "discover", "process"))
            sqs = runtime.clients["sqs"]

            def drain(queue: str, most: int) -> list[str]:
                url = runtime.resources.queues[queue].url
                got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=most).get("Messages", [])
                return [m["Body"] for m in got]

            current[0] = "ScheduleFunction"
            schedule({"scheduled_time": TICK.isoformat()}, LambdaContext("schedule"))
            current[0] = None
            for body in drain("DiscoverQueue", 10):
                current[0] = "DiscoverFunction"
                discover(sqs_event([body]), LambdaContext("discover"))
                current[0] = None
            articles = sqs_event(drain("ArticleQueue", 5))
            current[0] = "ProcessFunction"
            process(articles, LambdaContext("process"))
            current[0] = None
            yield made, runtime.resources
    finally:
        botocore.client.BaseClient._make_api_call = original


def _names(resources) -> tuple[dict, dict]:
    refs = defaultdict(str, {
        "IndexTable": resources.table_name,
        "ArchiveBucket": resources.bucket_name, "EventBus": resources.event_bus_name,
        "SourcesKey": "config/sources.yaml",
    })  # fmt: skip
    attrs = {
        ("IndexTable", "Arn"): _table_arn(resources.table_name),
        ("EventBus", "Arn"): f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{resources.event_bus_name}",
        **{(name, "Arn"): _queue_arn(queue.url) for name, queue in resources.queues.items()},
        **{(name, "QueueName"): _queue_arn(queue.url).rsplit(":", 1)[-1] for name, queue in resources.queues.items()},
    }
    return refs, attrs


def _table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def _queue_arn(url: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{urlsplit(url).path.rsplit('/', 1)[-1]}"


def requests(service: str, operation: str, params: dict) -> list[tuple[str, str]]:
    """(IAM action, resource ARN) pairs one API call needs."""
    if service == "dynamodb":
        tables = [params["TableName"]] if "TableName" in params else list(params.get("RequestItems", {}))
        suffix = f"/index/{params['IndexName']}" if "IndexName" in params else ""
        return [(f"dynamodb:{operation}", _table_arn(t) + suffix) for t in tables]
    if service == "s3":
        key = f"/{params['Key']}" if "Key" in params else ""
        return [(f"s3:{S3_ACTIONS.get(operation, operation)}", f"arn:aws:s3:::{params['Bucket']}{key}")]
    if service == "sqs":
        return [(f"sqs:{SQS_ACTIONS.get(operation, operation)}", _queue_arn(params["QueueUrl"]))]
    if service == "events":
        bus = {entry.get("EventBusName", "default") for entry in params["Entries"]}
        return [("events:PutEvents", f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{b}") for b in bus]
    return [(f"{service}:{operation}", "*")]


@pytest.mark.parametrize("function", ["ScheduleFunction", "DiscoverFunction", "ProcessFunction"])
def test_every_call_a_handler_makes_is_granted_to_its_function(calls, translated, function):
    made, resources = calls
    statements = function_statements(translated, function, *_names(resources))
    mine = [(service, operation, params) for who, service, operation, params in made if who == function]
    assert mine, f"{function} made no AWS call: the scenario did not run"
    refused = {
        (action, resource)
        for service, operation, params in mine
        for action, resource in requests(service, operation, params)
        if not allowed(statements, action, resource)
    }
    assert not refused, f"{function} calls what its role does not grant: {sorted(refused)}"


def test_the_scenario_exercised_the_writes_that_matter(calls):
    made, _resources = calls
    operations = {(who, operation) for who, _service, operation, _params in made}
    assert {("ProcessFunction", "PutObject"), ("ProcessFunction", "PutEvents")} <= operations
    assert ("DiscoverFunction", "SendMessageBatch") in operations
    assert ("ScheduleFunction", "SendMessageBatch") in operations
