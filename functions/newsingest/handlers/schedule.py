"""EventBridge Scheduler -> one DiscoverRequest per due source; flags unhealthy sources."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from aws_lambda_powertools.utilities.typing import LambdaContext

from newsingest.app import Application
from newsingest.handlers.entry import lambda_entry
from newsingest.handlers.observability import add_metric, logger
from newsingest.handlers.shape import scheduled
from newsingest.models.metrics import Metric


def build(app: Application) -> Callable[[dict, LambdaContext], dict]:
    def run(tick: datetime) -> dict:
        correlation_id = f"tick-{tick:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        logger.set_correlation_id(correlation_id)
        outcome = app.schedule(tick, correlation_id)
        for problem in outcome.problems:
            logger.warning("source skipped", extra={"problem": problem})
        for source_id, reason in outcome.unhealthy.items():
            logger.warning("unhealthy source", extra={"source_id": source_id, "health": reason})
        add_metric(Metric.SOURCES_DUE, len(outcome.queued))
        add_metric(Metric.UNHEALTHY_SOURCES, len(outcome.unhealthy))
        add_metric(Metric.BAD_SOURCES, len(outcome.problems))
        return {
            "tick": tick.isoformat(),
            "queued": outcome.queued,
            "unhealthy": outcome.unhealthy,
            "problems": outcome.problems,
        }

    return scheduled(run)


__getattr__ = lambda_entry(build)
