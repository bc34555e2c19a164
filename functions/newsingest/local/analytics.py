"""SQL over the stored records with DuckDB: `newsingest query --sql`, on AWS or the local runtime.

Views: `article_versions` (alias `articles`, as the JSON Glue table), `articles_latest` (per
day partition) and `latest` (one row per article: its newest version). Days compacted into
Parquet are read from Parquet, the others (today, and any day not compacted yet) from the JSON
records, both typed from the record model. The same views can sit over a local JSON-lines file
of records instead (`make run`'s out/records.jsonl, or `query --format jsonl` output).

The httpfs extension is loaded from the pinned duckdb-extension-httpfs wheel, so it works
offline (duckdb 1.5.5; DuckDB 2.x cannot load httpfs without downloading it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from newsingest.analytics.columns import record_columns
from newsingest.analytics.compact import Table, json_columns
from newsingest.storage.archive import PARTITION_KEY, RECORDS_PREFIX
from newsingest.storage.clients import AwsConnection
from newsingest.storage.compacted import table_prefix


@dataclass(frozen=True)
class S3Access:
    """How DuckDB reaches S3: real AWS, or the local runtime's embedded endpoint."""

    region: str
    key_id: str | None = None
    secret: str | None = None
    session_token: str | None = None
    endpoint: str | None = None  # http://host:port for moto; None for AWS

    @classmethod
    def of(cls, connection: AwsConnection) -> S3Access:
        """The application's own connection: the same endpoint and credentials its boto3 clients use."""
        region, key_id, secret, token = connection.resolved_credentials()
        return cls(region=region, key_id=key_id, secret=secret, session_token=token, endpoint=connection.endpoint_url)

    def secret_sql(self) -> str:
        options = {"REGION": self.region}
        if self.key_id:
            options.update(KEY_ID=self.key_id, SECRET=self.secret or "")
        if self.session_token:
            options["SESSION_TOKEN"] = self.session_token
        extra = ""
        if self.endpoint:
            parts = urlsplit(self.endpoint)
            options["ENDPOINT"] = parts.netloc
            extra = f", URL_STYLE 'path', USE_SSL {'true' if parts.scheme == 'https' else 'false'}"
        # CREATE SECRET takes no bound parameters: quote the values ourselves.
        body = ", ".join(f"{k} '{_sql_quoted(v)}'" for k, v in options.items())
        return f"CREATE OR REPLACE SECRET records_s3 (TYPE s3, {body}{extra})"


def _sql_quoted(value: str) -> str:
    return value.replace("'", "''")


class Tables(StrEnum):
    """Which files the views read: the Parquet tables for compacted days (and JSON for the rest), or JSON only."""

    AUTO = "auto"
    JSON = "json"


@dataclass(frozen=True)
class Layout:
    """What is in the bucket: the days compacted into Parquet, and the days with JSON records."""

    compacted_days: frozenset[date] = frozenset()
    json_days: frozenset[date] = frozenset()


def records_glob(bucket: str, day: str = "*") -> str:
    return f"s3://{bucket}/{RECORDS_PREFIX}{PARTITION_KEY}={day}/*.json"


def parquet_glob(bucket: str, table: Table) -> str:
    return f"s3://{bucket}/{table_prefix(table)}{PARTITION_KEY}=*/*.parquet"


def view_sql(bucket: str, layout: Layout, tables: Tables = Tables.AUTO) -> dict[str, str]:
    """The SELECT behind each view: `article_versions` (also `articles`: every version) and `articles_latest`.

    Compacted days come from Parquet and the other days from JSON, typed alike from the record
    model; with `Tables.JSON`, or before any compaction, everything comes from JSON.
    """
    use_parquet = tables is Tables.AUTO and bool(layout.compacted_days)
    json_days = sorted(layout.json_days - layout.compacted_days) if use_parquet else None
    names = ", ".join(f'"{c.name}"' for c in record_columns())
    partition = "hive_partitioning = true, hive_types = {'dt': 'VARCHAR'}"
    json = None
    if json_days is None or json_days:
        files = (
            [records_glob(bucket)] if json_days is None else [records_glob(bucket, d.isoformat()) for d in json_days]
        )
        listed = "[" + ", ".join(f"'{_sql_quoted(f)}'" for f in files) + "]"
        json = (
            f"SELECT {names}, dt FROM read_json({listed}, format = 'newline_delimited', "
            f"columns = {json_columns(record_columns())}, {partition})"
        )
    # Per day, as the compacted table: a filter on dt then still prunes the JSON files read.
    latest_of = "QUALIFY row_number() OVER (PARTITION BY dt, article_id ORDER BY version DESC) = 1"
    views = {}
    for table in Table:
        parts = []
        if use_parquet:
            glob = _sql_quoted(parquet_glob(bucket, table))
            parts.append(f"SELECT {names}, dt FROM read_parquet('{glob}', {partition})")
        if json is not None:
            parts.append(json if table is Table.VERSIONS else f"SELECT * FROM ({json}) {latest_of}")
        views[table.value] = " UNION ALL ".join(parts)
    return with_derived_views(views)


# The newest version of each article over every day; articles_latest already holds each day's newest.
LATEST_SQL = (
    f"SELECT * FROM {Table.LATEST.value} QUALIFY row_number() OVER (PARTITION BY article_id "
    "ORDER BY version DESC, dt DESC) = 1"
)
DAY_FIELDS = ("published_at", "fetched_at")  # the partition day is the first of them known

# Every entity of every article's newest version, one row each (`e`): what the listing counts and
# what `mentioning` matches, so the two always agree on which articles mention an entity.
ENTITY_ROWS = "FROM latest, UNNEST(entities) AS listed(e)"

# The canonical entities with the number of articles (newest versions) mentioning them: an aggregate
# over every record, so a query over the records rather than counters written with each article
# (those cost ~8 write units per article: docs/cost.md).
ENTITY_LISTING_SQL = f"""
WITH mentioned AS (
    SELECT DISTINCT article_id, e.id AS id, coalesce(e.canonical_name, e.name) AS canonical_name,
           e.type AS type, e.ids AS ids
    {ENTITY_ROWS}
    WHERE e.id IS NOT NULL
)
SELECT id, mode(canonical_name) AS canonical_name, mode(type) AS type,
       arg_max(ids, cardinality(ids)) AS ids, count(DISTINCT article_id) AS articles
FROM mentioned
GROUP BY id
ORDER BY articles DESC, canonical_name, id
"""


@dataclass(frozen=True)
class ListedEntity:
    id: str
    canonical_name: str
    type: str
    ids: dict[str, str]
    articles: int  # newest versions of articles mentioning it


RunSql = Callable[[str], tuple[list[str], list[tuple]]]


def listed_entities(run_sql: RunSql, limit: int | None = None) -> list[ListedEntity]:
    """ENTITY_LISTING_SQL through any of the record views (S3 or a local export)."""
    query = ENTITY_LISTING_SQL + (f"LIMIT {int(limit)}" if limit else "")
    columns, rows = run_sql(query)
    listed = [dict(zip(columns, row, strict=True)) for row in rows]
    return [ListedEntity(**{**entity, "ids": dict(entity["ids"] or {})}) for entity in listed]


# The articles (newest versions) any of whose entities has one of the ids, however briefly they
# mention it, published (else fetched) in a time range, newest first. The entity index holds only
# what each article is about (docs/downstream.md); this reads every record, so nothing is missed.
MENTIONING_SQL = f"""
SELECT article_id, coalesce(published_at, fetched_at) AS listed_at
{ENTITY_ROWS}
WHERE e.id IN ({{ids}}) AND coalesce(published_at, fetched_at) BETWEEN {{start}} AND {{end}}
GROUP BY article_id, listed_at
ORDER BY listed_at DESC, article_id DESC
"""


def mentioning(
    run_sql: RunSql, entity_ids: Sequence[str], start: datetime, end: datetime, limit: int | None = None
) -> list[str]:
    """MENTIONING_SQL through any of the record views: the article ids, newest first."""
    if not entity_ids:
        return []
    query = MENTIONING_SQL.format(
        ids=", ".join(f"'{_sql_quoted(i)}'" for i in entity_ids), start=_instant(start), end=_instant(end)
    )
    _, rows = run_sql(query + (f"LIMIT {int(limit)}" if limit else ""))
    return [row[0] for row in rows]


def _instant(moment: datetime) -> str:
    return f"TIMESTAMPTZ '{moment.isoformat()}'"


def with_derived_views(views: dict[str, str]) -> dict[str, str]:
    """`articles` (the Glue table's name for every version) and `latest`, after the views they read."""
    return {**views, "articles": views[Table.VERSIONS.value], "latest": LATEST_SQL}


def file_view_sql(path: Path) -> dict[str, str]:
    """The views over a local JSON-lines file of records, `dt` derived as the archive derives it.

    The day is the date as written in the record's own timestamp (Article.day), so the two
    timestamps are read as text for `dt` and typed afterwards.
    """
    columns = record_columns()
    as_text = [replace(c, duckdb="VARCHAR") if c.name in DAY_FIELDS else c for c in columns]
    names = ", ".join(
        f'CAST("{c.name}" AS {c.duckdb}) AS "{c.name}"' if c.name in DAY_FIELDS else f'"{c.name}"' for c in columns
    )
    day = "substr(coalesce(" + ", ".join(f'"{name}"' for name in DAY_FIELDS) + "), 1, 10)"
    versions = (
        f"SELECT {names}, {day} AS dt FROM read_json('{_sql_quoted(str(path))}', format = 'newline_delimited', "
        f"columns = {json_columns(as_text)})"
    )
    latest_of = "QUALIFY row_number() OVER (PARTITION BY dt, article_id ORDER BY version DESC) = 1"
    return with_derived_views(
        {Table.LATEST.value: f"SELECT * FROM ({versions}) {latest_of}", Table.VERSIONS.value: versions}
    )


def connect_s3(access: S3Access):
    """A DuckDB connection with httpfs (from its wheel: nothing downloaded) and the S3 secret."""
    import duckdb
    import duckdb_extension_httpfs

    extension = Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    connection = duckdb.connect()
    connection.load_extension(str(extension / "httpfs.duckdb_extension"))
    connection.execute(access.secret_sql())
    return connection


def create_views(connection, bucket: str, layout: Layout, tables: Tables = Tables.AUTO) -> None:
    _create(connection, view_sql(bucket, layout, tables))


def _create(connection, views: dict[str, str]) -> None:
    for name, select in views.items():
        connection.execute(f"CREATE OR REPLACE VIEW {name} AS {select}")


def records_sql(
    query: str, bucket: str, access: S3Access, layout: Layout | None = None, tables: Tables = Tables.AUTO
) -> tuple[list[str], list[tuple]]:
    """One SQL query over the views `articles`/`article_versions` (every version), `articles_latest` and
    `latest`, `dt` a column; Parquet for compacted days when there are any (DuckDB)."""
    connection = connect_s3(access)
    try:
        create_views(connection, bucket, layout or Layout(), tables)
        result = connection.execute(query)
        return [d[0] for d in result.description], result.fetchall()
    finally:
        connection.close()


def file_sql(query: str, path: Path) -> tuple[list[str], list[tuple]]:
    """One SQL query over the views of a local JSON-lines file of records (no AWS, no extension)."""
    import duckdb

    if not path.is_file():
        raise FileNotFoundError(f"no records file {path}")
    connection = duckdb.connect()
    try:
        _create(connection, file_view_sql(path))
        result = connection.execute(query)
        return [d[0] for d in result.description], result.fetchall()
    finally:
        connection.close()
