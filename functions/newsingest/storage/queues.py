"""SQS adapter: send stage messages in batches of at most ten messages and 256 KB, retrying what SQS refused."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from newsingest.storage.dynamo import chunks_within, until_done

SEND_BATCH_LIMIT = 10
MAX_BATCH_BYTES = 256 * 1024  # SQS: one message, and the sum of a SendMessageBatch's messages
MAX_VISIBILITY_SECONDS = 12 * 3600  # SQS's limit


class MessageTooLarge(ValueError):
    """A message over SQS's 256 KB: the producer must bound what it puts in (a bug, not a fault)."""


class QueueSender:
    def __init__(self, client, queue_url: str):
        self.client = client
        self.queue_url = queue_url

    def send(self, messages: Sequence[BaseModel]) -> int:
        """Send every message or raise: a message that cannot be queued must fail the caller's record."""
        sent, failed = self.send_each(messages)
        if failed:
            raise failed[0][1]
        return sent

    def send_each(self, messages: Sequence[BaseModel]) -> tuple[int, list[tuple[int, Exception]]]:
        """Send what can be sent; returns how many were sent and (index, error) for each message that was not.
        A request that fails fails its own messages only; the other batches still go."""
        bodies = [m.model_dump_json() for m in messages]
        failed: list[tuple[int, Exception]] = []
        sent = 0
        fitting = []
        for i, body in enumerate(bodies):
            if len(body.encode("utf-8")) > MAX_BATCH_BYTES:
                failed.append((i, MessageTooLarge(f"message {i} is {len(body.encode('utf-8'))} bytes")))
            else:
                fitting.append(i)
        for batch in chunks_within(
            fitting, lambda i: len(bodies[i].encode("utf-8")), SEND_BATCH_LIMIT, MAX_BATCH_BYTES
        ):
            entries = [{"Id": str(i), "MessageBody": bodies[i]} for i in batch]
            try:
                until_done(self._send, entries, f"SQS SendMessageBatch to {self.queue_url}")
                sent += len(batch)
            except Exception as err:
                failed.extend((i, err) for i in batch)
        return sent, sorted(failed, key=lambda f: f[0])

    def _send(self, pending: list[dict]) -> list[dict]:
        response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=pending)
        failed_ids = {f["Id"] for f in response.get("Failed", [])}
        return [e for e in pending if e["Id"] in failed_ids]

    def retry_after(self, receipt_handle: str, seconds: float) -> None:
        """Hold a failed message back as long as the site asked (Retry-After), not the default timeout."""
        self.client.change_message_visibility(
            QueueUrl=self.queue_url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=int(min(max(seconds, 0), MAX_VISIBILITY_SECONDS)),
        )
