"""`make bench` (commit): AWS requests, DynamoDB write units and time per stored article in the process stage.

The local runtime (embedded moto, resources from template.yaml) drains the ArticleQueue over the
real benchmark pages (../shared/datasets/article-extraction-benchmark), served by a local HTTP
server, in Lambda batches of 10. botocore hooks count every request the process handler makes
(by service/operation; the event source mapping's own SQS calls are not the function's) and size
every DynamoDB write as DynamoDB bills it (bench/aws_meter.py). Time: the handler's wall time per
article, and the part of it after the batch was prepared (fetch, archive, extract, tag): the commit.

Three passes: the first stores every article; the second delivers the same URLs again (nothing new
to store: the redelivery/refresh path); the third delivers every tenth page again with one word of
its text changed (a second version each: the update path, which keeps the replaced version's
listing as a V# item).

`--time-only`: no request counting (the meter reads an item before and after every UpdateItem to
size it, which slows the handler it measures): for handler and commit times.
`--entity-limit N`: ENTITY_INDEX_LIMIT for the run (default: the template's, 8), and
`--entity-min-salience X`: ENTITY_INDEX_MIN_SALIENCE (default: the template's, 0.3; 0 indexes the top N
whatever their salience), to price those choices.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _dataset import load_items  # bench/ is on sys.path: run as a script
from aws_meter import AwsMeter
from rich.console import Console
from rich.table import Table

from newsingest.local.runner import LocalRuntime
from newsingest.models.messages import ArticleTask
from newsingest.storage.queues import QueueSender


def serve(pages: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Timed:
    """Wraps the process handler (counting only while it runs) and the batch preparation inside it."""

    def __init__(self, meter: AwsMeter):
        self.meter = meter
        self.handler_seconds: list[tuple[int, float]] = []  # (records, seconds) per invocation
        self.prepare_seconds = 0.0

    def handler(self, inner):
        def run(event, context):
            self.meter.active = True
            start = time.perf_counter()
            try:
                return inner(event, context)
            finally:
                self.handler_seconds.append((len(event["Records"]), time.perf_counter() - start))
                self.meter.active = False

        return run

    def prepare(self, inner):
        def run(*args, **kwargs):
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.prepare_seconds += time.perf_counter() - start

        return run


def drain(runtime: LocalRuntime, urls: list[str], meter: AwsMeter, timed: Timed, tick: datetime) -> dict:
    sender = QueueSender(runtime.clients["sqs"], runtime.resources.queues["ArticleQueue"].url)
    sender.send(
        [
            ArticleTask(url=u, source_id="bench", discovered_at=tick, discovered_via="feed", revision=tick.isoformat())
            for u in urls
        ]
    )
    meter.reset()
    timed.handler_seconds.clear()
    timed.prepare_seconds = 0.0
    before = _copy_stats(runtime.process.stats)
    runtime.process.drain()
    stats = {k: getattr(runtime.process.stats, k) - v for k, v in before.items()}
    return {
        "stats": stats,
        "requests": dict(meter.requests),
        "wru": dict(meter.write_units),
        "wru_by_kind": dict(meter.write_units_by_kind),
        "rru": dict(meter.read_units),
    }


def _copy_stats(stats) -> dict[str, int]:
    return dict(vars(stats))


def main() -> None:
    time_only = "--time-only" in sys.argv[1:]
    entity_index = {
        variable: sys.argv[sys.argv.index(option) + 1]
        for option, variable in (
            ("--entity-limit", "ENTITY_INDEX_LIMIT"),
            ("--entity-min-salience", "ENTITY_INDEX_MIN_SALIENCE"),
        )
        if option in sys.argv
    }
    items = list(load_items())
    pages = {f"/a/{item.id}.html": item.html for item in items}
    server = serve(pages)
    base = f"http://127.0.0.1:{server.server_port}"
    sources = Path(tempfile.mkdtemp()) / "sources.yaml"
    sources.write_text(
        f"sources:\n  - id: bench\n    name: Benchmark pages\n    homepage: {base}/\n    language: en\n"
        "    crawl_delay: 0.001\n",
        encoding="utf-8",
    )
    meter = AwsMeter()
    timed = Timed(meter)
    import newsingest.pipeline.ingest as ingest

    ingest.Ingest.prepare = timed.prepare(ingest.Ingest.prepare)
    console = Console(width=140)
    with LocalRuntime(
        sources_path=sources,
        sample_sites=False,
        log_path=Path(tempfile.mkdtemp()) / "h.jsonl",
        extra_env={
            "FETCH_ALLOW_HOSTS": f"127.0.0.1:{server.server_port}",  # this server only
            **entity_index,
        },
    ) as rt:
        if not time_only:
            for service in ("dynamodb", "s3", "sqs", "events"):
                meter.attach(rt.app.aws.client(service))
            meter.watch_tables(
                lambda: rt.app.aws.session().client("dynamodb", endpoint_url=rt.app.aws.endpoint_url),
                [rt.resources.table_name],
            )
        rt.process.handler = timed.handler(rt.process.handler)
        urls = [f"{base}{path}" for path in pages]
        for label in ("first delivery", "same URLs again"):
            result = drain(rt, urls, meter, timed, datetime.now(UTC))
            report(console, label, result, timed, rt)
        changed = {f"/a/{item.id}.html": html for item in items[::10] if (html := one_word_changed(item))}
        pages.update(changed)
        versions_before = _stored_count(rt)
        result = drain(rt, [f"{base}{path}" for path in changed], meter, timed, datetime.now(UTC))
        report(console, "every tenth page changed", result, timed, rt)
        console.print(f"new versions stored: {_stored_count(rt) - versions_before} of {len(changed)} changed pages")
    server.shutdown()


def one_word_changed(item) -> bytes | None:
    """The page with the longest word of its expected text that occurs once in the markup changed
    (a correction): a new text, near the old one."""
    words = sorted({w for w in item.expected.split() if w.isalpha() and len(w) >= 6}, key=len, reverse=True)
    for word in words:
        raw = word.encode("utf-8")
        if item.html.count(raw) == 1:
            return item.html.replace(raw, raw + b"-corrected")
    return None


def report(console: Console, label: str, result: dict, timed: Timed, runtime: LocalRuntime) -> None:
    stats = result["stats"]
    records = sum(n for n, _ in timed.handler_seconds)
    stored = _stored_count(runtime)
    handler = sum(s for _, s in timed.handler_seconds)
    per_batch = [s / n for n, s in timed.handler_seconds if n]
    table = Table(title=f"Process stage, {label}: {records} records in {len(timed.handler_seconds)} invocations")
    table.add_column("service.operation")
    table.add_column("requests", justify="right")
    table.add_column("per record", justify="right")
    for (service, op), n in sorted(result["requests"].items()):
        table.add_row(f"{service}.{op}", str(n), f"{n / max(records, 1):.2f}")
    total = sum(result["requests"].values())
    wru = sum(result["wru"].values())
    table.add_row("[b]all[/b]", str(total), f"[b]{total / max(records, 1):.2f}[/b]")
    console.print(table)
    console.print(
        f"records {records}, succeeded {stats['succeeded']}, failed {stats['failed']}; S3 records so far {stored}\n"
        f"DynamoDB write units: {wru} ({wru / max(records, 1):.1f} per record) {result['wru']}\n"
        "  by item kind, per record: "
        + ", ".join(
            f"{kind} {n / max(records, 1):.2f}"
            for kind, n in sorted(result["wru_by_kind"].items(), key=lambda kv: -kv[1])
        )
        + "\n"
        f"DynamoDB read units (lower bound): {sum(result['rru'].values()):.0f} "
        f"({sum(result['rru'].values()) / max(records, 1):.1f} per record) "
        + ", ".join(f"{op} {n / max(records, 1):.2f}" for op, n in sorted(result["rru"].items()))
        + "\n"
        f"handler time per record: median over batches {statistics.median(per_batch) * 1000:.0f} ms, "
        f"mean {handler / max(records, 1) * 1000:.0f} ms; after preparation (commit) "
        f"{(handler - timed.prepare_seconds) / max(records, 1) * 1000:.0f} ms per record"
    )


def _stored_count(runtime: LocalRuntime) -> int:
    s3 = runtime.clients["s3"]
    paginator = s3.get_paginator("list_objects_v2")
    return sum(
        len(page.get("Contents", []))
        for page in paginator.paginate(Bucket=runtime.resources.bucket_name, Prefix="articles/")
    )


if __name__ == "__main__":
    sys.exit(main())
