"""Metric naming: the namespace prefix, the unit suffix and `_total` on counters."""

from __future__ import annotations

import re

from promspec.model import MetricType

METRIC_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
RECORD_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")

# Base units of the Prometheus naming guide; a name ending in one of them
# states its unit, even when the spec gives no `unit`.
BASE_UNITS = (
    "seconds",
    "bytes",
    "ratio",
    "meters",
    "volts",
    "amperes",
    "joules",
    "grams",
    "celsius",
)


def exposed_name(namespace: str, key: str, metric_type: MetricType, unit: str) -> str:
    """Return the name to register: namespace, unit suffix, and `_total` once on counters."""
    base = f"{namespace}_{key}"
    if metric_type is MetricType.COUNTER:
        base = base.removesuffix("_total")
    if unit and not base.endswith(f"_{unit}"):
        base = f"{base}_{unit}"
    return f"{base}_total" if metric_type is MetricType.COUNTER else base


def implied_unit(key: str) -> str:
    """Return the base unit that a name ends with, such as `seconds`, or ""."""
    words = key.removesuffix("_total").split("_")
    return words[-1] if words[-1] in BASE_UNITS else ""


def suggest_name(text: str) -> str:
    """Turn text into a valid lower-case name, for the fix of an invalid one."""
    name = re.sub(r"[^a-zA-Z0-9_]+", "_", text).strip("_").lower()
    return name if name and not name[0].isdigit() else f"_{name}"


# Gauges named after things in progress count them per process, so their
# values add up across the processes of a worker.
IN_PROGRESS_WORDS = (
    "in_flight",
    "inflight",
    "in_progress",
    "in_use",
    "executing",
    "running",
    "active",
    "busy",
    "open",
    "pending",
    "waiting",
    "queued",
    "depth",
)


def default_multiprocess_mode(key: str) -> str:
    """Return the multiprocess mode of a direct gauge that does not state one.

    A count of things in progress is summed over the live processes. Any other
    gauge (a level, a ratio, a limit, a timestamp) takes the largest value,
    which keeps the spec's label set: `all` and `liveall` add a `pid` label.
    """
    if key.endswith(tuple(f"_{word}" for word in IN_PROGRESS_WORDS)):
        return "livesum"
    return "max"
