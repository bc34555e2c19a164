"""`newsingest run`: the deployed handlers, run tick by tick on one machine.

Embedded AWS (moto server) with resources created from template.yaml, the bundled
sample sites on 127.0.0.1, and the SQS queues driven like Lambda's event source
mappings. Handler logs and EMF metrics go to a file, as they would go to CloudWatch;
the summary is computed from those metrics and from the stored state.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsingest.app import Application
from newsingest.local.aws import REGION, EmbeddedAws, local_connection, start_embedded_aws
from newsingest.local.driver import EventSourceMapping, LambdaContext, MappingStats, queue_depth
from newsingest.local.resources import LocalResources, create_resources, load_template
from newsingest.local.state import STATE_DIR, STATE_FILE
from newsingest.models.records import Article
from newsingest.settings import Settings
from newsingest.storage.clients import AwsConnection

REPO_ROOT = Path(__file__).resolve().parents[3]
SERVICES = ("dynamodb", "s3", "sqs", "events")
# The settings another `newsingest` process needs to work on this runtime's state.
SHARED_SETTINGS = (
    "TABLE_NAME",
    "BUCKET_NAME",
    "DISCOVER_QUEUE_URL",
    "ARTICLE_QUEUE_URL",
    "EVENT_BUS_NAME",
    "SOURCES_URI",
    "FETCH_ALLOW_HOSTS",  # backfill discovers in the caller's process: the same sites, no more
    "DEFAULT_CRAWL_DELAY",
)


@dataclass
class TickReport:
    tick: datetime
    scheduled: list[str]
    discover: MappingStats
    process: MappingStats
    metrics: Counter = field(default_factory=Counter)  # (metric, source, reason) -> value


def parse_emf(lines: list[str]) -> Counter:
    """Sum the EMF metrics in log lines by (metric name, source, reason)."""
    totals: Counter = Counter()
    for line in lines:
        if '"_aws"' not in line:
            continue
        try:
            blob = json.loads(line)
        except json.JSONDecodeError:
            continue
        for directive in blob.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in directive.get("Metrics", []):
                value = blob.get(metric["Name"], 0)
                value = sum(value) if isinstance(value, list) else value
                totals[(metric["Name"], blob.get("source", ""), blob.get("reason", ""))] += int(value)
    return totals


class LocalRuntime:
    """Start with `with LocalRuntime(...) as runtime:`; every resource is released on exit.

    The runtime builds its own application over the resources it created (settings from the
    template's environment, clients pointed at its endpoint) and the Lambda handlers over that
    application: nothing in this process's environment changes, so two runtimes can coexist.
    """

    def __init__(
        self,
        *,
        sources_path: Path,
        port: int = 0,
        endpoint: str | None = None,
        prefix: str = "newsingest-local",
        sample_sites: bool = True,
        log_path: Path = STATE_DIR / "logs" / "handlers.jsonl",
        extra_env: dict[str, str] | None = None,
        state_file: Path | None = STATE_FILE,
    ):
        self.sources_path = sources_path
        self.port = port
        self.endpoint = endpoint  # None: embedded moto; a URL: that endpoint; "aws": the real account
        self.prefix = prefix  # physical names: {prefix}-{LogicalId} (bucket names are global on real AWS)
        self.with_sample_sites = sample_sites
        self.log_path = log_path
        self.extra_env = extra_env or {}
        self.state_file = state_file  # where other `newsingest` processes find this runtime (None: nowhere)
        self.aws: EmbeddedAws | None = None
        self.sites = None
        self.resources: LocalResources | None = None
        self.app: Application | None = None

    def __enter__(self) -> LocalRuntime:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self.connection = self._connection()
        self.clients = {s: self.connection.client(s) for s in SERVICES}
        self.resources = create_resources(
            load_template(REPO_ROOT / "template.yaml"), clients=self.clients, prefix=self.prefix
        )
        if self.with_sample_sites:
            from newsingest.local.sites import start_sample_sites

            self.sites = start_sample_sites()
        self.settings_env = {
            **self.resources.environment,
            "SOURCES_URI": str(self.sources_path),
            "FETCH_ALLOW_HOSTS": self._fetch_allow_hosts(),
            "DEFAULT_CRAWL_DELAY": "0.05",
            **self.extra_env,
        }
        self.app = Application(
            settings=Settings.from_env(self.settings_env), aws=self.connection, env=self._placeholder_env()
        )
        self._connect_handlers()
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            self.state_file.write_text(json.dumps(self.public_state(), indent=2))

    def _connection(self) -> AwsConnection:
        if self.endpoint is None:
            self.aws = start_embedded_aws(self.port)
            self.aws.reset()  # moto's state is per process: start from nothing, as a new stack would
            return self.aws.connection()
        region = os.environ.get("AWS_DEFAULT_REGION", REGION)
        if self.endpoint == "aws":  # the real account of the caller's credentials
            return AwsConnection(region=region)
        return local_connection(self.endpoint, region)  # LocalStack, another moto: emulators take any credentials

    @property
    def endpoint_url(self) -> str:
        return self.aws.endpoint if self.aws else (self.endpoint or "")

    def public_state(self) -> dict:
        """What another process needs to reach this runtime's AWS state (`.newsingest/local.json`)."""
        settings = {k: v for k, v in self.settings_env.items() if k in SHARED_SETTINGS}
        sites = self.sites.env if self.sites else {}  # the sample sites' addresses, for `${SITE_*}` in sources
        return {
            "endpoint": self.endpoint_url,
            "region": self.connection.region,
            "env": settings,
            "placeholders": sites,
            "pid": os.getpid(),
        }

    def _fetch_allow_hosts(self) -> str:
        """The sample sites' own ports on 127.0.0.1 and what the caller allows (FETCH_ALLOW_HOSTS in
        its environment, e.g. a benchmark's own server), and nothing else there (not the embedded AWS)."""
        own = [h.strip() for h in os.environ.get("FETCH_ALLOW_HOSTS", "").split(",") if h.strip()]
        sites = [urlsplit(base).netloc for base in self.sites.base_urls.values()] if self.sites else []
        return ",".join(dict.fromkeys([*own, *sites]))

    def _placeholder_env(self) -> dict[str, str]:
        """What `${NAME}` in the sources file may be filled from: the caller's own allow-listed
        variables, and the sample sites' SITE_* addresses."""
        own = [name for name in os.environ.get("SOURCE_PLACEHOLDERS", "").split(",") if name]
        sites = self.sites.env if self.sites else {}
        allowed = ",".join([*own, *sorted(sites)])
        return {**{k: v for k, v in os.environ.items() if k in own}, **sites, "SOURCE_PLACEHOLDERS": allowed}

    def _connect_handlers(self) -> None:
        from newsingest.handlers import discover, process, schedule
        from newsingest.handlers.observability import logger

        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("a", encoding="utf-8")
        self._log_offset = self.log_path.stat().st_size
        self._log_handlers = [
            (handler, handler.setStream(self._log))
            for handler in logging.getLogger(logger.name).handlers
            if isinstance(handler, logging.StreamHandler)
        ]
        modules = {"schedule": schedule, "discover": discover, "process": process}
        self.handlers = {name: module.build(self.app) for name, module in modules.items()}  # as Lambda's init
        self.schedule_handler = self.handlers["schedule"]
        queues, sqs = self.resources.queues, self.clients["sqs"]
        self.discover = EventSourceMapping(sqs, queues["DiscoverQueue"], self.handlers["discover"], "discover")
        self.process = EventSourceMapping(sqs, queues["ArticleQueue"], self.handlers["process"], "process")

    def tick(self, when: datetime) -> TickReport:
        """One scheduled run: the schedule function, then both queues until empty."""
        before_discover, before_process = _copy(self.discover.stats), _copy(self.process.stats)
        with contextlib.redirect_stdout(self._log):  # EMF metrics are printed, as in Lambda
            result = self.schedule_handler({"scheduled_time": when.isoformat()}, LambdaContext("schedule"))
            while self.discover.poll_once() or self.process.poll_once():
                pass
        self._log.flush()
        return TickReport(
            tick=when,
            scheduled=result["queued"],
            discover=_diff(self.discover.stats, before_discover),
            process=_diff(self.process.stats, before_process),
            metrics=self._new_metrics(),
        )

    def serve(self, poll_seconds: float = 1.0) -> None:
        """Keep the event source mappings running (for `replay`, `backfill` and `query` from other shells)."""
        while True:
            with contextlib.redirect_stdout(self._log):
                busy = self.discover.poll_once() + self.process.poll_once()
            self._log.flush()
            if not busy:
                time.sleep(poll_seconds)

    def _new_metrics(self) -> Counter:
        with self.log_path.open(encoding="utf-8") as handle:
            handle.seek(self._log_offset)
            lines = handle.readlines()
            self._log_offset = handle.tell()
        return parse_emf(lines)

    def queue_depths(self) -> dict[str, int]:
        depths = {}
        for logical_id, info in self.resources.queues.items():
            depths[logical_id] = queue_depth(self.clients["sqs"], info.url)
        return depths

    def latest_records(self) -> list[Article]:
        """Every article's latest version, read back from the S3 records."""
        archive = self.app.archive
        latest: dict[str, Article] = {}
        for key in archive.list_records():
            article = archive.get_record(key)
            if article.article_id not in latest or latest[article.article_id].version < article.version:
                latest[article.article_id] = article
        return sorted(latest.values(), key=lambda a: (a.source_id, a.published_at or a.fetched_at, a.article_id))

    def close(self) -> None:
        for closer in (getattr(self.sites, "close", None), getattr(self.aws, "close", None)):
            if closer:
                with contextlib.suppress(Exception):
                    closer()
        for handler, previous in getattr(self, "_log_handlers", []):
            handler.setStream(previous)
        if getattr(self, "_log", None):
            self._log.close()
        if self.state_file is not None and self.state_file.exists():
            with contextlib.suppress(Exception):
                if json.loads(self.state_file.read_text()).get("pid") == os.getpid():
                    self.state_file.unlink()  # a stale file would send other commands to a dead endpoint


def export_jsonl(records: list[Article], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json() + "\n")


def _copy(stats: MappingStats) -> MappingStats:
    return MappingStats(**vars(stats))


def _diff(after: MappingStats, before: MappingStats) -> MappingStats:
    return MappingStats(**{k: getattr(after, k) - getattr(before, k) for k in vars(after)})


def summary_rows(ticks: list[TickReport], sources: list[str]) -> list[dict[str, Any]]:
    """Per source, over all ticks: the columns of the closing table."""
    totals: Counter = Counter()
    skipped: dict[str, Counter] = {s: Counter() for s in sources}
    for report in ticks:
        for (name, source, reason), value in report.metrics.items():
            totals[(name, source)] += value
            if name in ("UrlsSkipped", "ArticlesSkippedByReason") and reason:
                skipped.setdefault(source, Counter())[reason] += value
    rows = []
    for source in sources:
        rows.append(
            {
                "source": source,
                "discovered": totals[("UrlsDiscovered", source)],
                "new": totals[("NewArticles", source)],
                "refreshed": totals[("RefreshedArticles", source)],
                "fetched": totals[("ArticlesFetched", source)],
                "stored": totals[("ArticlesStored", source)],
                "updated": totals[("ArticlesUpdated", source)],
                "duplicates": totals[("ArticlesDuplicate", source)],
                "unchanged": totals[("ArticlesUnchanged", source)],
                "skipped": dict(skipped.get(source, {})),
                "failed": totals[("ArticlesFailed", source)] + totals[("DiscoveryFailures", source)],
                "not_modified": totals[("DocumentsNotModified", source)],
            }
        )
    return rows
