"""EventBridge Scheduler -> compact the closed days of JSON records into Parquet (articles_latest, article_versions)."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel

from newsingest.handlers import deps
from newsingest.handlers.observability import logger, metrics, tracer
from newsingest.pipeline.compact import DayOutcome, closed_days, compact_days


class CompactEvent(BaseModel):
    """The schedule's input: `<aws.scheduler.scheduled-time>` fills scheduled_time."""

    scheduled_time: AwareDatetime | None = None


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    tick = parse(event=event or {}, model=CompactEvent).scheduled_time or datetime.now(UTC)
    days = closed_days(tick.astimezone(UTC).date(), deps.settings().compact_lookback_days)
    reports = compact_days(days, deps.compacted_tables(), on_day=lambda r: logger.info("day", extra=r.__dict__))
    compacted = [r for r in reports if r.outcome is DayOutcome.COMPACTED]
    metrics.add_metric(name="DaysCompacted", unit=MetricUnit.Count, value=len(compacted))
    metrics.add_metric(name="RecordsCompacted", unit=MetricUnit.Count, value=sum(r.json_objects for r in compacted))
    return {"tick": tick.isoformat(), "days": {r.day.isoformat(): r.outcome.value for r in reports}}
