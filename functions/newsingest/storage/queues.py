"""SQS adapter: send stage messages in batches of ten, retrying what SQS refused."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from newsingest.storage.dynamo import chunks, until_done

SEND_BATCH_LIMIT = 10
MAX_VISIBILITY_SECONDS = 12 * 3600  # SQS's limit


class QueueSender:
    def __init__(self, client, queue_url: str):
        self.client = client
        self.queue_url = queue_url

    def send(self, messages: Sequence[BaseModel]) -> int:
        """Send every message or raise: a message that cannot be queued must fail the caller's record."""
        return self.send_entries([{"MessageBody": m.model_dump_json()} for m in messages])

    def send_entries(self, entries: Sequence[dict]) -> int:
        """SendMessageBatch entries without their Id (body, message attributes), ten at a time, or raise."""
        sent = 0

        def send(pending: list[dict]) -> list[dict]:
            nonlocal sent
            response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=pending)
            sent += len(response.get("Successful", []))
            failed_ids = {f["Id"] for f in response.get("Failed", [])}
            return [e for e in pending if e["Id"] in failed_ids]

        for chunk in chunks(list(entries), SEND_BATCH_LIMIT):
            until_done(
                send, [{"Id": str(i), **e} for i, e in enumerate(chunk)], f"SQS SendMessageBatch to {self.queue_url}"
            )
        return sent

    def retry_after(self, receipt_handle: str, seconds: float) -> None:
        """Hold a failed message back as long as the site asked (Retry-After), not the default timeout."""
        self.client.change_message_visibility(
            QueueUrl=self.queue_url,
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=int(min(max(seconds, 0), MAX_VISIBILITY_SECONDS)),
        )
