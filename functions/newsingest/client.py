"""The Python client for downstream teams: read articles by id, URL, source, day or entity (any alias).

Every lookup is one GetItem or one Query on the index table (key design: newsingest.storage.keys),
plus, for listings, BatchGetItem calls (100 ids each) that turn index hits into record locations;
nothing scans. A day's articles are listed from the records' S3 day partition instead of an index.
Records come from S3 (GetObject, eight at a time): DynamoDB holds no copy of them.
Two reads query the records themselves with DuckDB instead, exact but reading every record:
`entities` (the listing, an aggregate) and `mentioning` (every article that names an entity; the
entity index, `by_entity`, holds only the entities each article is about).

    client = ArticleClient.from_environment()
    for article in client.by_source("harbour-times", since=date(2026, 11, 1), limit=20): ...

SQL over the S3 records (DuckDB, local only): `newsingest query --sql`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from itertools import chain, islice

from newsingest.discovery.urls import canonicalize
from newsingest.entities.knowledge import ID_SCHEMES, name_key, read_forms, read_ids
from newsingest.local.analytics import ListedEntity, RunSql, listed_entities, mentioning
from newsingest.models.records import Article, article_id_for
from newsingest.storage.archive import Archive, day_prefix
from newsingest.storage.articles import StoredArticle
from newsingest.storage.stores import Repositories

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RECORD_READS = 8  # concurrent S3 GETs of a listing's records
Moment = date | datetime


def _start(value: Moment | None) -> datetime:
    if value is None:
        return EPOCH
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


def _end(value: Moment | None) -> datetime:
    """A day given as `until` includes that whole day."""
    if value is None:
        return datetime.now(UTC) + timedelta(days=1)  # published_at can run slightly ahead of our clock
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.max, tzinfo=UTC).replace(microsecond=0)


class ArticleClient:
    def __init__(self, repos: Repositories, archive: Archive, sql: RunSql | None = None):
        self.repos = repos
        self.archive = archive
        self.sql = sql  # SQL over the stored records (Application.records_sql): aggregates such as the listing

    @classmethod
    def from_environment(cls) -> ArticleClient:
        """Names and endpoint from the environment (the stack's outputs: TABLE_NAME, BUCKET_NAME, AWS_REGION)."""
        from newsingest.app import Application

        return Application.from_environment().client

    # -- single articles ---------------------------------------------------------------------

    def get(self, article_id: str) -> Article | None:
        """The latest version."""
        stored = self.repos.articles.get(article_id)
        return self._record(stored) if stored else None

    def by_url(self, url: str) -> Article | None:
        """Any spelling of the URL: the canonical form's id first, then the URL index (redirects, variants)."""
        canonical = canonicalize(url) or url
        found = self.get(article_id_for(canonical))
        if found:
            return found
        for candidate in dict.fromkeys((canonical, url)):
            known = self.repos.urls.get(candidate)
            if known and known.article_id:
                return self.get(known.article_id)
        return None

    def get_many(self, article_ids: Sequence[str]) -> list[Article]:
        """Latest versions, in the order asked for (BatchGetItem, 100 ids per request); unknown ids are left out."""
        return list(self._latest(list(dict.fromkeys(article_ids))))

    def versions(self, article_id: str) -> list[Article]:
        """Every stored version, oldest first (their listings point at the records in S3); a newest
        version still being committed (its record not yet in S3) is left out."""
        found = (self.archive.find_record(v.record_s3_key) for v in self.repos.articles.versions(article_id))
        return [record for record in found if record is not None]

    # -- ranges, newest first ----------------------------------------------------------------

    def by_source(
        self, source_id: str, since: Moment | None = None, until: Moment | None = None, limit: int | None = None
    ) -> Iterator[Article]:
        hits = self.repos.articles.by_source(source_id, _start(since), _end(until), newest_first=True, limit=limit)
        return self._latest([hit.article_id for hit in islice(hits, limit)])

    def by_day(self, day: date | str, limit: int | None = None) -> Iterator[Article]:
        """Articles whose latest version is dated `day` (published, else fetched), newest first.

        Listed from the S3 day partition (one LIST per 1,000 records), not a DynamoDB index: a day is a
        bulk read that belongs to S3/Athena, and a day index cost every stored version a write unit.
        Then one BatchGetItem per 100 articles (their LATEST items carry the time they sort by), and
        the records of the `limit` newest still dated that day."""
        listed = self.archive.day_records(date.fromisoformat(str(day)))
        partition = day_prefix(listed.day)
        stored = [
            s for s in self.repos.articles.get_many(listed.article_ids) if s.listing.record_s3_key.startswith(partition)
        ]
        newest = sorted(stored, key=lambda s: s.sort_key, reverse=True)
        return self._records(newest[:limit] if limit else newest)

    def by_entity(
        self,
        name: str,
        since: Moment | None = None,
        until: Moment | None = None,
        limit: int | None = None,
    ) -> Iterator[Article]:
        """Articles about X (the indexed entities: title, lead or most mentioned; ENTITY_INDEX_LIMIT and
        ENTITY_INDEX_MIN_SALIENCE), by any of its names: "U.S.", "US" and "United States" find the same
        articles; so does an id ("geonames:6252001"). Every article that mentions it: `mentioning`."""
        start, end = _start(since), _end(until)
        found = [list(self.repos.articles.by_entity(i, start, end, limit=limit)) for i in self.entity_ids(name)]
        hits = found[0] if len(found) == 1 else sorted(chain(*found), key=lambda h: h.sort_key, reverse=True)
        ids = dict.fromkeys(hit.article_id for hit in hits)  # a re-dated version can leave two hits
        return self._latest(list(ids)[:limit] if limit else list(ids))

    def mentioning(
        self,
        name: str,
        since: Moment | None = None,
        until: Moment | None = None,
        limit: int | None = None,
    ) -> Iterator[Article]:
        """Every article whose latest version mentions this entity, however briefly, newest first:
        by any of its names, as by_entity. Exact, not cheap: a query over every stored record
        (DuckDB, local/analytics.py MENTIONING_SQL), not a DynamoDB lookup."""
        ids = mentioning(self._records_sql(), self.entity_ids(name), _start(since), _end(until), limit)
        return self._latest(ids)

    def entity_id(self, name: str) -> str:
        """The canonical id a name stands for: gazetteer aliases, then full names the corpus learned."""
        return self.entity_ids(name)[0]

    def entity_ids(self, name: str) -> list[str]:
        """The canonical id, then the ids the same entity was indexed under before the corpus learned
        its full name (knowledge.read_ids): one BatchGetItem of the corpus memory."""
        if name.startswith(ID_SCHEMES):
            return [name]
        return read_ids(name, self.repos.entity_knowledge.recall([name_key(f) for f in read_forms(name)]))

    def entities(self, limit: int | None = None) -> list[ListedEntity]:
        """Canonical entities, most articles first: an aggregate over every stored record (DuckDB over
        the S3 records, local/analytics.py ENTITY_LISTING_SQL), not a DynamoDB lookup."""
        return listed_entities(self._records_sql(), limit)

    # -- helpers -----------------------------------------------------------------------------

    def _records_sql(self) -> RunSql:
        if self.sql is None:
            raise RuntimeError("this client has no SQL over the records: build it with Application.client")
        return self.sql

    def _latest(self, article_ids: Sequence[str]) -> Iterator[Article]:
        """Latest records, in the order asked for: BatchGetItem (100 ids per request) for where they
        are, then the records from S3, a few at a time."""
        return self._records(self.repos.articles.get_many(article_ids))

    def _records(self, stored: Sequence[StoredArticle]) -> Iterator[Article]:
        """The records of these LATEST items from S3, a few at a time, in order (unreadable ones left out)."""
        with ThreadPoolExecutor(max_workers=RECORD_READS) as pool:
            return iter([record for record in pool.map(self._record, stored) if record is not None])

    def _record(self, stored: StoredArticle) -> Article | None:
        """The latest version's record; while a commit is writing it (claimed, not yet in S3), the
        version before it (none for a first version)."""
        found = self.archive.find_record(stored.listing.record_s3_key)
        if found is not None or stored.version == 1:
            return found
        earlier = [v for v in self.repos.articles.versions(stored.listing.article_id) if v.version < stored.version]
        return self.archive.find_record(earlier[-1].record_s3_key) if earlier else None
