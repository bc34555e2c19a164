"""S3 adapter of the compacted tables: a day's JSON records in, its Parquet files and manifest out.

Layout (the Glue tables and the tests read the same constants):
  parquet/v1/{table}/dt={day}/part-0.parquet   articles_latest, article_versions (analytics.compact)
  parquet/v1/_manifests/dt={day}.json          what the day's files were made from: the JSON keys and ETags

The manifest is written last: a crash before it leaves new Parquet files under an old (or no)
manifest, and the next run, seeing a fingerprint that does not match, compacts the day again and
overwrites the same keys. A run whose inputs match the manifest writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import batched
from pathlib import Path

from botocore.exceptions import ClientError

from newsingest.analytics.compact import Table
from newsingest.storage.archive import PARTITION_KEY, RECORDS_PREFIX, Archive, DayRecords

PARQUET_PREFIX = "parquet/v1/"
MANIFESTS = f"{PARQUET_PREFIX}_manifests/"
PART_NAME = "part-0.parquet"
DOWNLOAD_CONCURRENCY = 32


def table_prefix(table: Table) -> str:
    return f"{PARQUET_PREFIX}{table.value}/"


def parquet_key(table: Table, day: date) -> str:
    return f"{table_prefix(table)}{PARTITION_KEY}={day.isoformat()}/{PART_NAME}"


def manifest_key(day: date) -> str:
    return f"{MANIFESTS}{PARTITION_KEY}={day.isoformat()}.json"


class CompactedTables:
    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    def day_records(self, day: date) -> DayRecords:
        return Archive(self.client, self.bucket).day_records(day)

    def days_with_records(self) -> Iterator[date]:
        """Every dt partition of the JSON records (one LIST page per 1,000 partitions)."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=RECORDS_PREFIX, Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                yield date.fromisoformat(common["Prefix"].removeprefix(RECORDS_PREFIX).strip("/").split("=", 1)[1])

    def download_records(self, records: DayRecords, path: Path) -> None:
        """Every record of the day into one local JSON-lines file (concurrent GETs, written in key order)."""

        def read(key: str) -> bytes:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            return body if body.endswith(b"\n") else body + b"\n"

        keys = sorted(key for key, _ in records.objects)
        with path.open("wb") as out, ThreadPoolExecutor(max_workers=DOWNLOAD_CONCURRENCY) as pool:
            for chunk in batched(keys, 1000):  # bounded: a day can hold a million records
                for body in pool.map(read, chunk):
                    out.write(body)

    def download_previous(self, day: date, path: Path) -> bool:
        """The day's article_versions Parquet, if an earlier run made one."""
        try:
            self.client.download_file(self.bucket, parquet_key(Table.VERSIONS, day), str(path))
        except ClientError as err:
            if err.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def manifest(self, day: date) -> dict | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=manifest_key(day))["Body"].read()
        except ClientError as err:
            if err.response["Error"]["Code"] in ("404", "NoSuchKey"):
                return None
            raise
        return json.loads(body)

    def publish(self, day: date, files: dict[Table, Path], manifest: dict) -> None:
        """The Parquet files first, the manifest last (see the module docstring)."""
        for table, path in files.items():
            self.client.upload_file(
                str(path),
                self.bucket,
                parquet_key(table, day),
                ExtraArgs={"ContentType": "application/vnd.apache.parquet"},
            )
        self.client.put_object(
            Bucket=self.bucket,
            Key=manifest_key(day),
            Body=json.dumps(manifest, sort_keys=True).encode("utf-8"),
            ContentType="application/json",
        )

    def compacted_days(self) -> set[date]:
        """The days with a manifest: their Parquet files are complete."""
        names = (o["Key"].removeprefix(MANIFESTS).removesuffix(".json") for o in self._objects(MANIFESTS))
        return {date.fromisoformat(name.split("=", 1)[1]) for name in names}

    def _objects(self, prefix: str) -> Iterator[dict]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])
