"""SQS adapter for the dead-letter queues: list, show and redrive what the pipeline gave up on.

Listing peeks: messages are received with a short visibility timeout (so one pass sees each
once) and made visible again at the end, so nothing leaves the queue.

Redrive uses an SQS message-move task where the endpoint has them (real SQS: the messages go
back to the queue they came from, at a bounded rate, done by SQS itself). Elsewhere (moto,
other emulators) it receives, sends to the source queue, then deletes. A crash between the
send and the delete leaves a message in both queues: it is processed twice, which the
pipeline's idempotent writes absorb; nothing is lost.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from botocore.exceptions import ClientError

from newsingest.storage.queues import QueueSender

PEEK_VISIBILITY_SECONDS = 30  # long enough for one listing pass over the queue
MOVE_VISIBILITY_SECONDS = 60  # a received message not moved in this time goes back to the DLQ
RECEIVE_LIMIT = 10  # SQS's most per ReceiveMessage
# What an endpoint without StartMessageMoveTask answers (emulators; moto answers with a 500).
MOVE_TASK_UNSUPPORTED = {"UnsupportedOperation", "InvalidAction", "NotImplemented", "InternalFailure", "500"}


class RedriveMode(StrEnum):
    MOVE_TASK = "message-move task"
    RECEIVE_AND_SEND = "receive and send"


class DeadLetterError(Exception):
    """An operator's request that cannot be done (unknown queue or message, nowhere to redrive to)."""


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    message_id: str
    body: str
    sent_at: datetime | None
    receive_count: int
    attributes: dict[str, str] = field(default_factory=dict)  # message attributes (Scheduler's ERROR_CODE, ...)

    @classmethod
    def from_sqs(cls, queue: str, message: dict) -> DeadLetter:
        system = message.get("Attributes", {})
        sent = system.get("SentTimestamp")
        return cls(
            queue=queue,
            message_id=message["MessageId"],
            body=message.get("Body", ""),
            sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC) if sent else None,
            receive_count=int(system.get("ApproximateReceiveCount", 0)),
            attributes={
                name: value.get("StringValue", "<binary>")
                for name, value in message.get("MessageAttributes", {}).items()
            },
        )

    def payload(self) -> dict | None:
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def summary(self) -> str:
        """One line: what this message was about (the source and URL of a stage message)."""
        payload = self.payload() or {}
        parts = [str(payload[key]) for key in ("source_id", "url") if payload.get(key)]
        if not parts and self.attributes.get("ERROR_CODE"):
            parts = [f"{self.attributes['ERROR_CODE']}: {self.attributes.get('ERROR_MESSAGE', '')}".strip()]
        return " ".join(parts) or self.body[:80]


@dataclass(frozen=True)
class RedriveReport:
    queue: str
    mode: RedriveMode
    moved: int  # for a move task: the messages it was started on (SQS moves them in the background)
    task_handle: str | None = None


class DeadLetterQueue:
    def __init__(self, client, name: str, url: str, source_url: str | None, *, wait_seconds: int = 1):
        self.client = client
        self.name = name
        self.url = url
        self.source_url = source_url  # None: nothing to redrive to (the scheduler's DLQ)
        self.wait_seconds = wait_seconds  # long polling: short polls may miss messages on real SQS

    def depth(self) -> int:
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def peek(self, limit: int = 100) -> list[DeadLetter]:
        """Up to `limit` messages, oldest first, left in the queue."""
        found: dict[str, DeadLetter] = {}
        handles: list[str] = []
        try:
            while len(found) < limit:
                messages = self._receive(min(RECEIVE_LIMIT, limit - len(found)), PEEK_VISIBILITY_SECONDS)
                if not messages:
                    break
                for message in messages:
                    handles.append(message["ReceiptHandle"])
                    found.setdefault(message["MessageId"], DeadLetter.from_sqs(self.name, message))
        finally:
            self._release(handles)
        return sorted(found.values(), key=lambda m: (m.sent_at or datetime.min.replace(tzinfo=UTC), m.message_id))

    def find(self, message_id: str, limit: int = 10_000) -> DeadLetter | None:
        return next((m for m in self.peek(limit) if m.message_id == message_id), None)

    def redrive(self, *, use_move_task: bool) -> RedriveReport:
        """Every message back to the queue it failed from."""
        if self.source_url is None:
            raise DeadLetterError(f"{self.name}: no source queue to redrive to")
        if use_move_task:
            try:
                return self._start_move_task()
            except NotImplementedError:  # in-process moto (mock_aws) raises rather than answers
                pass
            except ClientError as err:
                if err.response.get("Error", {}).get("Code") not in MOVE_TASK_UNSUPPORTED:
                    raise
        return self._receive_and_send()

    def _start_move_task(self) -> RedriveReport:
        depth = self.depth()
        arn = self.client.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        handle = self.client.start_message_move_task(SourceArn=arn)["TaskHandle"]  # back to the original source
        return RedriveReport(self.name, RedriveMode.MOVE_TASK, depth, handle)

    def _receive_and_send(self) -> RedriveReport:
        """Send first, delete second: a crash in between duplicates a message, never loses one.
        Stops after the messages there at the start: ones that fail again wait for the next redrive."""
        sender = QueueSender(self.client, self.source_url)
        budget, moved = self.depth(), 0
        while moved < budget:
            messages = self._receive(min(RECEIVE_LIMIT, budget - moved), MOVE_VISIBILITY_SECONDS)
            if not messages:
                break
            sender.send_entries([_resend_entry(m) for m in messages])
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            self.client.delete_message_batch(QueueUrl=self.url, Entries=entries)
            moved += len(messages)
        return RedriveReport(self.name, RedriveMode.RECEIVE_AND_SEND, moved)

    def _receive(self, count: int, visibility: int) -> list[dict]:
        return self.client.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=count,
            VisibilityTimeout=visibility,
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])

    def _release(self, handles: list[str]) -> None:
        for start in range(0, len(handles), RECEIVE_LIMIT):
            entries = [
                {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0}
                for i, h in enumerate(handles[start : start + RECEIVE_LIMIT])
            ]
            self.client.change_message_visibility_batch(QueueUrl=self.url, Entries=entries)


def _resend_entry(message: dict) -> dict:
    """The message as sent again: same body and message attributes (only the fields SendMessage takes)."""
    entry: dict = {"MessageBody": message["Body"]}
    attributes = {
        name: {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}
        for name, value in message.get("MessageAttributes", {}).items()
    }
    if attributes:
        entry["MessageAttributes"] = attributes
    return entry


def dead_letter_queues(
    client, consumed: Mapping[str, str], unconsumed: Mapping[str, str] | None = None, *, wait_seconds: int = 1
) -> dict[str, DeadLetterQueue]:
    """The DLQs by name: each consumed queue's (from its redrive policy, named after it) and
    dead-letter queues fed by something other than a queue (the scheduler's), which cannot be redriven."""
    queues: dict[str, DeadLetterQueue] = {}
    for name, url in consumed.items():
        attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"]).get("Attributes", {})
        if "RedrivePolicy" not in attributes:
            continue
        arn = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
        *_, account, queue_name = arn.split(":")
        dlq_url = client.get_queue_url(QueueName=queue_name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        queues[name] = DeadLetterQueue(client, name, dlq_url, url, wait_seconds=wait_seconds)
    for name, url in (unconsumed or {}).items():
        queues[name] = DeadLetterQueue(client, name, url, None, wait_seconds=wait_seconds)
    return queues


def sibling_queue_url(client, queue_url: str, own_id: str, wanted_id: str) -> str | None:
    """The URL of the queue created beside `queue_url` as `wanted_id` (same stack or prefix), found by name.

    Queues are named `<prefix>-<LogicalId>` locally and `<stack>-<LogicalId>-<suffix>` by
    CloudFormation; None when the name does not follow that pattern or more than one queue matches.
    """
    name = queue_url.rstrip("/").rsplit("/", 1)[-1]
    if own_id not in name:
        return None
    prefix = name[: name.index(own_id)] + wanted_id
    urls = client.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
    return urls[0] if len(urls) == 1 else None
