"""pyperf benchmark of exposition: 10,000 series, generated module against plain code.

    python -m benchmarks.exposition --fast -o exposition.json

Both registries hold the same families and series: the bench spec's metrics,
5,000 routes bound on a counter, and a callback gauge that reports 5,000
queues. The plain registry builds them with prometheus-client alone, the
callback gauge as a custom collector.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

import pyperf
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.generated import import_generated  # noqa: E402

ROUTES = [f"/api/route/{index}" for index in range(5_000)]
QUEUES = {f"queue-{index}": float(index) for index in range(5_000)}
METHODS = ("GET", "POST", "PUT", "DELETE")
OUTCOMES = ("success", "error")


def generated_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    metrics = import_generated().BenchMetrics(registry)
    for route in ROUTES:
        metrics.route_hits_total.inc(route=route)
    metrics.queue_depth.set_callback(lambda: QUEUES)
    return registry


class _QueueDepth:
    """The callback gauge, written as a custom collector."""

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "bench_queue_depth", "Tasks waiting, by queue", labels=("queue",)
        )
        for queue, depth in QUEUES.items():
            family.add_metric([queue], depth)
        return [family]


def plain_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    labels = ("method", "outcome")
    for cls, name, documentation in (
        (Counter, "bench_requests", "Requests, by method and outcome"),
        (Histogram, "bench_request_duration_seconds", "Request duration"),
        (Gauge, "bench_in_flight", "Requests being served"),
    ):
        metric = cls(name, documentation, labels, registry=registry)
        for method in METHODS:
            for outcome in OUTCOMES:
                metric.labels(method, outcome)
    routes = Counter(
        "bench_route_hits", "Requests, by route", ("route",), registry=registry
    )
    for route in ROUTES:
        routes.labels(route).inc()
    registry.register(_QueueDepth())
    return registry


def main() -> None:
    runner = pyperf.Runner()
    names = {"generated": generated_registry(), "plain": plain_registry()}
    setup = "from prometheus_client import generate_latest"
    for name in ("plain", "generated"):
        runner.timeit(
            f"exposition 10k series: {name}",
            stmt=f"generate_latest({name})",
            setup=setup,
            globals=names,
        )


if __name__ == "__main__":
    main()
