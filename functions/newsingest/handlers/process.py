"""ArticleQueue -> fetch, extract, tag and store each article (SQS partial batch failures).

The whole batch is prepared at once (concurrent fetches, one NER pass) and committed at once
(pipeline.commit: crash-consistent, so a redelivered message stores nothing twice; docs/commit.md).
The handler passes the Lambda's remaining time in and reports each record's outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from newsingest.app import Application
from newsingest.handlers.entry import lambda_entry
from newsingest.handlers.observability import count, logger
from newsingest.handlers.shape import sqs_batch
from newsingest.models.messages import ArticleTask
from newsingest.models.metrics import Metric
from newsingest.pipeline.commit import Result, RetryLater


def build(app: Application) -> Callable[[dict, LambdaContext], dict]:
    """The handler over one application; its init loads everything (and SnapStart snapshots it)."""
    app.warm_up()

    def report(record: SQSRecord, task: ArticleTask, counts: Counter, results: dict[str, Result]) -> dict:
        logger.append_keys(message_id=record.message_id, url=task.url, source_id=task.source_id)
        logger.set_correlation_id(task.correlation_id)
        result = results[record.message_id]
        if isinstance(result, Exception):
            count(counts, Metric.ARTICLES_FAILED, source=task.source_id)
            logger.warning("article failed", extra={"error": str(result)})
            if isinstance(result, RetryLater) and result.retry_after:
                try:
                    app.article_queue.retry_after(record.receipt_handle, result.retry_after)
                except ClientError as hold_error:  # the record still fails; it just comes back sooner
                    logger.warning("could not hold the message back", extra={"error": str(hold_error)})
            raise result
        count(counts, Metric.ARTICLES_FETCHED, source=task.source_id)
        count(counts, Metric.for_outcome(result.outcome), source=task.source_id)
        if result.reason:
            count(counts, Metric.ARTICLES_SKIPPED_BY_REASON, source=task.source_id, reason=result.reason.value)
        logger.info("article", extra=result.log())
        return result.log()

    def ingest(tasks: dict[str, ArticleTask], context: LambdaContext, deliveries: dict[str, int]) -> dict[str, Result]:
        outcomes = app.ingest(
            list(tasks.values()),
            remaining=lambda: context.get_remaining_time_in_millis() / 1000,
            deliveries=[deliveries.get(message_id, 1) for message_id in tasks],
        )
        return dict(zip(tasks, outcomes, strict=True))

    return sqs_batch(ArticleTask, report, prepare=ingest)


__getattr__ = lambda_entry(build)
