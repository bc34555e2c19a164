"""DiscoverQueue -> discover each requested source -> ArticleQueue (SQS partial batch failures)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.typing import LambdaContext

if TYPE_CHECKING:  # the discovery core is imported by the first discovery, not at init
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from newsingest.pipeline.discover import DiscoveryReport

from newsingest.app import Application
from newsingest.handlers.entry import lambda_entry
from newsingest.handlers.observability import count, logger
from newsingest.handlers.shape import sqs_batch
from newsingest.models.messages import DiscoverRequest
from newsingest.models.metrics import Metric


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
    def discover_one(record: SQSRecord, request: DiscoverRequest, counts: Counter, context: LambdaContext) -> dict:
        logger.append_keys(source_id=request.source_id, message_id=record.message_id)
        logger.set_correlation_id(request.correlation_id)
        source = app.catalog.load().get(request.source_id)
        if source is None:
            logger.warning("source no longer configured")
            return {"source_id": request.source_id, "skipped": "not configured"}
        report = app.discover(
            source,
            request.tick,
            since=request.since,
            remaining=lambda: context.get_remaining_time_in_millis() / 1000,
            correlation_id=request.correlation_id,
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

    return sqs_batch(DiscoverRequest, discover_one, prepare=lambda requests, context, deliveries: context)


__getattr__ = lambda_entry(build)
