"""EventBridge adapter: announce stored versions, at most ten entries and 256 KB per PutEvents call."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from newsingest.models.events import EVENT_SOURCE, ArticleEventDetail, detail_type
from newsingest.models.records import Article
from newsingest.storage.dynamo import chunks_within, until_done

PUT_EVENTS_LIMIT = 10
MAX_REQUEST_BYTES = 256 * 1024  # EventBridge: an entry, and a whole PutEvents request


class EventRefused(Exception):
    """EventBridge kept refusing an entry (or it could never fit): its version stays in the outbox."""


def entry_size(entry: dict) -> int:
    """EventBridge's own count: source, detail type, detail and resources, in UTF-8 bytes, plus 14 for Time."""
    parts = [entry["Source"], entry["DetailType"], entry["Detail"], *entry.get("Resources", [])]
    return 14 + sum(len(p.encode("utf-8")) for p in parts)


class EventPublisher:
    def __init__(self, client, bus_name: str):
        self.client = client
        self.bus_name = bus_name

    def entry(self, article: Article, record_s3_key: str) -> dict:
        return {
            "Source": EVENT_SOURCE,
            "DetailType": detail_type(article),
            "Detail": ArticleEventDetail.of(article, record_s3_key).model_dump_json(),
            "EventBusName": self.bus_name,
            "Resources": [],
        }

    def publish_each(self, stored: Mapping[Hashable, tuple[Article, str]]) -> dict[Hashable, Exception]:
        """Publish one event per (article, record key); returns the keys whose event was not published.
        Requests are filled up to ten entries and 256 KB; entries EventBridge refuses are retried with
        backoff; an error fails the entries of its request only."""
        entries = {key: self.entry(article, record_key) for key, (article, record_key) in stored.items()}
        failed: dict[Hashable, Exception] = {}
        for key, entry in entries.items():
            if entry_size(entry) > MAX_REQUEST_BYTES:
                failed[key] = EventRefused(f"event of {entry_size(entry)} bytes is over EventBridge's 256 KB")
        fitting = [(k, e) for k, e in entries.items() if k not in failed]
        for request in chunks_within(fitting, lambda item: entry_size(item[1]), PUT_EVENTS_LIMIT, MAX_REQUEST_BYTES):
            try:
                until_done(self._put, request, f"EventBridge PutEvents on {self.bus_name}")
            except Exception as err:
                failed.update({key: EventRefused(str(err)) for key, _ in request})
        return failed

    def publish(self, stored: Sequence[tuple[Article, str]]) -> int:
        """Publish every event or raise."""
        failed = self.publish_each(dict(enumerate(stored)))
        if failed:
            raise next(iter(failed.values()))
        return len(stored)

    def _put(self, pending: list[tuple[Hashable, dict]]) -> list[tuple[Hashable, dict]]:
        results = self.client.put_events(Entries=[e for _, e in pending]).get("Entries", [])
        return [p for p, r in zip(pending, results, strict=False) if r.get("ErrorCode")]
