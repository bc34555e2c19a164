"""The two shapes of our Lambda handlers, written once: Powertools' decorators, metrics flushed
per invocation, and either a scheduled tick or an SQS batch with partial failures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, process_partial_response
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsingest.handlers.observability import add_metric, emit_counts, logger, metrics, tracer
from newsingest.models.messages import ScheduleEvent
from newsingest.models.metrics import Metric

Handler = Callable[[dict, LambdaContext], dict]


def observed(handler: Handler) -> Handler:
    """Lambda context in every log line, a trace segment, the metrics flushed at the end."""
    return logger.inject_lambda_context(log_event=False)(tracer.capture_lambda_handler(metrics.log_metrics(handler)))


def scheduled(run: Callable[[datetime], dict]) -> Handler:
    """An EventBridge Scheduler target: `<aws.scheduler.scheduled-time>` is the tick (now, if absent)."""

    def handler(event: dict, context: LambdaContext) -> dict:
        return run(parse(event=event or {}, model=ScheduleEvent).scheduled_time or datetime.now(UTC))

    return observed(handler)


def sqs_batch[Batch](
    processor: BatchProcessor,
    handle: Callable[[Any, Counter, Batch], dict],
    prepare: Callable[[dict, LambdaContext], Batch],
) -> Handler:
    """An SQS consumer with ReportBatchItemFailures: `prepare` sees the whole batch first (one
    NER pass, concurrent fetches), then `handle` reports each record; a raise fails that record only."""

    def handler(event: dict, context: LambdaContext) -> dict:
        counts: Counter = Counter()
        add_metric(Metric.RECORDS_RECEIVED, len(event.get("Records", [])))
        batch = prepare(event, context)
        try:
            return process_partial_response(
                event=event,
                record_handler=lambda record: handle(record, counts, batch),
                processor=processor,
                context=context,
            )
        finally:
            emit_counts(counts)

    return observed(handler)
