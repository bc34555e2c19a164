"""URL repository: what discovery claimed and what became of each URL (item URL#{digest} / URL)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsingest.storage import keys
from newsingest.storage.dynamo import batch_get, from_item, is_conditional_failure, to_item


@dataclass(frozen=True)
class KnownUrl:
    url: str
    status: str
    revision: str | None
    article_id: str | None
    reason: str | None

    @classmethod
    def of(cls, item: dict[str, Any]) -> KnownUrl:
        return cls(
            item["url"], item.get("status", ""), item.get("revision"), item.get("article_id"), item.get("reason")
        )


class UrlRepository:
    def __init__(self, client, table_name: str):
        self.client = client
        self.name = table_name

    def known(self, urls: Sequence[str]) -> dict[str, KnownUrl]:
        """One BatchGetItem per 100 URLs: the cheap check before any conditional write."""
        found = batch_get(
            self.client,
            self.name,
            [keys.url_item_key(u) for u in dict.fromkeys(urls)],
            projection="#u, #s, revision, article_id, reason",
            names={"#u": "url", "#s": "status"},  # reserved words
        )
        return {i["url"]: KnownUrl.of(i) for i in found}

    def get(self, url: str) -> KnownUrl | None:
        response = self.client.get_item(TableName=self.name, Key=to_item(keys.url_item_key(url)))
        return KnownUrl.of(from_item(response["Item"])) if "Item" in response else None

    def claim(self, url: str, source_id: str, revision: str | None, now: datetime) -> bool:
        """Record a newly discovered URL; False when another discoverer got there first."""
        try:
            self.client.put_item(
                TableName=self.name,
                Item=to_item(
                    {
                        **keys.url_item_key(url),
                        "url": url,
                        "source_id": source_id,
                        "revision": revision,
                        "status": "queued",
                        "first_seen": now.isoformat(),
                        "updated_at": now.isoformat(),
                    }
                ),
                ConditionExpression="attribute_not_exists(pk)",
            )
            return True
        except Exception as err:
            if is_conditional_failure(err):
                return False
            raise

    def claim_revision(self, url: str, revision: str, now: datetime) -> bool:
        """A known URL whose feed entry changed: True for exactly one discoverer, who queues a refresh."""
        try:
            self.client.update_item(
                TableName=self.name,
                Key=to_item(keys.url_item_key(url)),
                UpdateExpression="SET revision = :r, updated_at = :t",
                ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(revision) OR revision <> :r)",
                ExpressionAttributeValues=to_item({":r": revision, ":t": now.isoformat()}),
            )
            return True
        except Exception as err:
            if is_conditional_failure(err):
                return False
            raise

    def release(self, urls: Iterable[str]) -> None:
        """Undo claims whose messages could not be queued, so the next run finds them again."""
        for url in urls:
            self.client.delete_item(TableName=self.name, Key=to_item(keys.url_item_key(url)))

    def mark(
        self,
        url: str,
        status: str,
        *,
        source_id: str,
        reason: str | None = None,
        article_id: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record the outcome of a URL; creates the item for URLs first met as redirects or canonicals."""
        values: dict[str, Any] = {
            ":s": status,
            ":u": url,
            ":src": source_id,
            ":t": (now or datetime.now(UTC)).isoformat(),
        }
        sets = ["#s = :s", "#u = :u", "source_id = :src", "updated_at = :t"]
        if article_id is not None:
            sets.append("article_id = :a")
            values[":a"] = article_id
        if reason is not None:
            sets.append("reason = :r")
            values[":r"] = reason
        expression = "SET " + ", ".join(sets) + ("" if reason is not None else " REMOVE reason")
        self.client.update_item(
            TableName=self.name,
            Key=to_item(keys.url_item_key(url)),
            UpdateExpression=expression,
            ExpressionAttributeNames={"#s": "status", "#u": "url"},
            ExpressionAttributeValues=to_item(values),
        )
