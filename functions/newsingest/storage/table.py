"""DynamoDB adapter: the index table (articles, URLs, entities, hashes, source and domain state).

Key design and access patterns: newsingest.storage.keys. Every read here is a GetItem,
BatchGetItem or one Query; nothing scans.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from newsingest.entities.knowledge import entity_id_of
from newsingest.models.records import Article
from newsingest.storage import keys
from newsingest.storage.dynamo import batch_get, batch_write, from_item, query_all, to_item

# DynamoDB items are capped at 400 KB: a record bigger than this keeps its text in S3 only.
MAX_INLINE_RECORD_BYTES = 300_000
_POLITENESS_ROUNDS = 20
TITLE_CHARS = 500  # index items carry a title for listings, never an unbounded one


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


@dataclass(frozen=True)
class LatestVersion:
    article_id: str
    version: int
    content_hash: str
    record_s3_key: str


def _is_conditional_failure(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def _now() -> datetime:
    return datetime.now(UTC)


class IndexTable:
    def __init__(self, client, table_name: str):
        self.client = client
        self.name = table_name

    # -- URLs: discovery dedup and what became of each URL ------------------------------------

    def known_urls(self, urls: Sequence[str]) -> dict[str, KnownUrl]:
        """One BatchGetItem per 100 URLs: the cheap check before any conditional write."""
        keys_ = [{"pk": keys.url_pk(u), "sk": "URL"} for u in dict.fromkeys(urls)]
        found = batch_get(
            self.client,
            self.name,
            keys_,
            projection="#u, #s, revision, article_id, reason",
            names={"#u": "url", "#s": "status"},  # reserved words
        )
        return {i["url"]: KnownUrl.of(i) for i in found}

    def claim_url(self, url: str, source_id: str, revision: str | None, now: datetime) -> bool:
        """Record a newly discovered URL; False when another discoverer got there first."""
        try:
            self.client.put_item(
                TableName=self.name,
                Item=to_item(
                    {
                        "pk": keys.url_pk(url),
                        "sk": "URL",
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
        except ClientError as err:
            if _is_conditional_failure(err):
                return False
            raise

    def claim_revision(self, url: str, revision: str, now: datetime) -> bool:
        """A known URL whose feed entry changed: True for exactly one discoverer, who queues a refresh."""
        try:
            self.client.update_item(
                TableName=self.name,
                Key=to_item({"pk": keys.url_pk(url), "sk": "URL"}),
                UpdateExpression="SET revision = :r, updated_at = :t",
                ConditionExpression="attribute_exists(pk) AND (attribute_not_exists(revision) OR revision <> :r)",
                ExpressionAttributeValues=to_item({":r": revision, ":t": now.isoformat()}),
            )
            return True
        except ClientError as err:
            if _is_conditional_failure(err):
                return False
            raise

    def release_urls(self, urls: Iterable[str]) -> None:
        """Undo claims whose messages could not be queued, so the next run finds them again."""
        for url in urls:
            self.client.delete_item(TableName=self.name, Key=to_item({"pk": keys.url_pk(url), "sk": "URL"}))

    def mark_url(
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
        values: dict[str, Any] = {":s": status, ":u": url, ":src": source_id, ":t": (now or _now()).isoformat()}
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
            Key=to_item({"pk": keys.url_pk(url), "sk": "URL"}),
            UpdateExpression=expression,
            ExpressionAttributeNames={"#s": "status", "#u": "url"},
            ExpressionAttributeValues=to_item(values),
        )

    # -- Articles ------------------------------------------------------------------------------

    def latest_versions(self, article_ids: Sequence[str]) -> dict[str, LatestVersion]:
        keys_ = [{"pk": keys.article_pk(a), "sk": keys.LATEST} for a in dict.fromkeys(article_ids)]
        found = batch_get(self.client, self.name, keys_, projection="article_id, version, content_hash, record_s3_key")
        return {
            i["article_id"]: LatestVersion(i["article_id"], i["version"], i["content_hash"], i["record_s3_key"])
            for i in found
        }

    def claim_content(self, content_hash: str, article_id: str) -> str | None:
        """First article to claim a text owns it; returns the owner's id when it is someone else."""
        try:
            self.client.put_item(
                TableName=self.name,
                Item=to_item({"pk": keys.hash_pk(content_hash), "sk": "HASH", "article_id": article_id}),
                ConditionExpression="attribute_not_exists(pk) OR article_id = :a",
                ExpressionAttributeValues=to_item({":a": article_id}),
            )
            return None
        except ClientError as err:
            if not _is_conditional_failure(err):
                raise
        owner = self.client.get_item(
            TableName=self.name, Key=to_item({"pk": keys.hash_pk(content_hash), "sk": "HASH"}), ConsistentRead=True
        )
        return from_item(owner["Item"])["article_id"]

    def similar_candidates(self, simhash: str) -> dict[str, str]:
        """Articles sharing a SimHash band with this one: article_id -> simhash (one Query per band)."""
        found: dict[str, str] = {}
        for band in keys.simhash_band_pks(simhash):
            for item in query_all(
                self.client,
                TableName=self.name,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=to_item({":p": band}),
                ProjectionExpression="article_id, simhash, duplicate_of",
            ):
                if not item.get("duplicate_of"):
                    found[item["article_id"]] = item["simhash"]
        return found

    def put_article(self, article: Article, record_s3_key: str, *, entity_limit: int) -> int:
        """Write the latest item (conditionally: never over a newer version), then the rest in batches.

        Returns the number of DynamoDB requests made, so the cost model rests on counts.
        """
        record = article.model_dump(mode="json")
        record_json = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        text_in_s3 = len(record_json.encode("utf-8")) > MAX_INLINE_RECORD_BYTES
        if text_in_s3:
            slim = {**record, "text": "", "title": (article.title or "")[:TITLE_CHARS] or None}
            record_json = json.dumps(slim, ensure_ascii=False, separators=(",", ":"))
        when = article.published_at or article.fetched_at
        sort_key = keys.time_sort_key(when, article.article_id)
        listing = {
            "article_id": article.article_id,
            "version": article.version,
            "source_id": article.source_id,
            "title": (article.title or "")[:TITLE_CHARS] or None,
            "url": article.canonical_url,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "content_hash": article.content_hash,
            "duplicate_of": article.duplicate_of,
            "record_s3_key": record_s3_key,
        }
        latest = {
            "pk": keys.article_pk(article.article_id),
            "sk": keys.LATEST,
            "gsi1pk": keys.source_pk(article.source_id),
            "gsi1sk": sort_key,
            "gsi2pk": keys.day_pk(article.day),
            "gsi2sk": sort_key,
            **listing,
            "record": record_json,
            "text_in_s3": text_in_s3,
        }
        self.client.put_item(
            TableName=self.name,
            Item=to_item(latest),
            # Never over a newer version; the same version again (a retry, a replay) rewrites it.
            ConditionExpression="attribute_not_exists(pk) OR version <= :v",
            ExpressionAttributeValues=to_item({":v": article.version}),
        )
        # A version item points at its record in S3: the full record lives once in DynamoDB (LATEST).
        rest = [{"pk": keys.article_pk(article.article_id), "sk": keys.version_sk(article.version), **listing}]
        rest += self._entity_items(article, sort_key, entity_limit)
        if not article.duplicate_of:
            rest += [
                {"pk": band, "sk": article.article_id, "article_id": article.article_id, "simhash": article.simhash}
                for band in keys.simhash_band_pks(article.simhash)
            ]
        return 1 + batch_write(self.client, self.name, rest)

    @staticmethod
    def _entity_items(article: Article, sort_key: str, limit: int) -> list[dict[str, Any]]:
        """The entity index holds only the top-`limit` entities by salience: write cost is bounded."""
        items = []
        for entity in sorted(article.entities, key=lambda e: -e.salience)[:limit]:
            items.append(
                {
                    "pk": keys.entity_pk(entity_id_of(entity)),
                    "sk": sort_key,
                    "article_id": article.article_id,
                    "source_id": article.source_id,
                    "title": (article.title or "")[:TITLE_CHARS] or None,
                    "entity": entity.name,
                    "entity_id": entity_id_of(entity),
                    "entity_type": entity.type.value,
                    "salience": entity.salience,
                    "mentions": entity.mentions,
                }
            )
        return items

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        response = self.client.get_item(
            TableName=self.name, Key=to_item({"pk": keys.article_pk(article_id), "sk": keys.LATEST})
        )
        return from_item(response["Item"]) if "Item" in response else None

    def get_url(self, url: str) -> KnownUrl | None:
        response = self.client.get_item(TableName=self.name, Key=to_item({"pk": keys.url_pk(url), "sk": "URL"}))
        if "Item" not in response:
            return None
        return KnownUrl.of(from_item(response["Item"]))

    def versions(self, article_id: str) -> list[dict[str, Any]]:
        return list(
            query_all(
                self.client,
                TableName=self.name,
                KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                ExpressionAttributeValues=to_item({":p": keys.article_pk(article_id), ":v": "V#"}),
            )
        )

    def by_source(
        self, source_id: str, start: datetime, end: datetime, *, newest_first: bool = True, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        return self._range(keys.BY_SOURCE_INDEX, "gsi1", keys.source_pk(source_id), start, end, newest_first, limit)

    def by_day(self, day: str, *, newest_first: bool = True, limit: int | None = None) -> Iterator[dict[str, Any]]:
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        end = start + timedelta(days=1) - timedelta(seconds=1)
        return self._range(keys.BY_DAY_INDEX, "gsi2", keys.day_pk(day), start, end, newest_first, limit)

    def by_entity(
        self, entity_id: str, start: datetime, end: datetime, *, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        return self._range(None, "", keys.entity_pk(entity_id), start, end, True, limit)

    def _range(
        self,
        index: str | None,
        prefix: str,
        partition: str,
        start: datetime,
        end: datetime,
        newest_first: bool,
        limit: int | None,
    ) -> Iterator[dict[str, Any]]:
        pk, sk = (f"{prefix}pk", f"{prefix}sk") if prefix else ("pk", "sk")
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": f"{pk} = :p AND {sk} BETWEEN :a AND :b",
            "ExpressionAttributeValues": to_item(
                {":p": partition, ":a": keys.time_sort_key(start, ""), ":b": keys.time_sort_key(end, "~")}
            ),
            "ScanIndexForward": not newest_first,
        }
        if index:
            request["IndexName"] = index
        if limit:
            request["Limit"] = limit
        return query_all(self.client, **request)

    def recent_texts(self, source_id: str, limit: int) -> list[str]:
        """The source's latest stored texts, newest first: one Query on BySource, one BatchGetItem."""
        hits = query_all(
            self.client,
            TableName=self.name,
            IndexName=keys.BY_SOURCE_INDEX,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.source_pk(source_id)}),
            ProjectionExpression="article_id",
            ScanIndexForward=False,
            Limit=limit,
        )
        return [json.loads(item["record"])["text"] for item in self.latest_items([h["article_id"] for h in hits])]

    def latest_items(self, article_ids: Sequence[str]) -> list[dict[str, Any]]:
        """LATEST items (with the record) in the order asked for; unknown ids are left out."""
        ids = list(dict.fromkeys(article_ids))
        found = batch_get(self.client, self.name, [{"pk": keys.article_pk(a), "sk": keys.LATEST} for a in ids])
        by_id = {item["article_id"]: item for item in found}
        return [by_id[a] for a in ids if a in by_id]

    # -- Source state, robots cache, politeness --------------------------------------------------

    def get_boilerplate(self, source_id: str) -> set[str]:
        response = self.client.get_item(
            TableName=self.name, Key=to_item({"pk": keys.source_pk(source_id), "sk": "LINES"})
        )
        return set(from_item(response["Item"]).get("lines", [])) if "Item" in response else set()

    def put_boilerplate(self, source_id: str, lines: set[str]) -> None:
        self.client.put_item(
            TableName=self.name,
            Item=to_item({"pk": keys.source_pk(source_id), "sk": "LINES", "lines": sorted(lines)}),
        )

    def get_source_states(self, source_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        keys_ = [{"pk": keys.source_pk(s), "sk": "STATE"} for s in dict.fromkeys(source_ids)]
        return {i["source_id"]: json.loads(i["state"]) for i in batch_get(self.client, self.name, keys_)}

    def put_source_state(self, source_id: str, state: dict[str, Any]) -> None:
        self.client.put_item(
            TableName=self.name,
            Item=to_item(
                {"pk": keys.source_pk(source_id), "sk": "STATE", "source_id": source_id, "state": json.dumps(state)}
            ),
        )

    def get_robots(self, host: str, now: datetime) -> str | None:
        """The cached robots.txt decision for a host (Robots.to_text), unless it has expired."""
        response = self.client.get_item(TableName=self.name, Key=to_item({"pk": keys.domain_pk(host), "sk": "ROBOTS"}))
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        if item.get(keys.TTL_ATTRIBUTE, 0) < now.timestamp():  # TTL deletion lags: check it ourselves
            return None
        return item["robots"]

    def put_robots(self, host: str, cached: str, now: datetime, ttl: timedelta) -> None:
        if len(cached.encode("utf-8")) > MAX_INLINE_RECORD_BYTES:
            return  # a robots.txt this big is re-read rather than cached: items are capped at 400 KB
        self.client.put_item(
            TableName=self.name,
            Item=to_item(
                {
                    "pk": keys.domain_pk(host),
                    "sk": "ROBOTS",
                    "robots": cached,
                    keys.TTL_ATTRIBUTE: int((now + ttl).timestamp()),
                }
            ),
        )

    def reserve_fetch_slot(self, host: str, interval: float, now: float | None = None) -> float:
        """Book the next free fetch slot for a host; returns seconds to wait before fetching.

        The slot lives in DynamoDB and is taken with a compare-and-set, so the rate holds across
        every Lambda fetching from the host at once.
        """
        key = to_item({"pk": keys.domain_pk(host), "sk": "POLITE"})
        for _ in range(_POLITENESS_ROUNDS):
            current = time.time() if now is None else now
            response = self.client.get_item(TableName=self.name, Key=key, ConsistentRead=True)
            previous = from_item(response["Item"])["next_at"] if "Item" in response else None
            slot = max(current, previous or 0.0)
            condition = "attribute_not_exists(next_at)" if previous is None else "next_at = :prev"
            values = {":next": slot + interval, ":ttl": int(slot + interval + 86_400)}
            if previous is not None:
                values[":prev"] = previous
            try:
                self.client.update_item(
                    TableName=self.name,
                    Key=key,
                    UpdateExpression=f"SET next_at = :next, {keys.TTL_ATTRIBUTE} = :ttl",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=to_item(values),
                )
                return slot - current
            except ClientError as err:
                if not _is_conditional_failure(err):
                    raise
        raise RuntimeError(f"could not book a fetch slot for {host}: too much contention")

    def defer_host(self, host: str, until: float) -> None:
        """Push the host's next fetch slot back to `until` (epoch seconds), never forward."""
        try:
            self.client.update_item(
                TableName=self.name,
                Key=to_item({"pk": keys.domain_pk(host), "sk": "POLITE"}),
                UpdateExpression=f"SET next_at = :u, {keys.TTL_ATTRIBUTE} = :ttl",
                ConditionExpression="attribute_not_exists(next_at) OR next_at < :u",
                ExpressionAttributeValues=to_item({":u": until, ":ttl": int(until + 86_400)}),
            )
        except ClientError as err:
            if not _is_conditional_failure(err):
                raise
