"""Discovery benchmark: parse a 1,000-entry feed and a 50,000-URL news sitemap, then dedup on moto.

Run: .venv/bin/python bench/discovery_bench.py   (or `make bench`)
Reports per document: parse time, Python heap peak (tracemalloc) and process peak RSS, and the
DynamoDB requests a dedup of already-known URLs takes (target: <= 1 request per 25 URLs).
"""

from __future__ import annotations

import os
import resource
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import boto3
from moto import mock_aws
from rich.console import Console
from rich.table import Table

from newsingest.discovery.documents import parse_document
from newsingest.discovery.filters import filter_candidates
from newsingest.models import Source
from newsingest.storage import keys
from newsingest.storage.dynamo import batch_get, batch_write

SITE = "https://news.example.com"
SOURCE = Source(id="bench", name="Bench News", homepage=f"{SITE}/")
START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TABLE = "bench"
TARGET_URLS_PER_REQUEST = 25


def make_feed(entries: int = 1_000) -> bytes:
    items = "".join(
        f"<item><title>Story number {i} about the council</title>"
        f"<link>{SITE}/2026/11/24/story-number-{i}?utm_source=rss</link><guid>story-{i}</guid>"
        f"<pubDate>{format_datetime(START - timedelta(minutes=i))}</pubDate>"
        f"<description>Summary of story {i}, a paragraph long enough to look real.</description></item>"
        for i in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench</title>'
        f"<link>{SITE}/</link>{items}</channel></rss>"
    ).encode()


def make_news_sitemap(urls: int = 50_000) -> bytes:
    entries = "".join(
        f"<url><loc>{SITE}/archive/{i // 1000}/sitemap-story-{i}</loc>"
        f"<news:news><news:publication><news:name>Bench</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{(START - timedelta(minutes=i)).isoformat()}"
        f"</news:publication_date><news:title>Sitemap story {i}</news:title></news:news></url>"
        for i in range(urls)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
    ).encode()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure_parse(name: str, body: bytes, url: str):
    """Timed without tracing (tracemalloc slows Python several times), then traced for memory."""
    started = time.perf_counter()
    parsed = parse_document(body, url, None)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    parse_document(body, url, None)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    row = {
        "document": name,
        "bytes": f"{len(body) / 1024 / 1024:.1f} MiB",
        "candidates": f"{len(parsed.candidates):,}",
        "parse": f"{elapsed * 1000:.0f} ms",
        "python heap peak": f"{heap_peak / 1024 / 1024:.1f} MiB",  # includes the candidate list
        "process peak RSS": f"{peak_rss_mib():.0f} MiB",
    }
    return parsed, row


def measure_dedup(urls: list[str]) -> dict[str, str]:
    """Store every URL, then look them all up as the discover stage does: all already known."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        batch_write(client, TABLE, [{"pk": keys.url_pk(u), "sk": "URL", "url": u} for u in urls])
        calls: list[str] = []
        client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
        started = time.perf_counter()
        found = batch_get(client, TABLE, [{"pk": keys.url_pk(u), "sk": "URL"} for u in urls], projection="pk")
        elapsed = time.perf_counter() - started
    return {
        "candidate URLs": f"{len(urls):,}",
        "already known": f"{len(found):,}",
        "DynamoDB requests": f"{len(calls):,} ({', '.join(sorted(set(calls)))})",
        "URLs per request": f"{len(urls) / len(calls):.0f} (target >= {TARGET_URLS_PER_REQUEST})",
        "requests per 25 URLs": f"{25 * len(calls) / len(urls):.2f} (target <= 1)",
        "lookup time on moto": f"{elapsed:.1f} s",
    }


def main() -> None:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    console = Console()
    documents = [
        ("RSS feed, 1,000 entries", make_feed(), f"{SITE}/feed.xml"),
        ("news sitemap, 50,000 URLs", make_news_sitemap(), f"{SITE}/news-sitemap.xml"),
    ]
    table = Table(title="Discovery parse")
    urls: list[str] = []
    for name, body, url in documents:
        parsed, row = measure_parse(name, body, url)
        if not table.columns:
            for column in row:
                table.add_column(column, justify="left" if column == "document" else "right")
        table.add_row(*row.values())
        kept, _skipped = filter_candidates(SOURCE, parsed.candidates)
        urls.extend(c.url for c in kept)
    console.print(table)
    dedup = Table(title="Dedup of already-known URLs (moto DynamoDB, BatchGetItem)")
    dedup.add_column("measure")
    dedup.add_column("value", justify="right")
    for key, value in measure_dedup(urls).items():
        dedup.add_row(key, value)
    console.print(dedup)


if __name__ == "__main__":
    main()
