"""pyperf benchmarks of one recording call through the generated module.

    python -m benchmarks.hot_path --fast -o hot_path.json

Every call is measured three ways on the same registry shape: on a
prometheus-client child bound in advance (the floor), through
`metric.labels(...)` written by hand, and through the generated API.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyperf
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# pyperf runs each worker as `python benchmarks/hot_path.py`, which puts
# benchmarks/ on the path but not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.generated import import_generated  # noqa: E402

# The label values of every call; the generated module binds these children
# in advance, because both labels are enums.
METHOD, OUTCOME, ROUTE = "GET", "success", "/api/workflows/:id"


def namespace() -> dict[str, object]:
    """Build the objects that the timed statements use, in each pyperf worker."""
    generated = import_generated().BenchMetrics(CollectorRegistry())
    registry = CollectorRegistry()
    labels = ("method", "outcome")
    counter = Counter("plain_requests", "", labels, registry=registry)
    histogram = Histogram("plain_duration_seconds", "", labels, registry=registry)
    gauge = Gauge("plain_in_flight", "", labels, registry=registry)
    routes = Counter("plain_route_hits", "", ("route",), registry=registry)
    return {
        "generated": generated,
        "counter": counter,
        "histogram": histogram,
        "gauge": gauge,
        "routes": routes,
        "counter_child": counter.labels(METHOD, OUTCOME),
        "histogram_child": histogram.labels(METHOD, OUTCOME),
        "gauge_child": gauge.labels(METHOD, OUTCOME),
    }


_ENUMS = "method='GET', outcome='success'"
_ROUTE = "route='/api/workflows/:id'"

# (benchmark name, statement). Names are "<call>: <way>", and the report
# divides each way by the floor or by the hand-written `.labels()` call.
CASES = [
    ("counter inc: bound child", "counter_child.inc()"),
    ("counter inc: labels()", f"counter.labels({_ENUMS}).inc()"),
    ("counter inc: generated", f"generated.requests_total.inc({_ENUMS})"),
    ("histogram observe: bound child", "histogram_child.observe(0.2)"),
    ("histogram observe: labels()", f"histogram.labels({_ENUMS}).observe(0.2)"),
    (
        "histogram observe: generated",
        f"generated.request_duration_seconds.observe(0.2, {_ENUMS})",
    ),
    ("gauge set: bound child", "gauge_child.set(3)"),
    ("gauge set: labels()", f"gauge.labels({_ENUMS}).set(3)"),
    ("gauge set: generated", f"generated.in_flight.set(3, {_ENUMS})"),
    ("string label inc: labels()", f"routes.labels({_ROUTE}).inc()"),
    ("string label inc: generated", f"generated.route_hits_total.inc({_ROUTE})"),
]


def main() -> None:
    runner = pyperf.Runner()
    names = namespace()
    for name, statement in CASES:
        runner.timeit(name, stmt=statement, globals=names)


if __name__ == "__main__":
    main()
