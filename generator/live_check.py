"""Compare a service's metrics exposition with the spec: what a scrape really shows.

Both functions here are pure: `parse_exposition` turns exposition text into
prometheus-client metric families, and `compare` checks them against the
model. Reading the URL or file is the CLI's job.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from prometheus_client import Histogram
from prometheus_client.metrics_core import Metric as Family
from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as parse_openmetrics,
)
from prometheus_client.parser import text_string_to_metric_families as parse_text
from promspec.errors import InputError
from promspec.model import LabelKind, Metric, MetricType, Spec

# The labels that a histogram's buckets and a summary's quantiles add.
_STRUCTURAL_LABELS = {"le", "quantile"}
_CREATED_PARENTS = {"counter", "histogram", "summary"}


@dataclass(frozen=True)
class Exposition:
    """The metric families of one scrape, and whether its format carries units."""

    families: tuple[Family, ...]
    has_units: bool  # OpenMetrics has `# UNIT` lines; the text format 0.0.4 has none


@dataclass(frozen=True, order=True)
class Mismatch:
    """One difference between the exposition and the spec."""

    family: str
    kind: (
        str  # missing, unexpected, type, help, unit, label_names, label_value, buckets
    )
    message: str


@dataclass
class Report:
    """The outcome of one live check."""

    mismatches: list[Mismatch] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # families found in the spec
    ignored: list[str] = field(default_factory=list)  # families outside the namespaces
    has_units: bool = False


def parse_exposition(text: str) -> Exposition:
    """Parse OpenMetrics (recognised by its final `# EOF`) or the text format 0.0.4."""
    openmetrics = text.rstrip().endswith("# EOF")
    parser = parse_openmetrics if openmetrics else parse_text
    try:
        families = list(parser(text))
    except ValueError as error:
        kind = "OpenMetrics" if openmetrics else "Prometheus text format"
        raise InputError(f"invalid {kind} exposition: {error}") from None
    if not openmetrics:
        families = _merge_created(families)
    return Exposition(tuple(families), openmetrics)


def _merge_created(families: list[Family]) -> list[Family]:
    """Drop the `X_created` gauges that the text format writes beside family X."""
    parents = {f.name for f in families if f.type in _CREATED_PARENTS}
    return [f for f in families if not _is_created(f, parents)]


def _is_created(family: Family, parents: set[str]) -> bool:
    return (
        family.type == "gauge"
        and family.name.endswith("_created")
        and family.name.removesuffix("_created") in parents
    )


def compare(
    exposition: Exposition, specs: Sequence[Spec], groups: Iterable[str] = ()
) -> Report:
    """Check the exposition against the specs' metrics.

    A family the specs do not define is unexpected when its name starts with
    one of their namespaces, and ignored otherwise (such as `process_*`).
    Missing families are reported for the given groups only, or for all.
    """
    expected = {metric.family: metric for spec in specs for metric in spec.metrics}
    prefixes = tuple(f"{spec.namespace}_" for spec in specs)
    report = Report(has_units=exposition.has_units)
    for family in exposition.families:
        _sort_family(family, expected, prefixes, report)
    report.mismatches += _missing(expected, report.checked, set(groups))
    report.mismatches.sort()
    return report


def _sort_family(
    family: Family,
    expected: dict[str, Metric],
    prefixes: tuple[str, ...],
    report: Report,
) -> None:
    metric = expected.get(family.name)
    if metric is not None:
        report.checked.append(family.name)
        report.mismatches += compare_family(metric, family, report.has_units)
    elif family.name.startswith(prefixes):
        message = "unexpected family: the spec does not define it"
        report.mismatches.append(Mismatch(family.name, "unexpected", message))
    else:
        report.ignored.append(family.name)


def _missing(
    expected: dict[str, Metric], found: list[str], groups: set[str]
) -> list[Mismatch]:
    present = set(found)
    return [
        Mismatch(
            name, "missing", f"missing family: {metric.type} of group {metric.group}"
        )
        for name, metric in sorted(expected.items())
        if name not in present and (not groups or metric.group in groups)
    ]


def compare_family(metric: Metric, family: Family, has_units: bool) -> list[Mismatch]:
    """Compare one family with its definition: type, help, unit, labels, buckets."""
    found: list[Mismatch] = []
    name = family.name
    if family.type != metric.type.value:
        found.append(_differs(name, "type", metric.type.value, family.type))
    if family.documentation != metric.description:
        found.append(_differs(name, "help", metric.description, family.documentation))
    if has_units and family.unit != metric.unit:
        found.append(_differs(name, "unit", metric.unit, family.unit))
    found += _label_names(metric, family)
    found += _label_values(metric, family)
    if metric.type is MetricType.HISTOGRAM and family.type == "histogram":
        found += _buckets(metric, family)
    return found


def _differs(family: str, kind: str, expected: str, actual: str) -> Mismatch:
    return Mismatch(family, kind, f"{kind}: expected {expected!r}, found {actual!r}")


def _label_names(metric: Metric, family: Family) -> list[Mismatch]:
    expected = set(metric.label_names)
    seen = {
        tuple(sorted(set(sample.labels) - _STRUCTURAL_LABELS))
        for sample in family.samples
    }
    wrong = sorted(names for names in seen if set(names) != expected)
    return [
        _differs(family.name, "label_names", _names(sorted(expected)), _names(names))
        for names in wrong
    ]


def _names(names: Sequence[str]) -> str:
    return ", ".join(names) or "(none)"


def _label_values(metric: Metric, family: Family) -> list[Mismatch]:
    found = []
    for label in metric.labels:
        values = {
            s.labels[label.name] for s in family.samples if label.name in s.labels
        }
        bad = sorted(
            value for value in values if not _allowed(label.kind, label.values, value)
        )
        found += [_bad_value(family.name, label.name, label.values, v) for v in bad]
    return found


def _allowed(kind: LabelKind, values: tuple[str, ...], value: str) -> bool:
    if kind is LabelKind.ENUM:
        return value in values
    if kind is LabelKind.INT:
        return value.lstrip("-").isdigit()
    return True


def _bad_value(
    family: str, label: str, values: tuple[str, ...], value: str
) -> Mismatch:
    allowed = ", ".join(values) if values else "an integer"
    message = f"label_value: {label}={value!r} is not allowed; expected {allowed}"
    return Mismatch(family, "label_value", message)


def _buckets(metric: Metric, family: Family) -> list[Mismatch]:
    expected = (
        list(metric.buckets) if metric.buckets else list(Histogram.DEFAULT_BUCKETS)
    )
    if expected[-1] != math.inf:
        expected.append(math.inf)
    found = []
    for bounds in sorted(_series_bounds(family).values()):
        if list(bounds) != expected:
            found.append(
                _differs(family.name, "buckets", _bounds(expected), _bounds(bounds))
            )
    return sorted(set(found))


def _series_bounds(
    family: Family,
) -> dict[tuple[tuple[str, str], ...], tuple[float, ...]]:
    """Return the sorted bucket bounds (`le`) of each series of a histogram.

    A series with a `_count` or `_sum` but no bucket gets no bounds.
    """
    bounds: dict[tuple[tuple[str, str], ...], list[float]] = {}
    for sample in family.samples:
        series = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        found = bounds.setdefault(series, [])
        if sample.name.endswith("_bucket") and "le" in sample.labels:
            found.append(float(sample.labels["le"]))
    return {series: tuple(sorted(values)) for series, values in bounds.items()}


def _bounds(values: Sequence[float]) -> str:
    return ", ".join("+Inf" if v == math.inf else f"{v:g}" for v in values)
