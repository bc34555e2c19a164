"""EventBridge adapter: announce stored articles, ten entries per PutEvents call."""

from __future__ import annotations

import time
from collections.abc import Sequence

from newsingest.models.events import EVENT_SOURCE, ArticleEventDetail, detail_type
from newsingest.models.records import Article
from newsingest.storage.dynamo import chunks

PUT_EVENTS_LIMIT = 10
_MAX_ROUNDS = 5


class EventPublisher:
    def __init__(self, client, bus_name: str):
        self.client = client
        self.bus_name = bus_name

    def publish(self, stored: Sequence[tuple[Article, str]]) -> int:
        """Publish (article, record key) pairs; raise if EventBridge keeps refusing some."""
        entries = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": detail_type(article),
                "Detail": ArticleEventDetail.of(article, key).model_dump_json(),
                "EventBusName": self.bus_name,
                "Resources": [],
            }
            for article, key in stored
        ]
        for chunk in chunks(entries, PUT_EVENTS_LIMIT):
            pending = list(chunk)
            for attempt in range(_MAX_ROUNDS):
                response = self.client.put_events(Entries=pending)
                results = response.get("Entries", [])
                pending = [e for e, r in zip(pending, results, strict=False) if r.get("ErrorCode")]
                if not pending:
                    break
                time.sleep(min(2.0, 0.1 * 2**attempt))
            else:
                raise RuntimeError(f"EventBridge refused {len(pending)} events on {self.bus_name}")
        return len(entries)
