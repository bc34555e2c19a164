"""Compact one day of JSON records into the two Parquet tables, with DuckDB, on local files.

    article_versions  every version of every article of the day (one row per article_id, version)
    articles_latest   one row per article: its newest version within the day's partition

Rows are typed from the record model (analytics.columns), sorted by source and publication time
(row-group statistics then skip most of a file for a source or time filter), zstd-compressed, in
row groups of at most ROW_GROUP_ROWS rows. The day's earlier Parquet (if any) is merged in, so a
partition whose older JSON has already expired keeps its rows when a late record arrives: a row of
the same (article_id, version) from JSON replaces the Parquet one.

No AWS here: storage/compacted.py moves the files, pipeline/compact.py sequences the steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from newsingest.analytics.columns import Column, record_columns

ROW_GROUP_ROWS = 20_000  # ~100-150 MB of records uncompressed at 8 KB each: Athena/DuckDB-sized groups
SORT_KEY = "source_id, published_at, fetched_at, article_id, version"


class Table(StrEnum):
    LATEST = "articles_latest"
    VERSIONS = "article_versions"


@dataclass(frozen=True)
class Compacted:
    files: dict[Table, Path]
    rows: dict[Table, int]


def connect(work_dir: Path, memory_limit: str | None = None, threads: int | None = None):
    """A DuckDB connection that spills to work_dir (Lambda's /tmp) and never looks for a home directory."""
    import duckdb

    config = {"temp_directory": str(work_dir / "duckdb.tmp"), "home_directory": str(work_dir)}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if threads:
        config["threads"] = threads
    return duckdb.connect(config=config)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def json_columns(columns: list[Column]) -> str:
    return "{" + ", ".join(f"{_quoted(c.name)}: {_quoted(c.duckdb)}" for c in columns) + "}"


def _select(columns: list[Column], present: set[str]) -> str:
    """Every model column in model order, cast to its type; a column an older file lacks is NULL."""
    return ", ".join(
        f'CAST({f'"{c.name}"' if c.name in present else "NULL"} AS {c.duckdb}) AS "{c.name}"' for c in columns
    )


def compact_day(records_jsonl: Path | None, previous: Path | None, out_dir: Path, connection) -> Compacted:
    """records_jsonl: the day's JSON records, one per line; previous: the day's article_versions Parquet."""
    columns = record_columns()
    sources = []
    if records_jsonl is not None:
        sources.append(
            f"SELECT *, 0 AS _rank FROM read_json({_quoted(str(records_jsonl))}, format = 'newline_delimited', "
            f"columns = {json_columns(columns)})"
        )
    if previous is not None:
        present = {
            r[0]
            for r in connection.execute(f"DESCRIBE SELECT * FROM read_parquet({_quoted(str(previous))})").fetchall()
        }
        sources.append(f"SELECT {_select(columns, present)}, 1 AS _rank FROM read_parquet({_quoted(str(previous))})")
    if not sources:
        raise ValueError("nothing to compact")
    names = ", ".join(f'"{c.name}"' for c in columns)
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE versions AS SELECT {names} FROM ({' UNION ALL '.join(sources)}) "
        "QUALIFY row_number() OVER (PARTITION BY article_id, version ORDER BY _rank) = 1"
    )
    queries = {
        Table.VERSIONS: f"SELECT * FROM versions ORDER BY {SORT_KEY}",
        Table.LATEST: "SELECT * FROM versions QUALIFY "
        f"row_number() OVER (PARTITION BY article_id ORDER BY version DESC) = 1 ORDER BY {SORT_KEY}",
    }
    files, rows = {}, {}
    for table, query in queries.items():
        files[table] = out_dir / f"{table.value}.parquet"
        connection.execute(
            f"COPY ({query}) TO {_quoted(str(files[table]))} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
        )
        rows[table] = connection.execute(f"SELECT count(*) FROM read_parquet({_quoted(str(files[table]))})").fetchone()[
            0
        ]
    return Compacted(files, rows)
