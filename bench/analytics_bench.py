"""`make bench` (analytics): DuckDB over the JSON records against DuckDB over the compacted Parquet tables,
and the raw archive's S3 PUTs per article.

1. Generates BENCH_RECORDS (default 100,000) records shaped like ours on real pages (docs/cost.md:
   record 8.3 KB mean / 6.5 KB median, 20.6 entities mean / 17 median; 5 % get a second version)
   over 30 days and 20 sources, and writes them with Archive.put_record into a moto server's S3
   (the local runtime's) in today's JSON layout (straight into its backend: no HTTP per record).
2. Compacts every day (pipeline.compact, as `newsingest compact --all` does).
3. Runs the same three queries through the `newsingest query --sql` views, once over JSON only and
   once over Parquet: time, bytes the S3 endpoint sent, objects touched (distinct keys read) and
   requests, counted by a WSGI wrapper around the moto server. The answers must be equal.
4. Runs the local runtime over the sample sites for one tick and counts the raw archive's PUTs
   per stored article (one WARC file per batch) against one PUT per fetched page before.

    BENCH_RECORDS=20000 .venv/bin/python bench/analytics_bench.py
"""

from __future__ import annotations

import logging
import os
import random
import resource
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler
from rich.console import Console
from rich.table import Table as RichTable
from werkzeug.serving import make_server

from newsingest.local.analytics import Layout, S3Access, Tables, connect_s3, create_views
from newsingest.models.records import Article, Entity, EntityType
from newsingest.pipeline.compact import DayOutcome, compact_days
from newsingest.storage.archive import Archive
from newsingest.storage.compacted import CompactedTables

RECORDS = int(os.environ.get("BENCH_RECORDS", "100000"))
DAYS = 30
FIRST_DAY = date(2026, 10, 1)
SOURCES = [f"source-{n:02d}" for n in range(20)]
BUCKET = "newsingest-bench"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
TARGET_SPEEDUP = 10.0
TARGET_BYTES = 10.0
TARGET_PUTS_PER_ARTICLE = 0.2
DUCKDB_THREADS = 8  # I/O-bound over HTTP: the same for both sides
console = Console(width=None if sys.stdout.isatty() else 150)


# ---------------------------------------------------------------- an S3 endpoint that counts what it serves


@dataclass
class Traffic:
    lock: threading.Lock = field(default_factory=threading.Lock)
    bytes_out: int = 0
    requests: Counter = field(default_factory=Counter)
    objects: set = field(default_factory=set)

    def reset(self) -> None:
        with self.lock:
            self.bytes_out, self.requests, self.objects = 0, Counter(), set()

    def record(self, method: str, path: str, query: str, size: int) -> None:
        key = unquote(path).lstrip("/").partition("/")[2]
        with self.lock:
            self.requests["LIST" if method == "GET" and not key else method] += 1
            if method == "GET" and key:
                self.bytes_out += size
                self.objects.add(key)
            elif method == "HEAD" and key:
                self.objects.add(key)


class CountingMotoServer(ThreadedMotoServer):
    """moto's threaded server behind a WSGI wrapper that counts requests, response bytes and keys read."""

    def __init__(self, traffic: Traffic):
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.traffic = traffic

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)

        def counting(environ, start_response):
            body = app(environ, start_response)
            size = 0
            for chunk in body:
                size += len(chunk)
                yield chunk
            self.traffic.record(environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("QUERY_STRING", ""), size)

        self._server = make_server(self._ip_address, self._port, counting, True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


# ---------------------------------------------------------------- records shaped like ours


WORDS = [f"w{n}" for n in range(3000)] + ["the", "of", "and", "to", "in", "a", "harbour", "council", "said"] * 40
ENTITY_NAMES = [f"Entity Name {n}" for n in range(4000)]
ENTITY_WEIGHTS = [1 / (n + 1) for n in range(len(ENTITY_NAMES))]  # a few names are everywhere, most are rare
TYPES = list(EntityType)


def make_record(n: int, rng: random.Random, version: int = 1) -> Article:
    day = FIRST_DAY + timedelta(days=n % DAYS)
    source = SOURCES[n % len(SOURCES)]
    published = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), tzinfo=UTC)
    # ~6.5 KB median record: the text is most of it (the rest: entities, metadata)
    words = max(60, int(rng.lognormvariate(6.75, 0.55)))
    text = " ".join(rng.choices(WORDS, k=words))
    count = max(0, min(120, int(rng.lognormvariate(2.83, 0.6))))
    names = set(rng.choices(ENTITY_NAMES, weights=ENTITY_WEIGHTS, k=count))
    entities = [
        Entity(
            name=name,
            type=TYPES[int(name.rsplit(" ", 1)[1]) % len(TYPES)],
            mentions=(mentions := 1 + int(rng.expovariate(0.7))),
            offsets=sorted(rng.randrange(len(text)) for _ in range(mentions)),
            salience=round(rng.random(), 4),
        )
        for name in sorted(names)
    ]
    article_id = f"{n:020x}"
    return Article(
        article_id=article_id,
        url=f"https://{source}.example/news/{day}/{n}",
        canonical_url=f"https://{source}.example/news/{day}/{n}",
        source_id=source,
        domain=f"{source}.example",
        title=f"Headline number {n} about {rng.choice(WORDS)}",
        description=f"A standfirst for story {n}.",
        authors=[f"Reporter {rng.randrange(300)}"],
        published_at=published,
        fetched_at=published + timedelta(minutes=rng.randrange(5, 180)),
        language="en",
        section="news",
        tags=[rng.choice(WORDS) for _ in range(3)],
        image=f"https://{source}.example/img/{n}.jpg",
        text=text,
        word_count=words,
        content_hash=f"{n:064x}",
        simhash=f"{n:016x}",
        version=version,
        entities=entities,
        provenance={"title": "jsonld", "published_at": "jsonld", "authors": "meta"},
        raw_s3_key=f"warc/{day}/20261001T000000Z-bench.warc.gz",
        raw_offset=n * 1000,
        raw_length=999,
        pipeline_version="bench",
        extractor_versions={"trafilatura": "2.3.1"},
    )


class MotoBackendClient:
    """What Archive.put_record calls, straight into the moto server's S3 backend (this process's): the
    same keys and bodies as over HTTP, without 100,000 HTTP round trips on a 2-core machine."""

    def __init__(self):
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.s3.models import s3_backends

        self.backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str) -> None:
        self.backend.put_object(Bucket, Key, Body)


def write_records() -> tuple[int, int, list[str], str]:
    """Every record (and 5 % second versions) as today's JSON layout; returns counts, some ids, a common entity."""
    archive = Archive(MotoBackendClient(), BUCKET)
    rng = random.Random(15)
    seeds = [(n, rng.randrange(2**32), 2 if rng.random() < 0.05 else 1) for n in range(RECORDS)]
    total_bytes = 0

    def put(seed: tuple[int, int, int]) -> int:
        n, state, versions = seed
        local = random.Random(state)
        written = 0
        for version in range(1, versions + 1):
            record = make_record(n, local, version)
            archive.put_record(record)
            written += len(record.model_dump_json()) + 1
        return written

    for seed in seeds:
        total_bytes += put(seed)
    objects = sum(s[2] for s in seeds)
    ids = [f"{n:020x}" for n in random.Random(1).sample(range(RECORDS), 1000)]
    return objects, total_bytes, ids, ENTITY_NAMES[40]


# ---------------------------------------------------------------- queries


def queries(ids: list[str], entity: str) -> dict[str, str]:
    day = FIRST_DAY + timedelta(days=10)
    week_end = day + timedelta(days=6)
    listed = ", ".join(f"'{i}'" for i in ids)
    return {
        "count by source for a day": (
            f"SELECT source_id, count(*) AS n FROM articles WHERE dt = '{day}' GROUP BY 1 ORDER BY 1"
        ),
        "articles mentioning an entity in a week": (
            "SELECT count(DISTINCT article_id) FROM articles_latest, unnest(entities) AS e(entity) "
            f"WHERE dt BETWEEN '{day}' AND '{week_end}' AND entity.name = '{entity}'"
        ),
        "latest version of 1,000 ids": (
            f"SELECT article_id, version, title FROM articles_latest WHERE article_id IN ({listed}) ORDER BY 1"
        ),
    }


@dataclass
class Measured:
    seconds: float
    bytes_read: int
    objects: int
    requests: int
    rows: list


def run_query(sql: str, access: S3Access, layout: Layout, tables: Tables, traffic: Traffic) -> Measured:
    connection = connect_s3(access)
    try:
        connection.execute(f"SET threads = {DUCKDB_THREADS}")
        connection.execute("SET memory_limit = '2GB'")
        connection.execute("SET enable_http_metadata_cache = true")  # sizes from the LIST: no HEAD per file
        create_views(connection, BUCKET, layout, tables)
        traffic.reset()
        start = time.perf_counter()
        rows = connection.execute(sql).fetchall()
        seconds = time.perf_counter() - start
    finally:
        connection.close()
    return Measured(seconds, traffic.bytes_out, len(traffic.objects), sum(traffic.requests.values()), rows)


# ---------------------------------------------------------------- raw archive PUTs per article


def raw_archive_puts() -> tuple[int, int, int]:
    """One tick of the local runtime over the sample sites: (WARC PUTs, old-format PUTs, pages archived)."""
    from newsingest.local.runner import REPO_ROOT, LocalRuntime
    from newsingest.storage.clients import aws_client

    puts: Counter = Counter()
    logs = Path(os.environ.get("TMPDIR", "/tmp")) / "newsingest-bench-handlers.jsonl"
    with LocalRuntime(sources_path=REPO_ROOT / "sample_sites" / "sources.yaml", log_path=logs) as runtime:

        def count(params, **kwargs) -> None:
            puts[params["Key"].split("/", 1)[0]] += 1

        aws_client("s3").meta.events.register("provide-client-params.s3.PutObject", count)
        runtime.tick(datetime.now(UTC))
        s3, bucket = runtime.clients["s3"], runtime.resources.bucket_name
        pages = 0
        archive = Archive(s3, bucket)
        for _ref, _meta in archive.list_pages():
            pages += 1
    return puts["warc"], puts["raw"], pages


# ---------------------------------------------------------------- main


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return str(n)


def main() -> int:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request otherwise
    traffic = Traffic()
    server = CountingMotoServer(traffic)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, **KEYS)
    client.create_bucket(Bucket=BUCKET)
    access = S3Access(region="us-east-1", key_id="testing", secret="testing", endpoint=endpoint)
    ok = True
    try:
        start = time.perf_counter()
        objects, json_bytes, ids, entity = write_records()
        console.print(
            f"wrote {objects:,} JSON records ({RECORDS:,} articles, {human(json_bytes)}, "
            f"{json_bytes / objects / 1024:.1f} KB mean) in {time.perf_counter() - start:.0f} s"
        )
        tables = CompactedTables(client, BUCKET)
        days = sorted(tables.days_with_records())
        traffic.reset()
        start = time.perf_counter()
        reports = compact_days(days, tables, memory_limit="2GB")
        compact_seconds = time.perf_counter() - start
        assert all(r.outcome is DayOutcome.COMPACTED for r in reports)
        parquet_bytes = sum(
            o["Size"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix="parquet/v1/", MaxKeys=1000)["Contents"]
        )
        console.print(
            f"compacted {len(days)} days in {compact_seconds:.0f} s: Parquet {human(parquet_bytes)} "
            f"({json_bytes / parquet_bytes:.1f}x smaller than the JSON)"
        )
        layout = Layout(frozenset(tables.compacted_days()), frozenset(days))

        table = RichTable(title=f"DuckDB over {objects:,} records: JSON vs Parquet (moto S3, {DUCKDB_THREADS} threads)")
        for column in ("query", "", "time", "bytes read", "objects", "requests"):
            table.add_column(column, justify="left" if column in ("query", "") else "right")
        for name, sql in queries(ids, entity).items():
            over_json = run_query(sql, access, layout, Tables.JSON, traffic)
            over_parquet = run_query(sql, access, layout, Tables.AUTO, traffic)
            same = over_json.rows == over_parquet.rows
            speedup = over_json.seconds / over_parquet.seconds
            fewer = over_json.bytes_read / max(1, over_parquet.bytes_read)
            met = same and speedup >= TARGET_SPEEDUP and fewer >= TARGET_BYTES
            ok &= met
            for label, m in (("JSON", over_json), ("Parquet", over_parquet)):
                table.add_row(name if label == "JSON" else "", label, f"{m.seconds:.2f} s", human(m.bytes_read),
                              f"{m.objects:,}", f"{m.requests:,}")  # fmt: skip
            verdict = "[green]met[/]" if met else "[red]NOT met[/]"
            table.add_row("", "ratio", f"{speedup:.0f}x", f"{fewer:.0f}x", "", f"same answer: {same} {verdict}")
        console.print(table)
    finally:
        server.stop()

    warc_puts, old_puts, pages = raw_archive_puts()
    per_article = warc_puts / max(1, pages)
    ok &= per_article <= TARGET_PUTS_PER_ARTICLE and old_puts == 0
    puts = RichTable(title="Raw archive S3 PUTs per archived page (local runtime, sample sites, one tick)")
    for column in ("layout", "PUTs", "pages", "PUTs per page"):
        puts.add_column(column, justify="left" if column == "layout" else "right")
    puts.add_row("before: one gzip object per page (raw/)", str(pages), str(pages), "1.00")
    puts.add_row("after: one WARC file per process batch (warc/)", str(warc_puts), str(pages), f"{per_article:.2f}")
    console.print(puts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"peak memory of this process (moto's S3 included): {peak:.0f} MB")
    verdict = "met" if ok else "NOT met"
    console.print(f"targets (>= 10x faster, >= 10x fewer bytes, <= 0.2 PUTs per article): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
