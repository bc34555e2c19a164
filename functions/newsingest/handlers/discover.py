"""DiscoverQueue -> discover each requested source -> ArticleQueue (SQS partial batch failures)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Json

from newsingest.app import Application
from newsingest.handlers.entry import lambda_entry
from newsingest.handlers.observability import count, logger
from newsingest.handlers.shape import sqs_batch
from newsingest.models.messages import DiscoverRequest
from newsingest.models.metrics import Metric
from newsingest.pipeline.discover import DiscoveryReport


class DiscoverRecord(SqsRecordModel):
    body: Json[DiscoverRequest]


def count_report(counts: Counter, report: DiscoveryReport) -> None:
    source = report.source_id
    count(counts, Metric.DOCUMENTS_FETCHED, report.documents, source=source)
    count(counts, Metric.DOCUMENTS_NOT_MODIFIED, report.not_modified, source=source)
    count(counts, Metric.URLS_DISCOVERED, report.candidates, source=source)
    count(counts, Metric.NEW_ARTICLES, report.new, source=source)
    count(counts, Metric.REFRESHED_ARTICLES, report.refreshed, source=source)
    count(counts, Metric.DISCOVERY_FAILURES, report.failed_documents, source=source)
    for reason, n in report.skipped.items():
        count(counts, Metric.URLS_SKIPPED, n, source=source, reason=str(reason))


def build(app: Application) -> Callable[[dict, LambdaContext], dict]:
    processor = BatchProcessor(event_type=EventType.SQS, model=DiscoverRecord)

    def discover_one(record: DiscoverRecord, counts: Counter, context: LambdaContext) -> dict:
        request = record.body
        logger.append_keys(source_id=request.source_id, message_id=record.messageId)
        source = app.catalog.load().get(request.source_id)
        if source is None:
            logger.warning("source no longer configured")
            return {"source_id": request.source_id, "skipped": "not configured"}
        report = app.discover(
            source, request.tick, since=request.since, remaining=lambda: context.get_remaining_time_in_millis() / 1000
        )
        count_report(counts, report)
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

    return sqs_batch(processor, discover_one, prepare=lambda event, context: context)


__getattr__ = lambda_entry(build)
