"""What the handlers need, built once per Lambda container (the init phase) and reused."""

from __future__ import annotations

from functools import cache

from newsingest.entities import make_tagger
from newsingest.fetching.fetcher import Fetcher, FetchPolicy
from newsingest.models.source import Source
from newsingest.pipeline.discover import Politeness
from newsingest.settings import Settings, get_settings
from newsingest.sources import load_sources
from newsingest.storage.archive import Archive
from newsingest.storage.clients import aws_client, read_text
from newsingest.storage.compacted import CompactedTables
from newsingest.storage.events import EventPublisher
from newsingest.storage.queues import QueueSender
from newsingest.storage.stores import Repositories, Stores


def settings() -> Settings:
    return get_settings()


@cache
def repos() -> Repositories:
    return Repositories.over(aws_client("dynamodb"), settings().table_name)


@cache
def stores() -> Stores:
    return Stores(
        repos=repos(),
        archive=Archive(aws_client("s3"), settings().bucket_name),
        events=EventPublisher(aws_client("events"), settings().event_bus_name),
    )


@cache
def compacted_tables() -> CompactedTables:
    return CompactedTables(aws_client("s3"), settings().bucket_name)


@cache
def discover_queue() -> QueueSender:
    return QueueSender(aws_client("sqs"), settings().discover_queue_url)


@cache
def article_queue() -> QueueSender:
    return QueueSender(aws_client("sqs"), settings().article_queue_url)


@cache
def fetcher() -> Fetcher:
    return Fetcher(FetchPolicy.from_settings(settings()))


@cache
def politeness() -> Politeness:
    return Politeness(repos().hosts, settings().default_crawl_delay)


@cache
def tagger():
    return make_tagger(settings())


def sources() -> tuple[list[Source], list]:
    """Read on every invocation: an edited sources file takes effect on the next tick."""
    return load_sources(read_text(settings().sources_uri), origin=settings().sources_uri)


def reset() -> None:
    """Forget everything built: the local runtime and tests call this after changing the environment."""
    from newsingest.storage.clients import aws_client as client_cache

    get_settings.cache_clear()
    client_cache.cache_clear()
    for built in (repos, stores, compacted_tables, discover_queue, article_queue, fetcher, politeness, tagger):
        built.cache_clear()
