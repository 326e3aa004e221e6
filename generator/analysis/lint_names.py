"""Naming checks on the spec itself, after Prometheus' naming guide and promlint."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from promspec import checks
from promspec.analysis.catalog import CHECKS, finding
from promspec.errors import Diagnostic
from promspec.model import Location, Metric, MetricType, Spec
from promspec.names import BASE_UNITS

_NOWHERE = Location("", 0, 0)

# Units that are not base units: the base unit, and how to convert a value.
NON_BASE_UNITS = {
    "ms": ("seconds", "divide by 1000"),
    "msec": ("seconds", "divide by 1000"),
    "millis": ("seconds", "divide by 1000"),
    "milliseconds": ("seconds", "divide by 1000"),
    "us": ("seconds", "divide by 1,000,000"),
    "microseconds": ("seconds", "divide by 1,000,000"),
    "ns": ("seconds", "divide by 1,000,000,000"),
    "nanoseconds": ("seconds", "divide by 1,000,000,000"),
    "sec": ("seconds", "keep the value"),
    "secs": ("seconds", "keep the value"),
    "minutes": ("seconds", "multiply by 60"),
    "hours": ("seconds", "multiply by 3600"),
    "days": ("seconds", "multiply by 86400"),
    "kb": ("bytes", "multiply by 1000"),
    "kilobytes": ("bytes", "multiply by 1000"),
    "kib": ("bytes", "multiply by 1024"),
    "mb": ("bytes", "multiply by 1,000,000"),
    "megabytes": ("bytes", "multiply by 1,000,000"),
    "mib": ("bytes", "multiply by 1,048,576"),
    "gb": ("bytes", "multiply by 1,000,000,000"),
    "gigabytes": ("bytes", "multiply by 1,000,000,000"),
    "gib": ("bytes", "multiply by 1,073,741,824"),
    "bits": ("bytes", "divide by 8"),
    "percent": ("ratio", "divide by 100"),
    "percentage": ("ratio", "divide by 100"),
}
_RECORD = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_]+$")
_CAMEL_CASE = re.compile(r"^[A-Z][a-zA-Z0-9]*$")
_RESERVED = {
    "le": (MetricType.HISTOGRAM, "the bucket bounds of a histogram"),
    "quantile": (MetricType.SUMMARY, "the quantiles of a summary"),
}


def lint_names(spec: Spec) -> list[Diagnostic]:
    """Run every naming check on the metrics, recording rules and alerts of a spec."""
    found = [*_identified(spec)]
    for field, metric in _metrics(spec):
        for check in (
            _rewritten,
            _total,
            _units,
            _unit_suffix,
            _type_in_name,
            _camel_case,
            _reserved,
        ):
            found += check(metric, field)
    found += _recording_rules(spec) + _alert_names(spec)
    return found


def _identified(spec: Spec) -> Iterator[Diagnostic]:
    """Give the cross-checks of checks.py their lint ids."""
    for check_id, diagnostics in (
        ("names/collision", checks.name_collisions(spec)),
        ("alerts/duplicate-name", checks.duplicate_alerts(spec)),
        ("dashboards/duplicate-uid", checks.duplicate_uids(spec)),
    ):
        for diagnostic in diagnostics:
            yield dataclasses.replace(
                diagnostic, check=check_id, severity=CHECKS[check_id].severity
            )


def _metrics(spec: Spec) -> Iterator[tuple[str, Metric]]:
    for group in spec.groups:
        for metric in group.metrics:
            yield f"groups.{group.name}.metrics.{metric.key}", metric


def _report(
    check: str, metric: Metric, field: str, message: str, fix: str
) -> list[Diagnostic]:
    return [finding(check, metric.location or _NOWHERE, field, message, fix)]


def _total(metric: Metric, field: str) -> list[Diagnostic]:
    words = metric.name.split("_")
    if metric.unit == "total":
        return _report(
            "names/total-suffix",
            metric,
            field,
            '"total" is not a unit',
            "remove `unit: total`; promspec adds _total to counters",
        )
    if "total" in words[:-1]:
        return _report(
            "names/total-suffix",
            metric,
            field,
            f'"{metric.name}" has "total" inside the name; _total belongs only at the end of a counter',
            f'rename it to "{metric.key.replace("_total", "")}"',
        )
    if metric.type is not MetricType.COUNTER and words[-1] == "total":
        return _report(
            "names/total-suffix",
            metric,
            field,
            f'"{metric.name}" is a {metric.type.value}, but the _total suffix marks a counter',
            f'rename it to "{metric.key.removesuffix("_total")}", or make it a counter',
        )
    return []


def _units(metric: Metric, field: str) -> list[Diagnostic]:
    words = metric.key.removesuffix("_total").split("_")
    for word in ([metric.unit] if metric.unit else []) + words:
        if word.lower() in NON_BASE_UNITS:
            base, conversion = NON_BASE_UNITS[word.lower()]
            kept = [w for w in words if w != word and w != base]
            renamed = "_".join([*kept, base])
            return _report(
                "names/non-base-unit",
                metric,
                field,
                f'"{metric.key}" is measured in {word}, which is not a base unit',
                f'record {base} ({conversion}) and name the metric "{renamed}"',
            )
    return []


def _unit_suffix(metric: Metric, field: str) -> list[Diagnostic]:
    words = metric.name.removesuffix("_total").split("_")
    misplaced = [w for w in words[:-1] if w in BASE_UNITS]
    if not misplaced:
        return []
    fixed = "_".join([w for w in words if w != misplaced[0]] + [misplaced[0]])
    return _report(
        "names/unit-suffix",
        metric,
        field,
        f'"{metric.name}" names the unit {misplaced[0]} before its end; the unit is the last word of a name',
        f'write the name so that it ends in the unit, such as "{fixed}"',
    )


def _type_in_name(metric: Metric, field: str) -> list[Diagnostic]:
    if metric.type.value not in metric.key.split("_"):
        return []
    kind = metric.type.value
    return _report(
        "names/type-in-name",
        metric,
        field,
        f'"{metric.key}" has its metric type "{kind}" in its name',
        f'drop "{kind}" from the name; the TYPE line of the exposition states it',
    )


def exposed_label_name(name: str) -> str:
    """Return a label name as prometheus-client 0.26 writes it in the text format.

    The client replaces each character that a Prometheus label name cannot
    hold at its place with an underscore.
    """
    return "".join(
        char if re.match(r"[a-zA-Z_]" if index == 0 else r"[a-zA-Z0-9_]", char) else "_"
        for index, char in enumerate(name)
    )


def _rewritten(metric: Metric, field: str) -> list[Diagnostic]:
    found = []
    for index, label in enumerate(metric.labels):
        exposed = exposed_label_name(label.name)
        if exposed != label.name:
            found.append(
                finding(
                    "names/label-rewritten",
                    label.location or metric.location or _NOWHERE,
                    f"{field}.labels[{index}]",
                    f'label "{label.name}" is exposed as "{exposed}": prometheus-client '
                    "rewrites characters that a label name cannot hold, so queries "
                    f'written with "{label.name}" match nothing',
                    f'name the label "{exposed}"',
                )
            )
    return found


def _camel_case(metric: Metric, field: str) -> list[Diagnostic]:
    names = [metric.key, *metric.label_names]
    upper = [name for name in names if name != name.lower()]
    if not upper:
        return []
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", upper[0]).lower()
    return _report(
        "names/camel-case",
        metric,
        field,
        f'"{upper[0]}" has upper-case letters; metric and label names are snake_case',
        f'write "{snake}"',
    )


def _reserved(metric: Metric, field: str) -> list[Diagnostic]:
    for index, label in enumerate(metric.labels):
        reserved = _RESERVED.get(label.name)
        if reserved is not None and metric.type is not reserved[0]:
            return [
                finding(
                    "names/reserved-label",
                    label.location or metric.location or _NOWHERE,
                    f"{field}.labels[{index}]",
                    f'label "{label.name}" on a {metric.type.value}: the name is reserved for {reserved[1]}',
                    f"rename the label, so that no query mistakes the metric for a {reserved[0].value}",
                )
            ]
    return []


def _recording_rules(spec: Spec) -> list[Diagnostic]:
    found = []
    for group in spec.groups:
        for index, rule in enumerate(group.recording_rules):
            if not _RECORD.match(rule.record):
                found.append(
                    finding(
                        "names/recording-rule",
                        rule.location or _NOWHERE,
                        f"{group.item_field('recording_rules', index)}.record",
                        f'"{rule.record}" does not read level:metric:operations',
                        "name it after the labels it keeps, the metric and the operations, "
                        "such as job:http_requests:rate5m",
                    )
                )
    return found


def _alert_names(spec: Spec) -> list[Diagnostic]:
    found = []
    for group in spec.groups:
        for index, alert in enumerate(group.alerts):
            if not _CAMEL_CASE.match(alert.name):
                camel = "".join(
                    w[:1].upper() + w[1:]
                    for w in re.split(r"[^A-Za-z0-9]+", alert.name)
                    if w
                )
                found.append(
                    finding(
                        "names/alert-name",
                        alert.location or _NOWHERE,
                        f"{group.item_field('alerts', index)}.alert",
                        f'alert name "{alert.name}" is not CamelCase',
                        f'write "{camel}"',
                    )
                )
    return found
