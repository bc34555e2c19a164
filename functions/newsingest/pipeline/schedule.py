"""Which sources to discover on this tick, and which look unhealthy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from newsingest.discovery.state import SourceHealth, SourceState, health, is_due
from newsingest.models.messages import DiscoverRequest
from newsingest.models.source import Source


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
) -> TickPlan:
    requests, healths = [], {}
    for source in sources:
        if not source.enabled:
            continue
        state = states.get(source.id) or SourceState(source_id=source.id)
        healths[source.id] = health(state, now, stale_after, failure_threshold)
        if is_due(source, state, now):
            requests.append(DiscoverRequest(source_id=source.id, tick=now))
    return TickPlan(requests, healths)
