"""Dead-letter queues under moto: messages get there by SQS's own redrive, are listed without
leaving, and are redriven back to the queue they failed from (message-move task or receive and send)."""

from __future__ import annotations

import json

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from newsingest.storage.dead_letters import DeadLetterError, RedriveMode, dead_letter_queues


def fail_into_dlq(sqs, queue_url: str, bodies: list[dict], attempts: int = 5) -> None:
    """Send, then receive each message `maxReceiveCount` times without deleting it: SQS moves it to the DLQ."""
    for body in bodies:
        sqs.send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps(body),
            MessageAttributes={"correlation_id": {"DataType": "String", "StringValue": "tick-1"}},
        )
    for _ in range(10 * (attempts + 1) * len(bodies)):
        if not sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages"):
            return
    raise AssertionError("the messages never reached the DLQ")


def depth(sqs, url: str, attribute: str = "ApproximateNumberOfMessages") -> int:
    return int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[attribute])["Attributes"][attribute])


def answer(status: int, parsed: dict):
    """What a before-call hook returns to answer an SQS call itself (moto has no message-move tasks)."""
    return AWSResponse("https://sqs.us-east-1.amazonaws.com/", status, {}, None), parsed


@pytest.fixture
def queues(aws):
    q = aws.resources.queues
    return dead_letter_queues(
        aws.clients["sqs"],
        {"discover": q["DiscoverQueue"].url, "article": q["ArticleQueue"].url},
        {"schedule": q["ScheduleDLQ"].url},
        wait_seconds=0,
    )


ARTICLES = [{"source_id": "harbour-times", "url": f"https://harbourtimes.example/news/{n}"} for n in range(12)]


def test_each_consumed_queue_has_its_dlq_and_the_schedulers_is_named_too(aws, queues):
    q = aws.resources.queues
    assert {name: dlq.url for name, dlq in queues.items()} == {
        "discover": q["DiscoverDLQ"].url,
        "article": q["ArticleDLQ"].url,
        "schedule": q["ScheduleDLQ"].url,
    }
    assert queues["article"].source_url == q["ArticleQueue"].url
    assert queues["schedule"].source_url is None


def test_peek_lists_every_message_and_leaves_it_in_the_queue(aws, queues):
    sqs = aws.clients["sqs"]
    fail_into_dlq(sqs, aws.resources.queues["ArticleQueue"].url, ARTICLES)
    dlq = queues["article"]
    listed = dlq.peek()
    assert sorted(m.summary() for m in listed) == sorted(f"{a['source_id']} {a['url']}" for a in ARTICLES)
    assert all(m.receive_count >= 5 and m.sent_at is not None for m in listed)
    assert listed[0].attributes == {"correlation_id": "tick-1"}
    assert depth(sqs, dlq.url) == len(ARTICLES)  # visible again at once: the next listing sees them all
    assert len(dlq.peek()) == len(ARTICLES)
    assert len(dlq.peek(limit=5)) == 5


def test_find_shows_one_message_by_id(aws, queues):
    fail_into_dlq(aws.clients["sqs"], aws.resources.queues["ArticleQueue"].url, ARTICLES[:3])
    dlq = queues["article"]
    wanted = dlq.peek()[1]
    found = dlq.find(wanted.message_id)
    assert (found.message_id, found.body, found.sent_at) == (wanted.message_id, wanted.body, wanted.sent_at)
    assert dlq.find("no-such-id") is None


def test_receive_and_send_moves_every_message_back_with_its_attributes(aws, queues):
    sqs = aws.clients["sqs"]
    source = aws.resources.queues["ArticleQueue"].url
    fail_into_dlq(sqs, source, ARTICLES)
    report = queues["article"].redrive(use_move_task=False)
    assert (report.mode, report.moved) == (RedriveMode.RECEIVE_AND_SEND, len(ARTICLES))
    assert depth(sqs, queues["article"].url) == 0
    back = []
    while batch := sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages"
    ):
        back.extend(batch)
    assert sorted(json.loads(m["Body"])["url"] for m in back) == sorted(a["url"] for a in ARTICLES)
    assert {m["MessageAttributes"]["correlation_id"]["StringValue"] for m in back} == {"tick-1"}


def test_a_crash_between_send_and_delete_duplicates_a_message_and_loses_none(aws, queues):
    sqs = aws.clients["sqs"]
    source = aws.resources.queues["ArticleQueue"].url
    fail_into_dlq(sqs, source, ARTICLES[:3])

    def crash(**_kwargs):
        raise ConnectionError("injected: the process died after sending")

    sqs.meta.events.register("before-call.sqs.DeleteMessageBatch", crash)
    with pytest.raises(ConnectionError):
        queues["article"].redrive(use_move_task=False)
    assert depth(sqs, source) == 3  # sent
    assert depth(sqs, queues["article"].url, "ApproximateNumberOfMessagesNotVisible") == 3  # and back in 60 s


def test_a_message_move_task_is_started_on_the_dlq_where_the_endpoint_has_them(aws, queues):
    sqs = aws.clients["sqs"]
    fail_into_dlq(sqs, aws.resources.queues["ArticleQueue"].url, ARTICLES[:4])
    calls = []

    def move_task(params, **_kwargs):
        calls.append(json.loads(params["body"]))
        return answer(200, {"TaskHandle": "task-1"})

    sqs.meta.events.register("before-call.sqs.StartMessageMoveTask", move_task)
    report = queues["article"].redrive(use_move_task=True)
    assert (report.mode, report.task_handle, report.moved) == (RedriveMode.MOVE_TASK, "task-1", 4)
    assert calls == [{"SourceArn": aws.resources.queues["ArticleDLQ"].arn}]  # no destination: back to the source


def test_an_endpoint_without_move_tasks_falls_back_to_receive_and_send(aws, queues):
    sqs = aws.clients["sqs"]
    fail_into_dlq(sqs, aws.resources.queues["ArticleQueue"].url, ARTICLES[:4])

    def unsupported(**_kwargs):
        return answer(400, {"Error": {"Code": "UnsupportedOperation", "Message": "not here"}})

    sqs.meta.events.register("before-call.sqs.StartMessageMoveTask", unsupported)
    report = queues["article"].redrive(use_move_task=True)
    assert (report.mode, report.moved) == (RedriveMode.RECEIVE_AND_SEND, 4)


def test_other_move_task_errors_are_not_swallowed(aws, queues):
    sqs = aws.clients["sqs"]

    def denied(**_kwargs):
        return answer(403, {"Error": {"Code": "AccessDenied", "Message": "no"}})

    sqs.meta.events.register("before-call.sqs.StartMessageMoveTask", denied)
    with pytest.raises(ClientError):
        queues["article"].redrive(use_move_task=True)


def test_the_schedulers_dlq_cannot_be_redriven(queues):
    with pytest.raises(DeadLetterError, match="no source queue"):
        queues["schedule"].redrive(use_move_task=False)
