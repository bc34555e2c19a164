"""The compact use case: each closed day of JSON records becomes the day's Parquet tables.

A day (dt partition) is closed once it is before today (UTC). The scheduled run looks back
`lookback_days` closed days, which catches late records (an article published yesterday and
found today) while the JSON is still there (`RecordsJsonRetentionDays` in the template is longer);
`newsingest compact --since` reaches further back, e.g. after a backfill.

Per day: list the JSON objects (key, ETag); if their fingerprint is the one in the day's manifest,
stop (a re-run writes nothing); else download them and the day's previous Parquet, compact with
DuckDB, upload both tables, then the manifest.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from newsingest.analytics.compact import Table, compact_day, connect
from newsingest.storage.compacted import CompactedTables, DayRecords


class DayOutcome(StrEnum):
    COMPACTED = "compacted"
    UNCHANGED = "unchanged"  # the manifest already covers exactly these JSON objects
    EMPTY = "empty"  # no JSON records (none yet, or all expired): the Parquet, if any, stays as it is


@dataclass(frozen=True)
class DayReport:
    day: date
    outcome: DayOutcome
    json_objects: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def closed_days(today: date, lookback_days: int) -> list[date]:
    return [today - timedelta(days=n) for n in range(lookback_days, 0, -1)]


def compact_days(
    days: Iterable[date],
    tables: CompactedTables,
    *,
    work_dir: Path | None = None,
    memory_limit: str | None = None,
    on_day: Callable[[DayReport], None] = lambda report: None,
) -> list[DayReport]:
    reports = []
    for day in days:
        report = compact_one(day, tables, work_dir=work_dir, memory_limit=memory_limit)
        on_day(report)
        reports.append(report)
    return reports


def compact_one(
    day: date, tables: CompactedTables, *, work_dir: Path | None = None, memory_limit: str | None = None
) -> DayReport:
    records = tables.day_records(day)
    if not records.objects:
        return DayReport(day, DayOutcome.EMPTY)
    manifest = tables.manifest(day)
    if manifest is not None and manifest.get("fingerprint") == records.fingerprint:
        return DayReport(day, DayOutcome.UNCHANGED, len(records.objects), manifest.get("rows", {}))
    with tempfile.TemporaryDirectory(dir=work_dir) as tmp:
        rows = _compact_in(Path(tmp), records, tables, memory_limit)
    return DayReport(day, DayOutcome.COMPACTED, len(records.objects), rows)


def _compact_in(tmp: Path, records: DayRecords, tables: CompactedTables, memory_limit: str | None) -> dict[str, int]:
    jsonl, previous = tmp / "records.jsonl", tmp / "previous.parquet"
    tables.download_records(records, jsonl)
    has_previous = tables.download_previous(records.day, previous)
    connection = connect(tmp, memory_limit=memory_limit)
    try:
        compacted = compact_day(jsonl, previous if has_previous else None, tmp, connection)
    finally:
        connection.close()
    rows = {table.value: n for table, n in compacted.rows.items()}
    tables.publish(
        records.day,
        compacted.files,
        {
            "day": records.day.isoformat(),
            "fingerprint": records.fingerprint,
            "json_objects": len(records.objects),
            "rows": rows,
        },
    )
    return rows


__all__ = ["DayOutcome", "DayReport", "Table", "closed_days", "compact_days", "compact_one"]
