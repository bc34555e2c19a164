"""EventBridge Scheduler -> compact the closed days of JSON records into Parquet (articles_latest, article_versions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from aws_lambda_powertools.utilities.typing import LambdaContext

from newsingest.app import Application
from newsingest.handlers.entry import lambda_entry
from newsingest.handlers.observability import add_metric, logger
from newsingest.handlers.shape import scheduled
from newsingest.models.metrics import Metric
from newsingest.pipeline.compact import DayOutcome


def build(app: Application) -> Callable[[dict, LambdaContext], dict]:
    def run(tick: datetime) -> dict:
        days = app.closed_days(tick.astimezone(UTC).date())
        reports = app.compact(days, on_day=lambda r: logger.info("day", extra=r.__dict__))
        compacted = [r for r in reports if r.outcome is DayOutcome.COMPACTED]
        add_metric(Metric.DAYS_COMPACTED, len(compacted))
        add_metric(Metric.RECORDS_COMPACTED, sum(r.json_objects for r in compacted))
        return {"tick": tick.isoformat(), "days": {r.day.isoformat(): r.outcome.value for r in reports}}

    return scheduled(run)


__getattr__ = lambda_entry(build)
