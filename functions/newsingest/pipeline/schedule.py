"""The schedule use case: which sources to discover on this tick, queued; which look unhealthy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from newsingest.discovery.state import SourceHealth, SourceState, health, is_due
from newsingest.models.messages import DiscoverRequest
from newsingest.models.source import Source

if TYPE_CHECKING:
    from newsingest.app.sources import SourceSet
    from newsingest.storage.queues import QueueSender
    from newsingest.storage.source_state import SourceStateRepository


@dataclass
class TickPlan:
    requests: list[DiscoverRequest]
    health: dict[str, SourceHealth]

    @property
    def unhealthy(self) -> list[str]:
        return sorted(s for s, h in self.health.items() if h.status in ("stale", "failing"))


def plan_tick(
    sources: Sequence[Source],
    states: Mapping[str, SourceState],
    now: datetime,
    *,
    stale_after: timedelta,
    failure_threshold: int,
    correlation_id: str | None = None,
) -> TickPlan:
    requests, healths = [], {}
    for source in sources:
        if not source.enabled:
            continue
        state = states.get(source.id) or SourceState(source_id=source.id)
        healths[source.id] = health(state, now, stale_after, failure_threshold)
        if is_due(source, state, now):
            requests.append(DiscoverRequest(source_id=source.id, tick=now, correlation_id=correlation_id))
    return TickPlan(requests, healths)


@dataclass
class TickOutcome:
    tick: datetime
    plan: TickPlan
    problems: list[str]  # sources the file could not describe, each with its place

    @property
    def queued(self) -> list[str]:
        return [r.source_id for r in self.plan.requests]

    @property
    def unhealthy(self) -> dict[str, str]:
        return {s: self.plan.health[s].reason for s in self.plan.unhealthy}


def run_tick(
    sources: SourceSet,
    states: SourceStateRepository,
    queue: QueueSender,
    tick: datetime,
    *,
    stale_after: timedelta,
    failure_threshold: int,
    correlation_id: str | None = None,
) -> TickOutcome:
    """One discover request per due source, sent in batches; one state read for all sources."""
    known_states = states.get_many([s.id for s in sources.sources])
    plan = plan_tick(
        sources.sources,
        known_states,
        tick,
        stale_after=stale_after,
        failure_threshold=failure_threshold,
        correlation_id=correlation_id,
    )
    queue.send(plan.requests)
    return TickOutcome(tick, plan, [str(p) for p in sources.problems])
