"""The application: every adapter built once from settings and a connection, and the use cases over them.

Lambda handlers, the CLI, the client, replay and the local runtime all start here. Nothing is
global: the local runtime builds one application per set of resources, tests build one per moto
account, and each Lambda container builds one at init (SnapStart snapshots it).
Adapters are built on first use, so a command that only reads never loads spaCy, and the
schedule function never imports the extraction core.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from newsingest.app.sources import SourceCatalog
from newsingest.entities.knowledge import EntityIndexPolicy
from newsingest.models.messages import ArticleTask
from newsingest.models.source import Source
from newsingest.settings import Settings
from newsingest.storage.archive import Archive
from newsingest.storage.clients import AwsConnection, read_text
from newsingest.storage.events import EventPublisher
from newsingest.storage.queues import QueueSender
from newsingest.storage.stores import Repositories, Stores

if TYPE_CHECKING:  # the heavy parts are imported where they are first used
    from newsingest.client import ArticleClient
    from newsingest.entities.tagger import Tagger
    from newsingest.fetching.fetcher import Fetcher
    from newsingest.pipeline.commit import Result
    from newsingest.pipeline.compact import DayReport
    from newsingest.pipeline.discover import DiscoveryReport
    from newsingest.pipeline.politeness import Politeness
    from newsingest.pipeline.schedule import TickOutcome
    from newsingest.replay import ReplayReport
    from newsingest.storage.compacted import CompactedTables


@dataclass
class Application:
    settings: Settings
    aws: AwsConnection = field(default_factory=AwsConnection)
    env: Mapping[str, str] = field(default_factory=dict)  # what `${NAME}` placeholders in sources may use
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> Application:
        """As a Lambda container (or a CLI pointed at a stack) sees it: settings and AWS from the environment."""
        env = dict(os.environ if env is None else env)
        return cls(settings=Settings.from_env(env), aws=AwsConnection.from_env(env), env=env)

    # -- adapters, built on first use --------------------------------------------------------

    @cached_property
    def repos(self) -> Repositories:
        return Repositories.over(self.aws.client("dynamodb"), self.settings.table_name)

    @cached_property
    def archive(self) -> Archive:
        return Archive(self.aws.client("s3"), self.settings.bucket_name)

    @cached_property
    def stores(self) -> Stores:
        events = EventPublisher(self.aws.client("events"), self.settings.event_bus_name)
        return Stores(repos=self.repos, archive=self.archive, events=events)

    @cached_property
    def entity_index(self) -> EntityIndexPolicy:
        return EntityIndexPolicy.from_settings(self.settings)

    @cached_property
    def compacted(self) -> CompactedTables:
        from newsingest.storage.compacted import CompactedTables  # the analytics layer: compaction only

        return CompactedTables(self.aws.client("s3"), self.settings.bucket_name)

    @cached_property
    def discover_queue(self) -> QueueSender:
        return QueueSender(self.aws.client("sqs"), self.settings.discover_queue_url)

    @cached_property
    def article_queue(self) -> QueueSender:
        return QueueSender(self.aws.client("sqs"), self.settings.article_queue_url)

    @cached_property
    def fetcher(self) -> Fetcher:
        from newsingest.fetching.fetcher import Fetcher, FetchPolicy

        return Fetcher(FetchPolicy.from_settings(self.settings))

    @cached_property
    def politeness(self) -> Politeness:
        from newsingest.pipeline.politeness import Politeness

        return Politeness(self.repos.hosts, self.fetcher, self.settings.user_agent, self.settings.default_crawl_delay)

    @cached_property
    def tagger(self) -> Tagger | None:
        from newsingest.entities import make_tagger

        return make_tagger(self.settings, comprehend=lambda: self.aws.client("comprehend"))

    @cached_property
    def catalog(self) -> SourceCatalog:
        """sources.yaml, re-read at most once a minute: an edit takes effect on the next tick."""
        uri = self.settings.sources_uri
        return SourceCatalog(lambda: read_text(uri, self.aws.client("s3")), origin=uri, env=self.env)

    @cached_property
    def client(self) -> ArticleClient:
        from newsingest.client import ArticleClient

        return ArticleClient(self.repos, self.archive, sql=self.records_sql)

    def records_sql(self, query: str) -> tuple[list[str], list[tuple]]:
        """One SQL query over the stored records (DuckDB over S3: views `articles`, `articles_latest`,
        `latest`; Parquet for compacted days, JSON for the rest)."""
        from newsingest.local.analytics import Layout, S3Access, records_sql

        tables = self.compacted
        layout = Layout(frozenset(tables.compacted_days()), frozenset(tables.days_with_records()))
        return records_sql(query, self.settings.bucket_name, S3Access.of(self.aws), layout)

    # -- use cases ---------------------------------------------------------------------------

    def schedule(self, tick: datetime, correlation_id: str | None = None) -> TickOutcome:
        """Queue one discovery per due source; report unhealthy and unreadable ones."""
        from newsingest.pipeline.schedule import run_tick

        return run_tick(
            self.catalog.load(),
            self.repos.source_states,
            self.discover_queue,
            tick,
            stale_after=timedelta(hours=self.settings.source_stale_hours),
            failure_threshold=self.settings.source_failure_threshold,
            correlation_id=correlation_id,
        )

    def discover(
        self,
        source: Source,
        tick: datetime,
        *,
        since: date | None = None,
        progress: Callable[[str, int], None] | None = None,
        remaining: Callable[[], float] | None = None,
        correlation_id: str | None = None,
    ) -> DiscoveryReport:
        """One discovery of a source (a scheduled run, or a backfill with `since`), its state saved after."""
        from newsingest.pipeline.discover import Discovery

        discovery = Discovery(
            source,
            tick,
            fetcher=self.fetcher,
            repos=self.repos,
            queue=self.article_queue,
            politeness=self.politeness,
            max_urls=self.settings.max_urls_per_discovery,
            since=since,
            progress=progress,
            remaining=remaining,
            correlation_id=correlation_id,
        )
        return discovery.run()

    def ingest(
        self,
        tasks: Sequence[ArticleTask],
        remaining: Callable[[], float] | None = None,
        deliveries: Sequence[int] | None = None,
    ) -> list[Result]:
        """Fetch, extract, tag and commit a batch of articles: one result per task (an Exception fails it)."""
        from newsingest.pipeline.ingest import Ingest

        ingest = Ingest(
            sources=self.catalog.load().by_id,
            fetcher=self.fetcher,
            stores=self.stores,
            politeness=self.politeness,
            tagger=self.tagger,
            entity_index=self.entity_index,
        )
        return ingest.run(tasks, remaining=remaining, deliveries=deliveries)

    def warm_up(self) -> None:
        """Load every lazy part of the process stage (spaCy, the language model, trafilatura's tables)
        on one offline page: a Lambda's init phase pays it, not its first batch."""
        from newsingest.pipeline.process import warm_up

        warm_up(self.tagger)

    def compact(self, days: Sequence[date], on_day: Callable[[DayReport], None] = lambda report: None) -> list:
        from newsingest.pipeline.compact import compact_days

        return compact_days(days, self.compacted, on_day=on_day)

    def closed_days(self, today: date) -> list[date]:
        from newsingest.pipeline.compact import closed_days

        return closed_days(today, self.settings.compact_lookback_days)

    def replay(self, **options) -> ReplayReport:
        """Queue archived pages for re-processing (see newsingest.replay for which and how)."""
        from newsingest.replay import replay

        return replay(self.client, self.article_queue, now=self.clock(), **options)
