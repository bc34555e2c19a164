"""SQS adapter: send stage messages in batches of at most ten messages and 256 KB, retrying what SQS refused."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from newsingest.storage.dynamo import chunks_within, until_done

SEND_BATCH_LIMIT = 10
MAX_BATCH_BYTES = 256 * 1024  # SQS: one message, and the sum of a SendMessageBatch's messages
MAX_VISIBILITY_SECONDS = 12 * 3600  # SQS's limit


class MessageTooLarge(ValueError):
    """A message over SQS's 256 KB: the producer must bound what it puts in."""


def entry_size(entry: dict) -> int:
    """What SQS counts against 256 KB: the body and each message attribute's name, type and value."""
    size = len(entry["MessageBody"].encode("utf-8"))
    for name, attribute in entry.get("MessageAttributes", {}).items():
        value = attribute.get("StringValue") or attribute.get("BinaryValue") or b""
        size += len(name.encode("utf-8")) + len(attribute["DataType"].encode("utf-8"))
        size += len(value.encode("utf-8") if isinstance(value, str) else value)
    return size


class QueueSender:
    def __init__(self, client, queue_url: str):
        self.client = client
        self.queue_url = queue_url

    def send(self, messages: Sequence[BaseModel]) -> int:
        """Send every message or raise: a message that cannot be queued must fail the caller's record."""
        return self.send_entries(_entries(messages))

    def send_each(self, messages: Sequence[BaseModel]) -> tuple[int, list[tuple[int, Exception]]]:
        """Send what can be sent: how many were sent, and (index, error) for each message that was not."""
        return self.send_entries_each(_entries(messages))

    def send_entries(self, entries: Sequence[dict]) -> int:
        """SendMessageBatch entries without their Id (body, message attributes), or raise."""
        sent, failed = self.send_entries_each(entries)
        if failed:
            raise failed[0][1]
        return sent

    def send_entries_each(self, entries: Sequence[dict]) -> tuple[int, list[tuple[int, Exception]]]:
        """Requests of at most ten entries and 256 KB; a request that fails fails its own entries only,
        the others still go; an entry over 256 KB alone is refused before any request."""
        failed: list[tuple[int, Exception]] = []
        fitting = []
        for i, entry in enumerate(entries):
            if entry_size(entry) > MAX_BATCH_BYTES:
                failed.append((i, MessageTooLarge(f"message {i} is {entry_size(entry)} bytes, over 256 KB")))
            else:
                fitting.append(i)
        sent = 0
        for batch in chunks_within(fitting, lambda i: entry_size(entries[i]), SEND_BATCH_LIMIT, MAX_BATCH_BYTES):
            try:
                until_done(
                    self._send,
                    [{"Id": str(i), **entries[i]} for i in batch],
                    f"SQS SendMessageBatch to {self.queue_url}",
                )
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


def _entries(messages: Sequence[BaseModel]) -> list[dict]:
    return [{"MessageBody": m.model_dump_json()} for m in messages]
