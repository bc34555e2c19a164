"""ArticleQueue -> fetch, extract, tag and store each article (SQS partial batch failures).

The whole batch is prepared at once (concurrent fetches, one NER pass) and committed at once
(pipeline.commit: crash-consistent, so a redelivered message stores nothing twice; docs/commit.md).
The handler passes the Lambda's remaining time in and reports each record's outcome.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pydantic import Json, ValidationError

from newsingest.handlers import deps
from newsingest.handlers.observability import count, emit_counts, logger, metrics, tracer
from newsingest.models.messages import ArticleTask
from newsingest.pipeline.commit import Result, RetryLater
from newsingest.pipeline.ingest import ingest_batch
from newsingest.pipeline.process import PageInput, process_pages


class ArticleRecord(SqsRecordModel):
    body: Json[ArticleTask]


_WARM_UP_PAGE = (
    "<html lang='en'><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + "".join(
        f"<p>Paragraph {n}: the harbour board in Southampton approved the terminal, Jane Smith said.</p>"
        for n in range(6)
    )
    + "</article></body></html>"
).encode()


def warm_up() -> None:
    """Run one offline page through the core during init: every lazy load (spaCy, the language
    model, trafilatura's tables) happens before the first real batch, and inside a SnapStart snapshot."""
    process_pages(
        [PageInput(_WARM_UP_PAGE, "https://warm-up.invalid/", "warm-up", datetime.now(UTC))], tagger=deps.tagger()
    )


processor = BatchProcessor(event_type=EventType.SQS, model=ArticleRecord)
warm_up()  # the init phase loads everything (and SnapStart snapshots it), not the first batch


@tracer.capture_method
def ingest(event: dict, context: LambdaContext) -> dict[str, Result]:
    """Prepare and commit the whole batch: one result per well-formed record, by message id."""
    tasks: dict[str, ArticleTask] = {}
    for record in event.get("Records", []):
        try:
            tasks[record["messageId"]] = ArticleTask.model_validate_json(record["body"])
        except (KeyError, ValidationError):
            continue  # the batch processor fails this record with the validation error
    results = ingest_batch(
        list(tasks.values()),
        sources={s.id: s for s in deps.sources()[0]},
        fetcher=deps.fetcher(),
        stores=deps.stores(),
        politeness=deps.politeness(),
        tagger=deps.tagger(),
        user_agent=deps.settings().user_agent,
        entity_limit=deps.settings().entity_index_limit,
        remaining=lambda: context.get_remaining_time_in_millis() / 1000,
    )
    return dict(zip(tasks, results, strict=True))


def report_record(record: ArticleRecord, results: dict[str, Result], counts: Counter) -> dict:
    task = record.body
    logger.append_keys(message_id=record.messageId, url=task.url, source_id=task.source_id)
    result = results[record.messageId]
    if isinstance(result, Exception):
        count(counts, "ArticlesFailed", source=task.source_id)
        logger.warning("article failed", extra={"error": str(result)})
        if isinstance(result, RetryLater) and result.retry_after:
            try:
                deps.article_queue().retry_after(record.receiptHandle, result.retry_after)
            except ClientError as hold_error:  # the record still fails; it just comes back sooner
                logger.warning("could not hold the message back", extra={"error": str(hold_error)})
        raise result
    count(counts, "ArticlesFetched", source=task.source_id)
    count(counts, f"Articles{result.outcome.value.capitalize()}", source=task.source_id)
    if result.reason:
        count(counts, "ArticlesSkippedByReason", source=task.source_id, reason=result.reason.value)
    logger.info("article", extra=result.log())
    return result.log()


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    counts: Counter = Counter()
    metrics.add_metric(name="RecordsReceived", unit=MetricUnit.Count, value=len(event.get("Records", [])))
    results = ingest(event, context)
    try:
        return process_partial_response(
            event=event,
            record_handler=lambda record: report_record(record, results, counts),
            processor=processor,
            context=context,
        )
    finally:
        emit_counts(counts)
