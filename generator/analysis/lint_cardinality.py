"""Series estimates per metric and scrape target, unbounded labels, and the budget."""

from __future__ import annotations

import math
from dataclasses import dataclass

from promspec.analysis.catalog import finding
from promspec.errors import Diagnostic
from promspec.model import Location, Metric, MetricType, Spec

_NOWHERE = Location("", 0, 0)


@dataclass(frozen=True)
class Estimate:
    """Upper bound of the series one metric exposes per scrape target."""

    metric: Metric
    field: str
    label_sets: int | None  # product of the labels' value counts; None: unbounded
    per_label_set: int  # series per label set: buckets, _sum, _count, _created
    unbounded: tuple[str, ...]  # labels without a bound

    @property
    def series(self) -> int | None:
        return None if self.label_sets is None else self.label_sets * self.per_label_set


def estimate(metric: Metric, field: str) -> Estimate:
    counts = [label.value_count for label in metric.labels]
    unbounded = tuple(lb.name for lb in metric.labels if lb.value_count is None)
    label_sets = None if unbounded else math.prod(c for c in counts if c is not None)
    return Estimate(metric, field, label_sets, series_per_label_set(metric), unbounded)


def series_per_label_set(metric: Metric) -> int:
    """Return the samples a metric exposes per label set with prometheus-client.

    Counters expose _total and _created; histograms one series per bucket, +Inf
    included, then _sum, _count and _created; summaries _sum, _count, _created.
    """
    if metric.type is MetricType.COUNTER:
        return 2
    if metric.type is MetricType.HISTOGRAM:
        return len(metric.buckets) + 1 + 3
    if metric.type is MetricType.SUMMARY:
        return 3
    return 1


def estimates(spec: Spec) -> list[Estimate]:
    return [
        estimate(metric, f"groups.{group.name}.metrics.{metric.key}")
        for group in spec.groups
        for metric in group.metrics
    ]


def lint_cardinality(spec: Spec) -> list[Diagnostic]:
    """Report unbounded labels, and metrics or specs over the spec's budget."""
    found = []
    rows = estimates(spec)
    for row in rows:
        found += _unbounded(row)
        found += _over_metric_budget(spec, row)
    return found + _over_total_budget(spec, rows)


def _unbounded(row: Estimate) -> list[Diagnostic]:
    found = []
    for index, label in enumerate(row.metric.labels):
        if label.value_count is None:
            found.append(
                finding(
                    "cardinality/unbounded-label",
                    label.location or row.metric.location or _NOWHERE,
                    f"{row.field}.labels[{index}]",
                    f'label "{label.name}" of "{row.metric.name}" is a free {label.kind.value} '
                    "with no bound, so its series cannot be counted and may grow without limit",
                    "make it an enum, or declare its maximum number of values with the long form "
                    f"`- name: {label.name}`, `type: {label.kind.value}`, `max_values: N`",
                )
            )
    return found


def _over_metric_budget(spec: Spec, row: Estimate) -> list[Diagnostic]:
    limit = spec.budget.max_series_per_metric
    if limit is None or row.series is None or row.series <= limit:
        return []
    return [
        finding(
            "cardinality/over-budget",
            row.metric.location or _NOWHERE,
            row.field,
            f'"{row.metric.name}" may expose {row.series:,} series per target, over the '
            f"budget of {limit:,} per metric",
            "drop a label, bound its values more tightly, or use fewer buckets; "
            "`promspec lint --cardinality` shows where the series come from",
        )
    ]


def _over_total_budget(spec: Spec, rows: list[Estimate]) -> list[Diagnostic]:
    limit = spec.budget.max_series
    total = sum(row.series or 0 for row in rows)
    if limit is None or total <= limit:
        return []
    return [
        finding(
            "cardinality/over-budget",
            spec.budget.location or Location(spec.path, 1, 1),
            "cardinality.max_series",
            f"the metrics of the spec may expose {total:,} series per target, over the "
            f"budget of {limit:,}",
            "cut the largest metrics first; `promspec lint --cardinality` lists them",
        )
    ]


def cardinality_table(spec: Spec) -> str:
    """Return the series estimate of every metric as an aligned text table."""
    rows = estimates(spec)
    lines = [("metric", "type", "labels (values)", "per set", "series")]
    for row in rows:
        labels = ", ".join(
            f"{label.name} ({label.value_count if label.value_count is not None else '?'})"
            for label in row.metric.labels
        )
        series = f"{row.series:,}" if row.series is not None else "unbounded"
        lines.append(
            (
                row.metric.name,
                row.metric.type.value,
                labels or "-",
                str(row.per_label_set),
                series,
            )
        )
    total = sum(row.series or 0 for row in rows)
    unbounded = sum(1 for row in rows if row.series is None)
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    text = [_row(line, widths) for line in lines]
    text.append(_total_line(spec, total, unbounded))
    return "\n".join(text)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    left = [cell.ljust(width) for cell, width in zip(cells[:3], widths, strict=False)]
    right = [
        cell.rjust(width) for cell, width in zip(cells[3:], widths[3:], strict=True)
    ]
    return "  ".join(left + right).rstrip()


def _total_line(spec: Spec, total: int, unbounded: int) -> str:
    budget = spec.budget
    limits = []
    if budget.max_series is not None:
        limits.append(f"budget {budget.max_series:,}")
    if budget.max_series_per_metric is not None:
        limits.append(f"{budget.max_series_per_metric:,} per metric")
    line = f"{spec.path}: {total:,} series per scrape target"
    if unbounded:
        line += (
            f", not counting {unbounded} unbounded metric{'s' if unbounded > 1 else ''}"
        )
    return line + (f" ({', '.join(limits)})" if limits else " (no budget)")
