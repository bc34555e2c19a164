"""Powertools logging, metrics and tracing shared by the handlers.

Service name and metrics namespace come from POWERTOOLS_SERVICE_NAME and
POWERTOOLS_METRICS_NAMESPACE, set by the template and by the local runtime.
"""

from __future__ import annotations

from collections import Counter

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger()
tracer = Tracer()
metrics = Metrics()


def emit_counts(counts: Counter) -> None:
    """One EMF metric per (name, dimensions): per-source counts without one line per article."""
    for (name, dimensions), value in sorted(counts.items()):
        with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace=metrics.namespace) as metric:
            for key, dim_value in dimensions:
                metric.add_dimension(name=key, value=dim_value)


def count(counts: Counter, name: str, value: int = 1, **dimensions: str) -> None:
    counts[(name, tuple(sorted(dimensions.items())))] += value
