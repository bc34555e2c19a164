"""EventBridge adapter: announce stored articles, ten entries per PutEvents call."""

from __future__ import annotations

from collections.abc import Sequence

from newsingest.models.events import EVENT_SOURCE, ArticleEventDetail, detail_type
from newsingest.models.records import Article
from newsingest.storage.dynamo import chunks, until_done

PUT_EVENTS_LIMIT = 10


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

        def put(pending: list[dict]) -> list[dict]:
            results = self.client.put_events(Entries=pending).get("Entries", [])
            return [e for e, r in zip(pending, results, strict=False) if r.get("ErrorCode")]

        for chunk in chunks(entries, PUT_EVENTS_LIMIT):
            until_done(put, list(chunk), f"EventBridge PutEvents on {self.bus_name}")
        return len(entries)
