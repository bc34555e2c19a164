"""ArticleQueue -> fetch, extract, tag and store each article (SQS partial batch failures).

The whole batch is prepared at once (concurrent fetches, one NER pass); each record
is then committed through Powertools idempotency, so a redelivered message stores
nothing twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pydantic import Json, ValidationError

from newsingest.handlers import deps
from newsingest.handlers.observability import count, emit_counts, logger, metrics, tracer
from newsingest.models.messages import ArticleTask
from newsingest.pipeline.ingest import Prepared, RetryLater, commit, prepare_batch
from newsingest.pipeline.process import PageInput, process_pages
from newsingest.storage.clients import aws_client


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
idempotency = IdempotencyConfig(event_key_jmespath="idempotency_key", expires_after_seconds=7 * 24 * 3600)
warm_up()  # the init phase loads everything (and SnapStart snapshots it), not the first batch


@idempotent_function(
    data_keyword_argument="task",
    config=idempotency,
    persistence_store=DynamoDBPersistenceLayer(
        table_name=deps.settings().idempotency_table_name, boto3_client=aws_client("dynamodb")
    ),
)
def commit_once(task: dict, prepared: Prepared) -> dict:
    return commit(
        ArticleTask.model_validate({k: v for k, v in task.items() if k != "idempotency_key"}),
        prepared,
        stores=deps.stores(),
        entity_limit=deps.settings().entity_index_limit,
    )


@tracer.capture_method
def prepare(event: dict) -> dict[str, Prepared]:
    tasks: dict[str, ArticleTask] = {}
    for record in event.get("Records", []):
        try:
            tasks[record["messageId"]] = ArticleTask.model_validate_json(record["body"])
        except (KeyError, ValidationError):
            continue  # the batch processor fails this record with the validation error
    sources = {s.id: s for s in deps.sources()[0]}
    prepared = prepare_batch(
        list(tasks.values()),
        sources=sources,
        fetcher=deps.fetcher(),
        stores=deps.stores(),
        politeness=deps.politeness(),
        tagger=deps.tagger(),
        user_agent=deps.settings().user_agent,
        now=lambda: datetime.now(UTC),
    )
    return dict(zip(tasks, prepared, strict=True))


def commit_record(record: ArticleRecord, prepared: dict[str, Prepared], counts: Counter) -> dict:
    task = record.body
    logger.append_keys(message_id=record.messageId, url=task.url, source_id=task.source_id)
    try:
        result = commit_once(
            task={**task.model_dump(mode="json"), "idempotency_key": task.idempotency_key},
            prepared=prepared[record.messageId],
        )
    except Exception as err:
        count(counts, "ArticlesFailed", source=task.source_id)
        logger.warning("article failed", extra={"error": str(err)})
        if isinstance(err, RetryLater) and err.retry_after:
            try:
                deps.article_queue().retry_after(record.receiptHandle, err.retry_after)
            except ClientError as hold_error:  # the record still fails; it just comes back sooner
                logger.warning("could not hold the message back", extra={"error": str(hold_error)})
        raise
    count(counts, "ArticlesFetched", source=task.source_id)
    count(counts, f"Articles{result['outcome'].capitalize()}", source=task.source_id)
    if result.get("reason"):
        count(counts, "ArticlesSkippedByReason", source=task.source_id, reason=result["reason"])
    logger.info("article", extra=result)
    return result


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    idempotency.register_lambda_context(context)
    counts: Counter = Counter()
    metrics.add_metric(name="RecordsReceived", unit=MetricUnit.Count, value=len(event.get("Records", [])))
    prepared = prepare(event)
    try:
        return process_partial_response(
            event=event,
            record_handler=lambda record: commit_record(record, prepared, counts),
            processor=processor,
            context=context,
        )
    finally:
        emit_counts(counts)
