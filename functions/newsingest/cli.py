"""The `newsingest` command: run the pipeline locally, extract one page, check sources, backfill, query, compact."""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import signal
import sys
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from enum import IntEnum
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

# Wide enough for the summary table when the output is a file or a CI log, not a terminal.
console = Console(width=None if sys.stdout.isatty() else 150)
errors = Console(stderr=True)


class ExitCode(IntEnum):
    """Documented in the README: scripts can tell "nothing found" from "could not ask"."""

    OK = 0
    PROBLEMS = 1  # the command ran and found problems (nothing found, invalid sources, messages left)
    USAGE = 2  # wrong arguments (argparse's own code)
    UNAVAILABLE = 3  # could not reach what the command needs: AWS settings, endpoint, local runtime
    INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return ExitCode.USAGE
    try:
        return args.func(args) or ExitCode.OK
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except Exception as err:
        message = expected_error(err)
        if message is None:
            raise  # a bug: the traceback is the useful report
        errors.print(f"[red]newsingest {args.command}:[/] {message}", highlight=False)
        return ExitCode.UNAVAILABLE


def expected_error(err: Exception) -> str | None:
    """One line for the errors an operator meets in normal use; None for a bug."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    from newsingest.local.state import NoLocalRuntime

    match err:
        case NoLocalRuntime():
            return str(err)
        case NoRegionError() | NoCredentialsError() | PartialCredentialsError():
            return (
                f"AWS is not configured ({err}): set AWS_REGION, credentials and the stack's outputs "
                "(TABLE_NAME, BUCKET_NAME, ...), or use --local with `newsingest run --keep-running`"
            )
        case EndpointConnectionError():
            return f"cannot reach AWS: {err}"
        case ClientError():
            error = err.response.get("Error", {})
            return f"AWS refused the request: {error.get('Code', '?')}: {error.get('Message', err)}"
    return None


def _parser() -> argparse.ArgumentParser:
    from newsingest import __version__

    parser = argparse.ArgumentParser(prog="newsingest", description=__doc__)
    parser.add_argument("--version", action="version", version=f"newsingest {__version__}")
    commands = parser.add_subparsers(metavar="COMMAND", dest="command")

    run = commands.add_parser("run", help="run the whole pipeline locally on embedded AWS")
    run.add_argument("--ticks", type=int, default=2, help="scheduled runs to perform (default 2)")
    run.add_argument("--interval", type=int, default=15, help="minutes between ticks, as the schedule's rate")
    run.add_argument("--sources", type=Path, help="sources YAML (default: the bundled sample sites)")
    run.add_argument("--no-sample-sites", action="store_true", help="do not serve the bundled sample sites")
    run.add_argument("--export", type=Path, help="write the stored records here as JSON lines")
    run.add_argument("--port", type=int, default=0, help="embedded AWS port (default: any free one)")
    run.add_argument(
        "--endpoint",
        help="use this AWS endpoint (LocalStack, a moto server) instead of embedded AWS, or 'aws' for the real "
        "account of your credentials (resources are created there from template.yaml, named --prefix-LogicalId)",
    )
    run.add_argument("--prefix", default="newsingest-local", help="resource name prefix (unique on real AWS)")
    run.add_argument("--keep-running", action="store_true", help="keep embedded AWS up for `query`/`replay`")
    run.set_defaults(func=cmd_run)

    extract = commands.add_parser("extract", help="print the normalised record of a saved page (no AWS)")
    extract.add_argument("page", type=Path)
    extract.add_argument("--url", required=True, help="the URL the page was fetched from")
    extract.add_argument("--source", default="adhoc")
    extract.add_argument("--no-entities", action="store_true", help="skip entity tagging")
    extract.set_defaults(func=cmd_extract)

    sources = commands.add_parser("sources", help="work with sources files")
    sources_commands = sources.add_subparsers(metavar="ACTION")
    validate = sources_commands.add_parser("validate", help="report every problem in a sources file")
    validate.add_argument("file", type=Path)
    validate.set_defaults(func=cmd_sources_validate)

    backfill = commands.add_parser("backfill", help="enqueue a source's older articles from its sitemaps/archives")
    backfill.add_argument("source")
    backfill.add_argument("--since", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    backfill.add_argument("--local", action="store_true", help="use the running `newsingest run --keep-running`")
    backfill.set_defaults(func=cmd_backfill)

    query = commands.add_parser("query", help="read stored articles (DynamoDB lookups, or SQL over S3 with DuckDB)")
    lookup = query.add_mutually_exclusive_group(required=True)
    lookup.add_argument("--id", help="an article id: its latest version")
    lookup.add_argument("--url", help="an article URL, any spelling or a redirect")
    lookup.add_argument("--source", help="a source's articles, newest first (with --since/--until)")
    lookup.add_argument("--day", type=date.fromisoformat, help="a day's articles, YYYY-MM-DD (publication day)")
    lookup.add_argument(
        "--entity",
        help='articles about an entity (title, lead or most mentioned): a name, any alias ("U.S." finds '
        '"United States") or an id (with --since/--until)',
    )
    lookup.add_argument(
        "--mentioning",
        metavar="NAME",
        help="every article that mentions an entity, however briefly, as --entity names it (DuckDB over the records)",
    )
    lookup.add_argument("--entities", action="store_true", help="canonical entities with their article counts")
    lookup.add_argument("--versions", metavar="ID", help="every version of an article")
    lookup.add_argument(
        "--sql",
        help="SQL over the S3 records (DuckDB): views `articles` (every version), `articles_latest` (per day), "
        "`latest` (one row per article); Parquet for compacted days, JSON for the rest; or over --records FILE",
    )
    query.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD, inclusive")
    query.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD, inclusive")
    query.add_argument("--limit", type=int, help="at most this many articles")
    query.add_argument("--format", choices=("jsonl", "table"), help="default: table on a terminal, else jsonl")
    query.add_argument("--local", action="store_true", help="use `newsingest run --keep-running`'s embedded AWS")
    query.add_argument(
        "--records",
        type=Path,
        metavar="FILE",
        help="with --sql or --entities: a local JSON-lines file of records (run --export)",
    )
    query.set_defaults(func=cmd_query)

    replay = commands.add_parser("replay", help="re-process archived raw pages through the current pipeline")
    replay.add_argument("--source", help="only this source")
    replay.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD, fetch day, inclusive")
    replay.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD, fetch day, inclusive")
    replay.add_argument("--local", action="store_true", help="use `newsingest run --keep-running`'s embedded AWS")
    replay.set_defaults(func=cmd_replay)

    compact = commands.add_parser("compact", help="compact closed days of JSON records into the Parquet tables")
    compact.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD, record day (dt), inclusive")
    compact.add_argument("--until", type=date.fromisoformat, help="YYYY-MM-DD, inclusive (default: yesterday)")
    compact.add_argument("--all", action="store_true", help="every day that has JSON records, today's included")
    compact.add_argument("--local", action="store_true", help="use `newsingest run --keep-running`'s embedded AWS")
    compact.set_defaults(func=cmd_compact)

    dlq = commands.add_parser("dlq", help="list, show and redrive the dead-letter queues' messages")
    dlq_commands = dlq.add_subparsers(metavar="ACTION")
    for action, text in (
        ("list", "the messages in the DLQs (left in place)"),
        ("show", "one message: body, attributes, receive count"),
        ("redrive", "send the messages back to the queue they failed from"),
    ):
        command = dlq_commands.add_parser(action, help=text)
        if action == "show":
            command.add_argument("message_id", metavar="ID")
        command.add_argument(
            "--queue", action="append", help="DiscoverDLQ, ArticleDLQ or ScheduleDLQ (repeatable; default: all)"
        )
        if action == "list":
            command.add_argument("--limit", type=int, default=100, help="at most this many messages per queue")
            command.add_argument("--format", choices=("jsonl", "table"), help="default: table on a terminal")
        command.add_argument("--local", action="store_true", help="use `newsingest run --keep-running`'s embedded AWS")
        command.set_defaults(func={"list": cmd_dlq_list, "show": cmd_dlq_show, "redrive": cmd_dlq_redrive}[action])

    schema = commands.add_parser("schema", help="the published JSON Schemas")
    schema_commands = schema.add_subparsers(metavar="ACTION")
    export = schema_commands.add_parser("export", help="write schemas/*.json from the models")
    export.add_argument("directory", type=Path, nargs="?", default=Path("schemas"))
    export.set_defaults(func=cmd_schema_export)
    return parser


# -- run ------------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from newsingest.local.runner import REPO_ROOT, LocalRuntime, export_jsonl, summary_rows

    sample_sites = not args.no_sample_sites
    sources_path = args.sources or REPO_ROOT / "sample_sites" / "sources.yaml"
    if not sources_path.is_file():
        errors.print(f"[red]no sources file at {sources_path}[/] (see `newsingest sources validate`)", highlight=False)
        return ExitCode.USAGE
    start = datetime.now(UTC).replace(microsecond=0)
    ticks = []
    with LocalRuntime(
        sources_path=sources_path.resolve(),
        port=args.port,
        endpoint=args.endpoint,
        prefix=args.prefix,
        sample_sites=sample_sites,
    ) as runtime:
        where = runtime.endpoint_url or "AWS (your credentials)"
        console.print(f"[bold]AWS endpoint[/] {where}   [bold]logs[/] {runtime.log_path}")
        if runtime.sites:
            console.print("[bold]sample sites[/] " + "  ".join(runtime.sites.base_urls.values()))
        for problem in runtime.app.catalog.load().problems:  # the bad sources are skipped; say which and why
            errors.print(f"[yellow]source skipped:[/] {problem}", highlight=False)
        for n in range(args.ticks):
            if n == 1 and runtime.sites:
                runtime.sites.set_edition(2)  # the news moves on between ticks
                console.print("[dim]sample sites now serve edition 2 (an edited article, new articles)[/]")
            when = start + timedelta(minutes=args.interval * n)
            with console.status(f"tick {n + 1}/{args.ticks} at {when:%H:%M}: schedule, discover, process ..."):
                report = runtime.tick(when)
            ticks.append(report)
            console.print(_tick_line(n + 1, report))
        source_ids = [s.id for s in runtime.app.catalog.load().sources]
        records = runtime.latest_records()
        depths = runtime.queue_depths()
        console.print(_summary_table(summary_rows(ticks, source_ids), runtime.app))
        console.print(_entities_table(records))
        if args.export:
            export_jsonl(records, args.export)
        console.print(_where_table(runtime, records, depths, args.export))
        if args.keep_running:
            console.print("embedded AWS stays up and the queues keep draining: `newsingest query`, `replay`,")
            console.print("`backfill` in another shell use it (.newsingest/local.json). Ctrl-C ends it.")
            signal.signal(signal.SIGTERM, _interrupt)  # `kill` ends it as Ctrl-C does: state file removed
            with contextlib.suppress(KeyboardInterrupt):
                runtime.serve()
    return 1 if any(depths.values()) else 0


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def _tick_line(n: int, report) -> str:
    from newsingest.models.metrics import Metric as M

    m = Counter()
    for (name, _source, _reason), value in report.metrics.items():
        m[name] += value
    return (
        f"tick {n}: {len(report.scheduled)} sources due, {m[M.DOCUMENTS_FETCHED]} documents fetched "
        f"({m[M.DOCUMENTS_NOT_MODIFIED]} not modified), {m[M.NEW_ARTICLES]} new + {m[M.REFRESHED_ARTICLES]} "
        f"changed URLs, {m[M.ARTICLES_STORED]} stored, {m[M.ARTICLES_UPDATED]} updated, "
        f"{m[M.ARTICLES_DUPLICATE]} duplicates, {m[M.ARTICLES_SKIPPED]} skipped, {m[M.ARTICLES_FAILED]} failed attempts"
    )


def _summary_table(rows: list[dict], app) -> Table:
    from newsingest.discovery.state import health

    settings = app.settings
    states = app.repos.source_states.get_many([r["source"] for r in rows])
    now = datetime.now(UTC)
    table = Table(title="Summary per source (all ticks)")
    for column in ("source", "discovered", "new", "fetched", "stored", "updated", "duplicates", "unchanged"):
        table.add_column(column, justify="left" if column == "source" else "right")
    table.add_column("skipped (reason)")
    table.add_column("failed", justify="right")
    table.add_column("health")
    for row in rows:
        state = states.get(row["source"])
        status = health(state, now, timedelta(hours=settings.source_stale_hours), settings.source_failure_threshold)
        table.add_row(
            row["source"],
            str(row["discovered"]),
            str(row["new"]),
            str(row["fetched"]),
            str(row["stored"]),
            str(row["updated"]),
            str(row["duplicates"]),
            str(row["unchanged"]),
            ", ".join(f"{k}: {v}" for k, v in sorted(row["skipped"].items())) or "-",
            str(row["failed"]),
            status.status if status.status == "ok" else f"{status.status}: {status.reason}",
        )
    return table


def _entities_table(records) -> Table:
    mentions: Counter = Counter()
    for record in records:
        if record.duplicate_of:
            continue
        for entity in record.entities:
            mentions[(entity.canonical_name or entity.name, entity.type.value, entity.id or "-")] += 1
    table = Table(title="Top entities (articles mentioning them)")
    for column in ("entity", "type", "articles", "id"):
        table.add_column(column, justify="right" if column == "articles" else "left")
    for (name, kind, entity_id), n in mentions.most_common(12):
        table.add_row(name, kind, str(n), entity_id)
    return table


def _where_table(runtime, records, depths: dict[str, int], export: Path | None) -> Table:
    table = Table(title="Where the records are", show_header=False)
    table.add_row("records (S3)", f"s3://{runtime.resources.bucket_name}/articles/v1/  ({len(records)} articles)")
    from newsingest.storage.warc import WARC_PREFIX

    table.add_row("raw archive (S3, WARC)", f"s3://{runtime.resources.bucket_name}/{WARC_PREFIX}")
    table.add_row("index (DynamoDB)", runtime.resources.table_name)
    table.add_row("queues (messages left)", ", ".join(f"{k}={v}" for k, v in sorted(depths.items())))
    if export:
        table.add_row("export (JSON lines)", str(export))
    table.add_row("handler logs + EMF metrics", str(runtime.log_path))
    return table


# -- extract --------------------------------------------------------------------------------------


def cmd_extract(args: argparse.Namespace) -> int:
    from newsingest.app import Application
    from newsingest.discovery.urls import canonicalize
    from newsingest.pipeline.process import ExtractionError, process_page

    if not canonicalize(args.url):
        errors.print(f"[red]not a URL:[/] {args.url!r} (an absolute http(s) URL, as the page was fetched from)")
        return ExitCode.USAGE
    tagger = None if args.no_entities else Application.from_environment().tagger
    try:
        article = process_page(args.page.read_bytes(), args.url, source_id=args.source, tagger=tagger)
    except (OSError, ExtractionError) as err:
        errors.print(f"[red]cannot extract {args.page}:[/] {err}")
        return 1
    console.print_json(article.model_dump_json())
    return 0


# -- sources --------------------------------------------------------------------------------------


def cmd_sources_validate(args: argparse.Namespace) -> int:
    from newsingest.sources import load_sources_file

    sources, problems = load_sources_file(args.file)
    for problem in problems:
        console.print(f"[red]{problem.location}[/]: {problem.message}")
    console.print(f"{len(sources)} valid sources, {len(problems)} problems")
    return 1 if problems else 0


# -- backfill -------------------------------------------------------------------------------------


def cmd_backfill(args: argparse.Namespace) -> int:
    app = _application(args.local)
    sources = app.catalog.load()
    source = sources.get(args.source)
    if source is None:
        errors.print(f"[red]{sources.why_unknown(args.source)}[/]", highlight=False)
        return ExitCode.PROBLEMS
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[urls]} URLs"),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(f"backfill {source.id} since {args.since}", total=None, urls=0)

        def advance(_document: str, found: int) -> None:
            bar.update(task, advance=1, urls=bar.tasks[task].fields["urls"] + found)

        report = app.discover(source, datetime.now(UTC), since=args.since, progress=advance)
    console.print(
        f"{source.id}: {report.documents} documents read, {report.candidates} URLs found, "
        f"{report.new} enqueued, {report.known} already known, {sum(report.skipped.values())} skipped"
    )
    for problem in report.problems[:20]:
        console.print(f"[yellow]{problem}[/]")
    return ExitCode.OK


# -- query, replay, schema ------------------------------------------------------------------------


def _application(local: bool):
    """The application a command works on: the running local runtime's with --local (or when no
    stack is configured and one is running), else the stack named by the environment."""
    from newsingest.app import Application
    from newsingest.local.state import STATE_FILE, local_application

    if local or ("TABLE_NAME" not in os.environ and STATE_FILE.exists()):
        return local_application()
    return Application.from_environment()


def cmd_query(args: argparse.Namespace) -> int:
    if args.records:
        return cmd_query_records(args)
    app = _application(args.local)
    fmt = args.format or ("table" if sys.stdout.isatty() else "jsonl")
    if args.sql:
        return _query_sql(app, args.sql, fmt)
    client = app.client
    if args.entities or args.mentioning:
        import duckdb

        try:
            if args.entities:
                return _list_entities(client.entities(args.limit), fmt)
            found = list(client.mentioning(args.mentioning, since=args.since, until=args.until, limit=args.limit))
        except duckdb.Error as err:
            errors.print(f"[red]querying the records failed:[/] {err}", highlight=False)
            return ExitCode.PROBLEMS
        return _print_articles(found, fmt)
    if args.id or args.url:
        found = client.get(args.id) if args.id else client.by_url(args.url)
        if found is None:
            errors.print(f"[yellow]no article for {args.id or args.url}[/]")
            return 1
        articles = [found]
    elif args.versions:
        articles = client.versions(args.versions)
    elif args.source:
        articles = client.by_source(args.source, args.since, args.until, args.limit)
    elif args.day:
        articles = client.by_day(args.day, args.limit)
    else:
        articles = client.by_entity(args.entity, since=args.since, until=args.until, limit=args.limit)
    return _print_articles(articles, fmt)


def _print_articles(articles, fmt: str) -> int:
    if fmt == "jsonl":
        for article in articles:
            sys.stdout.write(article.model_dump_json() + "\n")
        return 0
    table = Table(show_lines=False)
    for column in ("published", "source", "article_id", "v", "words", "lang", "title", "top entities"):
        table.add_column(column, justify="right" if column in ("v", "words") else "left", overflow="fold")
    for a in articles:
        when = a.published_at or a.fetched_at
        table.add_row(
            f"{when:%Y-%m-%d %H:%M}",
            a.source_id,
            a.article_id,
            str(a.version),
            str(a.word_count),
            a.language or "-",
            (a.title or "-")[:70],
            ", ".join(e.name for e in a.entities[:3]),
        )
    console.print(table)
    return 0


def _list_entities(listed, fmt: str) -> int:
    if fmt == "jsonl":
        for e in listed:
            row = {"id": e.id, "canonical_name": e.canonical_name, "type": e.type, "articles": e.articles}
            sys.stdout.write(json.dumps({**row, "ids": dict(e.ids)}, ensure_ascii=False) + "\n")
        return 0
    table = Table(title="Canonical entities (articles mentioning them)")
    for column in ("entity", "type", "articles", "id", "public ids"):
        table.add_column(column, justify="right" if column == "articles" else "left", overflow="fold")
    for e in listed:
        ids = ", ".join(f"{k}={v}" for k, v in sorted(e.ids.items()))
        table.add_row(e.canonical_name, e.type, str(e.articles), e.id, ids or "-")
    console.print(table)
    return 0


def _query_sql(app, sql: str, fmt: str) -> int:
    import duckdb

    try:
        columns, rows = app.records_sql(sql)
    except duckdb.Error as err:
        errors.print(f"[red]SQL failed:[/] {err}", highlight=False)
        return ExitCode.PROBLEMS
    return _print_rows(columns, rows, fmt)


def cmd_query_records(args: argparse.Namespace) -> int:
    """`query --sql ... --records FILE` or `query --entities --records FILE`: the same views over a
    local export; no AWS involved."""
    import duckdb

    from newsingest.local.analytics import file_sql, listed_entities

    if not (args.sql or args.entities):
        errors.print("[red]--records needs --sql or --entities[/] (the views articles, latest, ... are over the file)")
        return ExitCode.USAGE
    fmt = args.format or ("table" if sys.stdout.isatty() else "jsonl")
    try:
        if args.entities:
            return _list_entities(listed_entities(lambda query: file_sql(query, args.records), args.limit), fmt)
        columns, rows = file_sql(args.sql, args.records)
    except OSError as err:
        errors.print(f"[red]cannot read records:[/] {err}", highlight=False)
        return ExitCode.UNAVAILABLE
    except duckdb.Error as err:
        errors.print(f"[red]SQL over {args.records} failed:[/] {err}", highlight=False)
        return ExitCode.PROBLEMS
    return _print_rows(columns, rows, fmt)


def _print_rows(columns: list[str], rows: list[tuple], fmt: str) -> int:
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(dict(zip(columns, row, strict=True)), default=str, ensure_ascii=False) + "\n")
        return 0
    table = Table()
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    app = _application(args.local)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=errors) as progress:
        bar = progress.add_task("replaying archived pages", total=None)
        report = app.replay(
            source_id=args.source,
            since=args.since,
            until=args.until,
            on_listed=lambda total: progress.update(bar, total=total),
            on_done=lambda count: progress.advance(bar, count),
        )
    console.print(
        f"{report.archived} archived pages: {report.records} behind current records re-derived, "
        f"{report.retried} of URLs that never became articles tried again; {report.queued} queued "
        "(the process function reads them from S3, fetching nothing)"
    )
    return 0 if report.queued == report.records + report.retried else 1


def cmd_compact(args: argparse.Namespace) -> int:
    from newsingest.pipeline.compact import DayOutcome

    app = _application(args.local)
    tables = app.compacted
    today = datetime.now(UTC).date()
    if args.all:
        days = sorted(tables.days_with_records())
    elif args.since:
        until = args.until or today - timedelta(days=1)
        days = [args.since + timedelta(days=n) for n in range((until - args.since).days + 1)]
    else:
        days = app.closed_days(today)

    def show(report) -> None:
        rows = ", ".join(f"{table} {n}" for table, n in sorted(report.rows.items()))
        counted = f" ({report.json_objects} JSON records -> {rows})" if report.outcome is not DayOutcome.EMPTY else ""
        console.print(f"{report.day}: {report.outcome.value}{counted}")

    reports = app.compact(days, on_day=show)
    done = sum(r.outcome is DayOutcome.COMPACTED for r in reports)
    console.print(f"{len(reports)} days: {done} compacted into s3://{tables.bucket}/parquet/v1/")
    return 0


# -- dlq ----------------------------------------------------------------------------------------


def _dlq_errors(command):
    """A dlq request that cannot be done (nowhere to redrive to, a DLQ not found) is one line, exit 1;
    no queue settings at all, exit 3. AWS errors go to main's handler like every command's."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from newsingest.dlq import DeadLetterError, QueuesNotConfigured

        try:
            return command(args)
        except DeadLetterError as err:
            errors.print(f"[red]newsingest dlq:[/] {err}", highlight=False)
            return ExitCode.UNAVAILABLE if isinstance(err, QueuesNotConfigured) else ExitCode.PROBLEMS

    return run


def _dead_letter_queues(args: argparse.Namespace):
    """(dlq settings, the DLQs chosen with --queue, all by default)."""
    from newsingest import dlq

    app = _application(args.local)
    settings = dlq.DlqSettings.of(app)
    return settings, dlq.chosen(dlq.open_queues(app.aws.client("sqs"), settings), args.queue)


@_dlq_errors
def cmd_dlq_list(args: argparse.Namespace) -> int:
    from newsingest import dlq

    _settings, queues = _dead_letter_queues(args)
    messages = [m for q in queues for m in q.peek(args.limit)]
    if (args.format or ("table" if sys.stdout.isatty() else "jsonl")) == "jsonl":
        sys.stdout.writelines(dlq.json_line(m) + "\n" for m in messages)
        return ExitCode.OK
    console.print(dlq.depth_line(queues, messages))
    console.print(dlq.listing_table(messages))
    return ExitCode.OK


@_dlq_errors
def cmd_dlq_show(args: argparse.Namespace) -> int:
    from newsingest import dlq

    _settings, queues = _dead_letter_queues(args)
    message = dlq.find(queues, args.message_id)
    if message is None:
        errors.print(f"[yellow]no message {args.message_id} in {', '.join(q.name for q in queues)}[/]")
        return ExitCode.PROBLEMS
    console.print_json(data=dlq.as_json(message))
    return ExitCode.OK


@_dlq_errors
def cmd_dlq_redrive(args: argparse.Namespace) -> int:
    from newsingest import dlq

    settings, queues = _dead_letter_queues(args)
    for report in dlq.redrive(queues, use_move_task=settings.move_tasks, explicit=bool(args.queue)):
        console.print(dlq.redrive_line(report))
    return ExitCode.OK


def cmd_schema_export(args: argparse.Namespace) -> int:
    from newsingest.schemas import export_schemas

    for path in export_schemas(args.directory):
        console.print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
