"""Article repository: the latest item, version items, the listing indexes (source, entity),
SimHash band buckets and content-hash claims.

The record itself is in S3 only (`record_s3_key`); DynamoDB holds what listings, lookups and the
commit need. Inline, the compressed record cost ≈ 3.6 write units per version and ≈ 3.5 KB of
storage per article for a copy every reader can fetch from S3 (docs/cost.md).

Typed in and out: an `Article` goes in, `StoredArticle` / `ArticleListing` / `EntityHit` come out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from newsingest.entities.knowledge import EntityIndexPolicy, entity_id_of
from newsingest.models.lines import LINE_KEY_BYTES, line_keys
from newsingest.models.records import Article
from newsingest.storage import keys
from newsingest.storage.dynamo import batch_get, batch_write, from_item, is_conditional_failure, query_all, to_item

# Where a version's "event published" mark is. A LATEST item the commit claims says `outbox = url`:
# the version is complete once its canonical URL's item carries its version (written after the
# event). Items written before that (and by `put`) have none: their V#n item is the outbox, complete
# without `event_pending`.
OUTBOX = "event_pending"
OUTBOX_IN_URL = "url"
TITLE_CHARS = 500  # index items carry a title for listings, never an unbounded one
# Near-duplicates are looked for among the texts fetched the same day and the day before: wire copies
# and syndicated texts appear within hours. One item per (band, band value, day) holds its texts, so a
# batch reads all its candidates with one BatchGetItem instead of one Query per band and article.
SIMHASH_WINDOW_DAYS = 2
MAX_BUCKET_TEXTS = 1000  # texts per band bucket and day (about 40 KB); more are not remembered


@dataclass(frozen=True)
class LatestVersion:
    article_id: str
    version: int
    content_hash: str
    record_s3_key: str


@dataclass(frozen=True)
class ArticleListing:
    """What the LATEST and V# items and the source index carry for a listing."""

    article_id: str
    version: int
    source_id: str | None
    title: str | None
    url: str | None
    published_at: str | None
    duplicate_of: str | None
    record_s3_key: str
    content_hash: str | None = None  # on LATEST and V# items, not projected into the GSI

    @classmethod
    def of(cls, item: dict[str, Any]) -> ArticleListing:
        return cls(
            item["article_id"],
            int(item["version"]),
            item.get("source_id"),
            item.get("title"),
            item.get("url"),
            item.get("published_at"),
            item.get("duplicate_of"),
            item["record_s3_key"],
            item.get("content_hash"),
        )


@dataclass(frozen=True)
class StoredArticle:
    """The LATEST item: the listing of the newest version and its claim (the record is in S3)."""

    listing: ArticleListing
    content_hash: str
    claimed_at: float = 0.0  # when the commit that wrote this version claimed it (epoch seconds)
    outbox: str | None = None  # OUTBOX_IN_URL: complete once the canonical URL's item has this version
    sort_key: str = ""  # time (published, else fetched), then id: listings order by it without the record

    @classmethod
    def of(cls, item: dict[str, Any]) -> StoredArticle:
        return cls(
            ArticleListing.of(item),
            item["content_hash"],
            float(item.get("claimed_at", 0.0)),
            item.get("outbox"),
            item.get("gsi1sk", ""),
        )

    @property
    def version(self) -> int:
        return self.listing.version


@dataclass(frozen=True)
class EntityHit:
    article_id: str
    source_id: str
    title: str | None
    entity: str
    entity_type: str
    salience: float
    mentions: int
    sort_key: str = ""  # time, then article id: hits of several ids merge in time order

    @classmethod
    def of(cls, item: dict[str, Any]) -> EntityHit:
        return cls(
            item["article_id"],
            item["source_id"],
            item.get("title"),
            item["entity"],
            item["entity_type"],
            float(item["salience"]),
            int(item["mentions"]),
            item.get("sk", ""),
        )


def _title(article: Article) -> str | None:
    return (article.title or "")[:TITLE_CHARS] or None


def _packed(keys_hex: list[str]) -> bytes:
    return b"".join(bytes.fromhex(k) for k in keys_hex)


def _unpacked(stored: Any) -> tuple[str, ...]:
    raw = bytes(stored.value if hasattr(stored, "value") else stored or b"")  # boto3's Binary
    return tuple(raw[i : i + LINE_KEY_BYTES].hex() for i in range(0, len(raw), LINE_KEY_BYTES))


@dataclass(frozen=True)
class CommitView:
    """What one batch's commit must know before it writes, read with one or two BatchGetItem requests."""

    latest: dict[str, StoredArticle]  # article_id -> its LATEST item
    announced: set[str]  # article ids whose latest version is complete: its event published
    hash_owners: dict[str, str]  # content hash -> the article that claimed the text first
    buckets: dict[tuple[str, str], dict[str, str]]  # SimHash band bucket -> {article_id: simhash}

    def similar(self, article: Article) -> dict[str, str]:
        """Stored texts sharing a SimHash band with this one, fetched within the window: article_id -> simhash."""
        return _candidates(article.simhash, bucket_day(article), self.buckets)


class ArticleRepository:
    def __init__(self, client, table_name: str):
        self.client = client
        self.name = table_name

    # -- the batched commit (protocol: docs/commit.md) -----------------------------------------

    def read_for_commit(self, articles: Sequence[Article]) -> CommitView:
        """LATEST, hash-claim and SimHash bucket items in one BatchGetItem (100 keys: a batch of ten),
        then the latest versions' outbox marks (canonical URL items) in one more."""
        wanted = [keys.latest_key(a) for a in dict.fromkeys(a.article_id for a in articles)]
        wanted += [keys.hash_key(h) for h in dict.fromkeys(a.content_hash for a in articles)]
        wanted += _unique(k for a in articles for k in window_keys(a.simhash, bucket_day(a)))
        found = batch_get(self.client, self.name, wanted)
        latest = {i["article_id"]: StoredArticle.of(i) for i in found if i["sk"] == keys.LATEST}
        owners = {i["pk"].removeprefix("HASH#"): i["article_id"] for i in found if i["sk"] == keys.HASH_SK}
        buckets = {(i["pk"], i["sk"]): dict(i.get("texts") or {}) for i in found if i["pk"].startswith("SIM#")}
        marks = {_outbox_key(stored): stored for stored in latest.values()}
        found_marks = batch_get(
            self.client,
            self.name,
            [dict(zip(("pk", "sk"), at, strict=True)) for at in marks],
            projection="pk, sk, article_id, #v, #o",
            names={"#o": OUTBOX, "#v": "version"},
        )
        announced = {
            marks[(i["pk"], i["sk"])].listing.article_id
            for i in found_marks
            if _completes(i, marks[(i["pk"], i["sk"])])
        }
        return CommitView(latest, announced, owners, buckets)

    def read_items(self, wanted: Sequence[dict[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
        """Any items by key (BatchGetItem, 100 keys a request): what shared items are merged onto."""
        return {(i["pk"], i["sk"]): i for i in batch_get(self.client, self.name, _unique(wanted))}

    def claim(
        self,
        article: Article,
        record_s3_key: str,
        now: float,
        *,
        rederive: bool = False,
        taken_over_at: float | None = None,
    ) -> bool:
        """Write LATEST for a new version, only if no commit stored this version or a newer one first
        (a rederive rewrites the same version of the same text; a commit that took over an unfinished
        claim of this version, `taken_over_at`, rewrites it while the claim is still its own).
        False: another commit won."""
        condition = "attribute_not_exists(pk) OR version < :v"
        values: dict[str, Any] = {":v": article.version}
        if rederive:
            condition += " OR (version = :v AND content_hash = :h)"
            values[":h"] = article.content_hash
        if taken_over_at is not None:
            condition = "version = :v AND claimed_at = :t"
            values[":t"] = taken_over_at
        try:
            self.client.put_item(
                TableName=self.name,
                Item=to_item({**latest_item(article, record_s3_key), "claimed_at": now, "outbox": OUTBOX_IN_URL}),
                ConditionExpression=condition,
                ExpressionAttributeValues=to_item(values),
            )
            return True
        except Exception as err:
            if is_conditional_failure(err):
                return False
            raise

    def take_over(self, article_id: str, version: int, claimed_at: float, now: float) -> bool:
        """Become the one commit that completes an unfinished version whose claim has expired (a
        version claimed before the URL outbox moves to it: its finish writes the URL items)."""
        try:
            self.client.update_item(
                TableName=self.name,
                Key=to_item(keys.latest_key(article_id)),
                UpdateExpression="SET claimed_at = :now, outbox = :url",
                ConditionExpression="version = :v AND claimed_at = :then",
                ExpressionAttributeValues=to_item(
                    {":now": now, ":v": version, ":then": claimed_at, ":url": OUTBOX_IN_URL}
                ),
            )
            return True
        except Exception as err:
            if is_conditional_failure(err):
                return False
            raise

    # -- reads for the commit ------------------------------------------------------------------

    def latest_versions(self, article_ids: Sequence[str]) -> dict[str, LatestVersion]:
        found = batch_get(
            self.client,
            self.name,
            [keys.latest_key(a) for a in dict.fromkeys(article_ids)],
            projection="article_id, version, content_hash, record_s3_key",
        )
        return {
            i["article_id"]: LatestVersion(i["article_id"], i["version"], i["content_hash"], i["record_s3_key"])
            for i in found
        }

    def claim_content(self, content_hash: str, article_id: str) -> str | None:
        """First article to claim a text owns it; returns the owner's id when it is someone else."""
        try:
            self.client.put_item(
                TableName=self.name,
                Item=to_item({**keys.hash_key(content_hash), "article_id": article_id}),
                ConditionExpression="attribute_not_exists(pk) OR article_id = :a",
                ExpressionAttributeValues=to_item({":a": article_id}),
            )
            return None
        except Exception as err:
            if not is_conditional_failure(err):
                raise
        owner = self.client.get_item(TableName=self.name, Key=to_item(keys.hash_key(content_hash)), ConsistentRead=True)
        return from_item(owner["Item"])["article_id"]

    def similar_candidates(self, simhash: str, day: str) -> dict[str, str]:
        """Original texts sharing a SimHash band with this one, fetched on `day` or the day before:
        article_id -> simhash (one BatchGetItem)."""
        found = self.read_items(window_keys(simhash, day))
        return _candidates(simhash, day, {k: dict(i.get("texts") or {}) for k, i in found.items()})

    # -- writes ---------------------------------------------------------------------------------

    def put(self, article: Article, record_s3_key: str, *, entity_index: EntityIndexPolicy) -> int:
        """A complete version written directly, outside the batched commit (tests, tools): LATEST
        (conditionally: never over a newer version) without `outbox`, so its V# item, written with
        it and never pending, says it is complete; then the entity index. Neither shared items nor
        events: the commit (pipeline/commit.py) is how the pipeline stores. Returns the requests made."""
        self.client.put_item(
            TableName=self.name,
            Item=to_item(latest_item(article, record_s3_key)),
            # Never over a newer version; the same version again (a retry, a replay) rewrites it.
            ConditionExpression="attribute_not_exists(pk) OR version <= :v",
            ExpressionAttributeValues=to_item({":v": article.version}),
        )
        items = [version_item(article, record_s3_key), *index_items(article, entity_index)]
        return 1 + batch_write(self.client, self.name, items)

    # -- reads for consumers --------------------------------------------------------------------

    def get(self, article_id: str) -> StoredArticle | None:
        response = self.client.get_item(TableName=self.name, Key=to_item(keys.latest_key(article_id)))
        return StoredArticle.of(from_item(response["Item"])) if "Item" in response else None

    def get_many(self, article_ids: Sequence[str]) -> list[StoredArticle]:
        """LATEST items in the order asked for (BatchGetItem, 100 ids each); unknown ids are left out."""
        ids = list(dict.fromkeys(article_ids))
        found = batch_get(self.client, self.name, [keys.latest_key(a) for a in ids])
        by_id = {item["article_id"]: StoredArticle.of(item) for item in found}
        return [by_id[a] for a in ids if a in by_id]

    def versions(self, article_id: str) -> list[ArticleListing]:
        """Every version, oldest first: the V# items of the versions a later one replaced, and LATEST
        (the newest, possibly still being committed). One Query of the article's partition."""
        items = list(
            query_all(
                self.client,
                TableName=self.name,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues=to_item({":p": keys.article_pk(article_id)}),
                ProjectionExpression=", ".join(f"#{n}" for n in ("sk", "content_hash", *LISTING_FIELDS)),
                ExpressionAttributeNames={f"#{n}": n for n in ("sk", "content_hash", *LISTING_FIELDS)},
            )
        )
        found = {int(i["version"]): ArticleListing.of(i) for i in items if i["sk"].startswith(keys.VERSION_PREFIX)}
        for item in items:
            if item["sk"] == keys.LATEST:
                found.setdefault(int(item["version"]), ArticleListing.of(item))
        return [found[v] for v in sorted(found)]

    def by_source(
        self, source_id: str, start: datetime, end: datetime, *, newest_first: bool = True, limit: int | None = None
    ) -> Iterator[ArticleListing]:
        items = self._range(keys.BY_SOURCE_INDEX, "gsi1", keys.source_pk(source_id), start, end, newest_first, limit)
        return (ArticleListing.of(i) for i in items)

    def by_entity(
        self, entity_id: str, start: datetime, end: datetime, *, limit: int | None = None
    ) -> Iterator[EntityHit]:
        """Articles whose top entities include the entity with this canonical id (knowledge.entity_id_for)."""
        items = self._range(None, "", keys.entity_pk(entity_id), start, end, True, limit)
        return (EntityHit.of(i) for i in items)

    def recent_line_keys(self, source_id: str, limit: int) -> list[tuple[str, ...]]:
        """The line keys of the source's latest stored texts, newest first: one Query on BySource,
        one BatchGetItem of the LATEST items' keys (never the records)."""
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
        ids = list(dict.fromkeys(h["article_id"] for h in hits))
        wanted = [keys.latest_key(a) for a in ids]
        found = batch_get(self.client, self.name, wanted, projection="article_id, #l", names={"#l": "lines"})
        by_id = {i["article_id"]: _unpacked(i.get("lines")) for i in found}
        return [by_id[a] for a in ids if a in by_id]

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


# -- the items of one stored version (pure: what the commit writes) -----------------------------


LISTING_FIELDS = ("article_id", "version", "source_id", "title", "url", "published_at", "duplicate_of", "record_s3_key")


def listing(article: Article, record_s3_key: str) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "version": article.version,
        "source_id": article.source_id,
        "title": _title(article),
        "url": article.canonical_url,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "content_hash": article.content_hash,
        "duplicate_of": article.duplicate_of,
        "record_s3_key": record_s3_key,
    }


def latest_item(article: Article, record_s3_key: str) -> dict[str, Any]:
    """The LATEST item: listing, the BySource GSI keys, and the text's line keys (boilerplate learning).
    No day index: a day's articles are listed from the S3 day partition (ArticleClient.by_day)."""
    return {
        **keys.latest_key(article.article_id),
        "gsi1pk": keys.source_pk(article.source_id),
        "gsi1sk": _sort_key(article),
        **listing(article, record_s3_key),
        "lines": _packed(line_keys(article.text)),
    }


def version_item(article: Article, record_s3_key: str) -> dict[str, Any]:
    """The V# item of a version (`put`, outside the batched commit)."""
    return {**keys.version_key(article.article_id, article.version), **listing(article, record_s3_key)}


def replaced_version_item(latest: StoredArticle) -> dict[str, Any]:
    """The V# item of the version a new one is about to replace in LATEST: its listing, kept. The
    newest version lives in LATEST alone, so a first version (most articles) writes no V# item."""
    return {
        **keys.version_key(latest.listing.article_id, latest.version),
        **{name: getattr(latest.listing, name) for name in LISTING_FIELDS},
        "content_hash": latest.content_hash,
    }


def _outbox_key(stored: StoredArticle) -> tuple[str, str]:
    """Where the latest version's "event published" mark is (see OUTBOX_IN_URL)."""
    if stored.outbox == OUTBOX_IN_URL and stored.listing.url:
        at = keys.url_item_key(stored.listing.url)
    else:
        at = keys.version_key(stored.listing.article_id, stored.version)
    return at["pk"], at["sk"]


def _completes(mark: dict[str, Any], stored: StoredArticle) -> bool:
    if mark["sk"].startswith(keys.VERSION_PREFIX):
        return OUTBOX not in mark
    return mark.get("article_id") == stored.listing.article_id and int(mark.get("version") or 0) >= stored.version


def hash_item(article: Article) -> dict[str, Any]:
    """The claim on a text: the first article stored with it."""
    return {**keys.hash_key(article.content_hash), "article_id": article.article_id}


def index_items(article: Article, entity_index: EntityIndexPolicy) -> list[dict[str, Any]]:
    """The items only this version writes: the entity index (the entities `entity_index` keeps)."""
    return entity_items(article, entity_index)


def bucket_day(article: Article) -> str:
    """The day of the SimHash buckets a text goes to: its fetch day (UTC), fixed in the record."""
    return article.fetched_at.astimezone(UTC).date().isoformat()


def window_keys(simhash: str, day: str) -> list[dict[str, str]]:
    """The buckets a text's near-duplicates are looked for in: its bands, its day and the days before."""
    first = datetime.fromisoformat(day)
    days = [(first - timedelta(days=n)).date().isoformat() for n in range(SIMHASH_WINDOW_DAYS)]
    return [k for d in days for k in keys.simhash_bucket_keys(simhash, d)]


def bucket_keys(articles: Sequence[Article]) -> list[dict[str, str]]:
    """The buckets these original texts are added to."""
    return _unique(k for a in articles for k in keys.simhash_bucket_keys(a.simhash, bucket_day(a)))


def bucket_items[K: Hashable](
    articles: Mapping[K, Article], found: Mapping[tuple[str, str], dict[str, Any]]
) -> list[tuple[dict[str, Any], frozenset[K]]]:
    """The band buckets after these original texts joined them (merged onto the items as read): each
    with the records whose texts it holds, for the write to fail them together. Unchanged buckets are
    left out. A put, not an update: two batches adding to one bucket at the same instant can lose one
    text from that band (a missed candidate, never a wrong record); a redelivery merges again."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    owners: dict[tuple[str, str], set[K]] = {}
    for owner, article in articles.items():
        for key in keys.simhash_bucket_keys(article.simhash, bucket_day(article)):
            at = (key["pk"], key["sk"])
            item = merged.setdefault(at, {**key, "texts": dict(found.get(at, {}).get("texts") or {})})
            texts = item["texts"]
            if texts.get(article.article_id) != article.simhash and (
                article.article_id in texts or len(texts) < MAX_BUCKET_TEXTS
            ):
                texts[article.article_id] = article.simhash
                owners.setdefault(at, set()).add(owner)
    return [(merged[at], frozenset(who)) for at, who in owners.items()]


def _candidates(simhash: str, day: str, buckets: Mapping[tuple[str, str], dict[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key in window_keys(simhash, day):
        found.update(buckets.get((key["pk"], key["sk"]), {}))
    return found


def _unique(wanted) -> list[dict[str, str]]:
    return list({(k["pk"], k["sk"]): k for k in wanted}.values())


def entity_items(article: Article, policy: EntityIndexPolicy) -> list[dict[str, Any]]:
    """The entity index holds only the entities the article is about (`policy`: salient enough, at
    most its limit): write cost is bounded, and a passing mention is read from the records instead."""
    sort_key = _sort_key(article)
    return [
        {
            "pk": keys.entity_pk(entity_id_of(entity)),
            "sk": sort_key,
            "article_id": article.article_id,
            "source_id": article.source_id,
            "title": _title(article),
            "entity": entity.name[: keys.MAX_NAME_IN_ITEM],
            "entity_id": keys.bounded(entity_id_of(entity)),
            "entity_type": entity.type.value,
            "salience": entity.salience,
            "mentions": entity.mentions,
        }
        for entity in policy.entities(article)
    ]


def _sort_key(article: Article) -> str:
    return keys.time_sort_key(article.published_at or article.fetched_at, article.article_id)
