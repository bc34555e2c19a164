"""URL repository: what discovery claimed and what became of each URL (item URL#{digest} / URL).

Discovery's two-phase hand-off (docs/commit.md): a URL is `claimed` (conditionally: one discoverer)
before its message is sent, `queued` once SQS has it; a claim whose message could not be sent is
released, and a claim left `claimed` by a crash is found and sent again on a later run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from newsingest.models.outcomes import UrlStatus
from newsingest.storage import keys
from newsingest.storage.dynamo import batch_get, from_item, is_conditional_failure, to_item

CLAIMED = UrlStatus.CLAIMED
QUEUED = UrlStatus.QUEUED


@dataclass(frozen=True)
class KnownUrl:
    url: str
    status: str
    revision: str | None
    article_id: str | None
    reason: str | None
    updated_at: str | None = None
    version: int | None = None  # the article's version when the process stage last settled this URL

    @classmethod
    def of(cls, item: dict[str, Any]) -> KnownUrl:
        return cls(
            item["url"],
            item.get("status", ""),
            item.get("revision"),
            item.get("article_id"),
            item.get("reason"),
            item.get("updated_at"),
            int(item["version"]) if item.get("version") is not None else None,
        )


def url_item(
    url: str,
    status: str,
    *,
    source_id: str,
    now: datetime,
    first_seen: datetime | None = None,
    revision: str | None = None,
    article_id: str | None = None,
    version: int | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """A whole URL item, for batched puts: what the process stage knows of the URL when it is done with it
    (with the article's version: the canonical URL's item is the outbox mark of that version)."""
    return {
        **keys.url_item_key(url),
        "url": url,
        "source_id": source_id,
        "status": status,
        "revision": revision,
        "article_id": article_id,
        "version": version,
        "reason": reason,
        "first_seen": (first_seen or now).isoformat(),
        "updated_at": now.isoformat(),
    }


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
            projection="#u, #s, revision, article_id, reason, updated_at, #v",
            names={"#u": "url", "#s": "status", "#v": "version"},  # reserved words
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
                        "status": CLAIMED,
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
        return self._update_if(
            url,
            "SET revision = :r, #s = :claimed, updated_at = :t",
            "attribute_exists(pk) AND (attribute_not_exists(revision) OR revision <> :r)",
            {":r": revision, ":t": now.isoformat(), ":claimed": CLAIMED},
        )

    def reclaim(self, seen: KnownUrl, now: datetime) -> bool:
        """A claim left `claimed` (its discoverer died before sending): True for the one discoverer
        that sends it again."""
        return self._update_if(
            seen.url,
            "SET updated_at = :t",
            "#s = :claimed AND updated_at = :then",
            {":t": now.isoformat(), ":then": seen.updated_at, ":claimed": CLAIMED},
        )

    def confirm_queued(self, urls: Iterable[str], now: datetime) -> None:
        """The messages are in the queue: `claimed` becomes `queued` (unless the process stage was faster)."""
        for url in urls:
            self._update_if(
                url,
                "SET #s = :queued, updated_at = :t",
                "#s = :claimed",
                {":queued": QUEUED, ":claimed": CLAIMED, ":t": now.isoformat()},
            )

    def release(self, url: str, previous: KnownUrl | None, now: datetime) -> None:
        """Undo a claim whose message could not be sent, so the next run finds the URL as before."""
        if previous is None:
            try:
                self.client.delete_item(
                    TableName=self.name,
                    Key=to_item(keys.url_item_key(url)),
                    ConditionExpression="#s = :claimed",
                    ExpressionAttributeNames={"#s": "status"},
                    ExpressionAttributeValues=to_item({":claimed": CLAIMED}),
                )
            except Exception as err:
                if not is_conditional_failure(err):
                    raise
            return
        values = {":claimed": CLAIMED, ":status": previous.status, ":t": now.isoformat()}
        sets = "SET #s = :status, updated_at = :t"
        if previous.revision is not None:
            sets += ", revision = :r"
            values[":r"] = previous.revision
        self._update_if(
            url, sets + ("" if previous.revision is not None else " REMOVE revision"), "#s = :claimed", values
        )

    def _update_if(self, url: str, update: str, condition: str, values: dict[str, Any]) -> bool:
        request: dict[str, Any] = {
            "TableName": self.name,
            "Key": to_item(keys.url_item_key(url)),
            "UpdateExpression": update,
            "ConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
        }
        if "#s" in update + condition:
            request["ExpressionAttributeNames"] = {"#s": "status"}  # a reserved word
        try:
            self.client.update_item(**request)
            return True
        except Exception as err:
            if is_conditional_failure(err):
                return False
            raise

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
