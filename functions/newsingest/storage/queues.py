"""SQS adapter: send stage messages in batches of ten, retrying what SQS refused."""

from __future__ import annotations

import time
from collections.abc import Sequence

from pydantic import BaseModel

from newsingest.storage.dynamo import chunks

SEND_BATCH_LIMIT = 10
_MAX_ROUNDS = 5


class QueueSender:
    def __init__(self, client, queue_url: str):
        self.client = client
        self.queue_url = queue_url

    def send(self, messages: Sequence[BaseModel]) -> int:
        """Send every message or raise: a message that cannot be queued must fail the caller's record."""
        sent = 0
        for chunk in chunks(list(messages), SEND_BATCH_LIMIT):
            pending = [{"Id": str(i), "MessageBody": m.model_dump_json()} for i, m in enumerate(chunk)]
            for attempt in range(_MAX_ROUNDS):
                response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=pending)
                sent += len(response.get("Successful", []))
                failed_ids = {f["Id"] for f in response.get("Failed", [])}
                pending = [e for e in pending if e["Id"] in failed_ids]
                if not pending:
                    break
                time.sleep(min(2.0, 0.1 * 2**attempt))
            else:
                raise RuntimeError(f"SQS refused {len(pending)} messages to {self.queue_url}")
        return sent
