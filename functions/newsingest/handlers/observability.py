"""Powertools logging, metrics and tracing shared by the handlers.

Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE, set by the template; elsewhere (the local runtime, tests) they
default to newsingest. The tracer exists only where tracing is on (in Lambda, unless
POWERTOOLS_TRACE_DISABLED): Powertools imports the X-Ray SDK even for a disabled tracer, a tenth
of a second of every local run's and test's start-up for nothing.
"""

from __future__ import annotations

import os
from collections import Counter

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from newsingest.models.metrics import Metric

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "newsingest")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "newsingest")

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)


def tracing_enabled() -> bool:
    in_lambda = bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))
    return in_lambda and os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() not in ("1", "true")


def traced(handler):
    """The handler inside an X-Ray segment when tracing is on; as it is otherwise."""
    if not tracing_enabled():
        return handler
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE).capture_lambda_handler(handler)


def emit_counts(counts: Counter) -> None:
    """One EMF metric per (name, dimensions): per-source counts without one line per article."""
    for (name, dimensions), value in sorted(counts.items()):
        with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=metrics.namespace) as metric:
            for key, dim_value in dimensions:
                metric.add_dimension(name=key, value=dim_value)


def count(counts: Counter, name: Metric, value: int = 1, **dimensions: str) -> None:
    counts[(str(name), tuple(sorted(dimensions.items())))] += value


def add_metric(name: Metric, value: float) -> None:
    """A per-invocation metric (no dimensions beyond the service)."""
    metrics.add_metric(name=str(name), unit=MetricUnit.Count, value=value)
