"""DiscoverQueue -> discover each requested source -> ArticleQueue (SQS partial batch failures)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

from newsingest.handlers import deps
from newsingest.handlers.observability import count, emit_counts, logger, metrics, tracer
from newsingest.models.messages import DiscoverRequest
from newsingest.models.source import Source
from newsingest.pipeline.discover import DiscoveryReport, discover_source


class DiscoverRecord(SqsRecordModel):
    body: Json[DiscoverRequest]


processor = BatchProcessor(event_type=EventType.SQS, model=DiscoverRecord)


def discover_and_record(
    source: Source, tick: datetime, since: date | None = None, progress: Callable[[str, int], None] | None = None
) -> DiscoveryReport:
    """One discovery of a source, with its state read before and saved after (the CLI's backfill too)."""
    settings = deps.settings()
    state = deps.repos().source_states.get(source.id)
    report, next_state = discover_source(
        source,
        state,
        tick=tick,
        fetcher=deps.fetcher(),
        repos=deps.repos(),
        queue=deps.article_queue(),
        politeness=deps.politeness(),
        user_agent=settings.user_agent,
        max_urls=settings.max_urls_per_discovery,
        since=since,
        progress=progress,
    )
    deps.repos().source_states.put(next_state)
    return report


@tracer.capture_method
def discover_one(record: DiscoverRecord, counts: Counter) -> dict:
    request = record.body
    logger.append_keys(source_id=request.source_id, message_id=record.messageId)
    sources = {s.id: s for s in deps.sources()[0]}
    source = sources.get(request.source_id)
    if source is None:
        logger.warning("source no longer configured")
        return {"source_id": request.source_id, "skipped": "not configured"}
    report = discover_and_record(source, request.tick, request.since)
    count(counts, "DocumentsFetched", report.documents, source=source.id)
    count(counts, "DocumentsNotModified", report.not_modified, source=source.id)
    count(counts, "UrlsDiscovered", report.candidates, source=source.id)
    count(counts, "NewArticles", report.new, source=source.id)
    count(counts, "RefreshedArticles", report.refreshed, source=source.id)
    count(counts, "DiscoveryFailures", report.failed_documents, source=source.id)
    for reason, n in report.skipped.items():
        count(counts, "UrlsSkipped", n, source=source.id, reason=str(reason))
    logger.info(
        "discovered",
        extra={
            "documents": report.documents,
            "not_modified": report.not_modified,
            "candidates": report.candidates,
            "new": report.new,
            "refreshed": report.refreshed,
            "known": report.known,
            "skipped": dict(report.skipped),
            "problems": report.problems[:20],
        },
    )
    return {"source_id": source.id, "new": report.new}


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    counts: Counter = Counter()
    metrics.add_metric(name="RecordsReceived", unit=MetricUnit.Count, value=len(event.get("Records", [])))
    try:
        return process_partial_response(
            event=event,
            record_handler=lambda record: discover_one(record, counts),
            processor=processor,
            context=context,
        )
    finally:
        emit_counts(counts)
