"""Drive a handler from an SQS queue the way Lambda's event source mapping does.

Receive up to the mapping's batch size with the queue's visibility timeout, build the
SQS event, invoke, delete what succeeded and leave the `batchItemFailures` (or the whole
batch, if the handler raised) on the queue. SQS itself (moto) counts receives and moves a
message to the DLQ after the queue's maxReceiveCount, as in AWS. One difference, for speed:
a failed message is made visible again at once instead of after the visibility timeout.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from newsingest.local.resources import QueueInfo
from newsingest.storage.dynamo import chunks

log = logging.getLogger(__name__)
RECEIVE_LIMIT = 10


@dataclass
class LambdaContext:
    """The parts of the Lambda context object Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 1024
    timeout_ms: int = 900_000
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


@dataclass
class MappingStats:
    invocations: int = 0
    received: int = 0
    succeeded: int = 0
    failed: int = 0
    handler_errors: int = 0


class EventSourceMapping:
    def __init__(self, sqs, queue: QueueInfo, handler: Callable[[dict, object], dict], function_name: str):
        self.sqs = sqs
        self.queue = queue
        self.handler = handler
        self.function_name = function_name
        self.stats = MappingStats()

    def poll_once(self) -> int:
        """One invocation's worth of messages; returns how many were received."""
        messages = self._receive_batch()
        if not messages:
            return 0
        event = {"Records": [self._record(m) for m in messages]}
        self.stats.invocations += 1
        self.stats.received += len(messages)
        try:
            response = self.handler(event, LambdaContext(self.function_name)) or {}
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        except Exception:
            log.exception("handler %s raised: the whole batch returns to the queue", self.function_name)
            self.stats.handler_errors += 1
            failed = {m["MessageId"] for m in messages}
        done = [m for m in messages if m["MessageId"] not in failed]
        for chunk in chunks(done, RECEIVE_LIMIT):
            self.sqs.delete_message_batch(
                QueueUrl=self.queue.url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        for message in messages:
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
        self.stats.succeeded += len(done)
        self.stats.failed += len(messages) - len(done)
        return len(messages)

    def drain(self, max_invocations: int = 10_000) -> MappingStats:
        """Poll until the queue has nothing visible left."""
        for _ in range(max_invocations):
            if not self.poll_once():
                break
        return self.stats

    def _receive_batch(self) -> list[dict]:
        messages: list[dict] = []
        while len(messages) < self.queue.batch_size:
            response = self.sqs.receive_message(
                QueueUrl=self.queue.url,
                MaxNumberOfMessages=min(RECEIVE_LIMIT, self.queue.batch_size - len(messages)),
                VisibilityTimeout=self.queue.visibility_timeout,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
                WaitTimeSeconds=0,
            )
            received = response.get("Messages", [])
            if not received:
                break
            messages.extend(received)
        return messages

    def _record(self, message: dict) -> dict:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue.arn,
            "awsRegion": "us-east-1",
        }


def queue_depth(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])
