"""The two shapes of our Lambda handlers, written once: Powertools' decorators, metrics flushed
per invocation, and either a scheduled tick or an SQS batch with partial failures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ValidationError

from newsingest.handlers.observability import add_metric, emit_counts, logger, metrics, traced
from newsingest.models.messages import ScheduleEvent
from newsingest.models.metrics import Metric

if TYPE_CHECKING:  # the batch utility is imported by the SQS consumers only
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

RECORD_KEYS = ["message_id", "url", "source_id", "correlation_id"]  # what handlers append per record
Handler = Callable[[dict, LambdaContext], dict]


def observed(handler: Handler) -> Handler:
    """Lambda context in every log line, a trace segment, the metrics flushed at the end."""
    measured = metrics.log_metrics(handler, capture_cold_start_metric=True)
    return logger.inject_lambda_context(log_event=False, clear_state=True)(traced(measured))


def scheduled(run: Callable[[datetime], dict]) -> Handler:
    """An EventBridge Scheduler target: `<aws.scheduler.scheduled-time>` is the tick (now, if absent)."""

    def handler(event: dict, context: LambdaContext) -> dict:
        return run(parse(event=event or {}, model=ScheduleEvent).scheduled_time or datetime.now(UTC))

    return observed(handler)


def parse_bodies[Body: BaseModel](event: dict, model: type[Body]) -> dict[str, Body | Exception]:
    """Each record's body, validated once, by message id (an invalid one: the error that fails it)."""
    bodies: dict[str, Body | Exception] = {}
    for record in event.get("Records", []):
        message_id = record.get("messageId", "")
        try:
            bodies[message_id] = model.model_validate_json(record.get("body", ""))
        except ValidationError as err:
            bodies[message_id] = ValueError(f"not a valid {model.__name__}: {err.errors()[0]['msg']}")
    return bodies


def deliveries(event: dict) -> dict[str, int]:
    """How many times SQS has handed out each message (1: its first delivery), by message id."""
    counts = {}
    for record in event.get("Records", []):
        try:
            counts[record.get("messageId", "")] = int(record.get("attributes", {}).get("ApproximateReceiveCount", 1))
        except (TypeError, ValueError):
            counts[record.get("messageId", "")] = 1
    return counts


def sqs_batch[Body: BaseModel, Batch](
    model: type[Body],
    handle: Callable[[SQSRecord, Body, Counter, Batch], dict],
    prepare: Callable[[dict[str, Body], LambdaContext, dict[str, int]], Batch],
) -> Handler:
    """An SQS consumer with ReportBatchItemFailures: every body is validated once; `prepare` sees
    the batch's valid bodies first (one NER pass, concurrent fetches), then `handle` reports each
    record; a raise (or an invalid body) fails that record only."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.SQS)

    def handler(event: dict, context: LambdaContext) -> dict:
        counts: Counter = Counter()
        add_metric(Metric.RECORDS_RECEIVED, len(event.get("Records", [])))
        bodies = parse_bodies(event, model)
        batch = prepare({k: v for k, v in bodies.items() if not isinstance(v, Exception)}, context, deliveries(event))

        def one(record: SQSRecord) -> dict:
            body = bodies.get(record.message_id)
            if isinstance(body, Exception):
                raise body
            try:
                return handle(record, body, counts, batch)
            finally:  # a record's keys (url, source) must not label the next record's or the batch's lines
                logger.remove_keys(RECORD_KEYS)

        try:
            return process_partial_response(event=event, record_handler=one, processor=processor, context=context)
        finally:
            emit_counts(counts)

    return observed(handler)
