"""EventBridge Scheduler -> one DiscoverRequest per due source; flags unhealthy sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel

from newsingest.handlers import deps
from newsingest.handlers.observability import logger, metrics, tracer
from newsingest.pipeline.schedule import plan_tick


class ScheduleEvent(BaseModel):
    """The schedule's input: `<aws.scheduler.scheduled-time>` fills scheduled_time."""

    scheduled_time: AwareDatetime | None = None


@logger.inject_lambda_context(log_event=False)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    tick = parse(event=event or {}, model=ScheduleEvent).scheduled_time or datetime.now(UTC)
    settings = deps.settings()
    sources, problems = deps.sources()
    for problem in problems:
        logger.warning("source skipped", extra={"location": problem.location, "problem": problem.message})
    states = deps.repos().source_states.get_many([s.id for s in sources])
    plan = plan_tick(
        sources,
        states,
        tick,
        stale_after=timedelta(hours=settings.source_stale_hours),
        failure_threshold=settings.source_failure_threshold,
    )
    deps.discover_queue().send(plan.requests)
    for source_id in plan.unhealthy:
        logger.warning("unhealthy source", extra={"source_id": source_id, "health": plan.health[source_id].reason})
    metrics.add_metric(name="SourcesDue", unit=MetricUnit.Count, value=len(plan.requests))
    metrics.add_metric(name="UnhealthySources", unit=MetricUnit.Count, value=len(plan.unhealthy))
    metrics.add_metric(name="BadSources", unit=MetricUnit.Count, value=len(problems))
    return {
        "tick": tick.isoformat(),
        "queued": [r.source_id for r in plan.requests],
        "unhealthy": {s: plan.health[s].reason for s in plan.unhealthy},
        "problems": [f"{p.location}: {p.message}" for p in problems],
    }
