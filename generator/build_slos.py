"""Validate the service level objectives of a group and build their model.

An SLO is read in two passes. The first, per group, checks its own fields.
The second runs once every group is read, because an SLO may measure a
metric of another group. It checks that the selectors name counters and
histograms that the spec defines.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from promspec import schema
from promspec.build_rules import ALERT_NAME, read_label_map
from promspec.build_shapes import read_selector
from promspec.loader import YamlList, YamlMap
from promspec.model import (
    PAGE_CONDITIONS,
    SLO,
    Group,
    LabelKind,
    Location,
    Matcher,
    Metric,
    MetricType,
    Selector,
    decimal_text,
)
from promspec.reader import Reader, join, where
from promspec.rule_inputs import parse_seconds

SLO_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_NAME = 63  # the SLO name is part of file names and of the sloth_id label
MAX_PERIOD = parse_seconds("365d")
RESERVED_LABELS = (
    "alertname",
    "severity",
    "sloth_id",
    "sloth_service",
    "sloth_slo",
    "sloth_window",
)
MAX_ALERT_WINDOW = parse_seconds("3d")


def read_slos(reader: Reader, items: YamlList, namespace: str, field: str) -> list[SLO]:
    slos = []
    for index, item in enumerate(items):
        item_field = f"{field}[{index}]"
        node = reader.mapping(item, items.item_locations[index], item_field)
        slo = read_slo(reader, node, namespace, item_field) if node else None
        if slo is not None:
            slos.append(slo)
    return slos


def read_slo(reader: Reader, node: YamlMap, namespace: str, field: str) -> SLO | None:
    from promspec.build_lint import read_acknowledgements

    before = len(reader.diagnostics)
    reader.check_keys(node, schema.SLO, field)
    read_acknowledgements(reader, node, schema.SLO, field)
    name = _read_name(reader, node, field)
    objective = _read_objective(reader, node, field)
    period = _read_period(reader, node, field)
    indicator = _read_indicator(reader, node, field)
    text = {
        key: reader.text(node, key, schema.SLO, field)
        for key in ("description", "alert", "impact", "mitigation")
    }
    page = reader.text(node, "page_severity", schema.SLO, field) or "critical"
    ticket = reader.text(node, "ticket_severity", schema.SLO, field) or "warning"
    labels = read_label_map(reader, node, schema.SLO, field)
    _check_labels(reader, node, labels, field)
    _check_alert_stem(reader, node, text["alert"], field)
    alert = text["alert"] or _camel(name)
    if len(reader.diagnostics) > before or objective is None:
        return None
    return SLO(
        name,
        namespace,
        text["description"].rstrip("."),
        objective,
        period,
        alert,
        *indicator,
        page_severity=page,
        ticket_severity=ticket,
        labels=labels,
        impact=text["impact"],
        mitigation=text["mitigation"],
        location=node.location,
        field_path=field,
        field_locations=_field_locations(node),
    )


def _field_locations(node: YamlMap) -> tuple[tuple[str, Location], ...]:
    keys = ("errors", "total", "alert")
    found = [(key, where(node, key)) for key in keys if key in node]
    latency = node.get("latency")
    if isinstance(latency, YamlMap):
        found += [
            (f"latency.{key}", where(latency, key))
            for key in ("metric", "below")
            if key in latency
        ]
    return tuple(found)


def _read_name(reader: Reader, node: YamlMap, field: str) -> str:
    name = reader.text(node, "name", schema.SLO, field)
    if len(name) > MAX_NAME:
        reader.report(
            where(node, "name"),
            join(field, "name"),
            f"the SLO name is {len(name)} characters long",
            f"shorten it to {MAX_NAME} characters or fewer",
        )
    elif name and not SLO_NAME.match(name):
        suggestion = "-".join(re.findall(r"[a-z0-9]+", name.lower())) or "availability"
        reader.report(
            where(node, "name"),
            join(field, "name"),
            f'invalid SLO name "{name}"',
            f'use lower-case letters and digits joined by dashes, such as "{suggestion}"',
        )
    return name


def _camel(name: str) -> str:
    """Return the alert name stem of an SLO name: availability-api gives AvailabilityApi."""
    stem = "".join(word.capitalize() for word in name.split("-"))
    return stem if stem[:1].isalpha() else f"Slo{stem}"


def _check_labels(
    reader: Reader, node: YamlMap, labels: tuple[tuple[str, str], ...], field: str
) -> None:
    """Report labels that the alerts set themselves: severity and the sloth_ ones."""
    for name, _ in labels:
        if name in RESERVED_LABELS:
            fix = {
                "severity": "set page_severity and ticket_severity instead",
                "alertname": "remove it: Prometheus sets it to the alert's name",
            }.get(
                name, "remove it: promspec sets it from the namespace and the SLO name"
            )
            reader.report(
                where(node, "labels"),
                join(field, f"labels.{name}"),
                f"the alerts set {name} themselves",
                fix,
            )


def _check_alert_stem(reader: Reader, node: YamlMap, alert: str, field: str) -> None:
    if alert and not ALERT_NAME.match(alert):
        reader.report(
            where(node, "alert"),
            join(field, "alert"),
            f'invalid alert name stem "{alert}"',
            'use letters and digits in CamelCase, such as "RequestsAvailability"',
        )


def _read_objective(reader: Reader, node: YamlMap, field: str) -> Fraction | None:
    """Read the objective in percent and return it as a share."""
    value = reader.value(node, "objective", schema.SLO, field)
    if value is None:
        return None
    fast = PAGE_CONDITIONS[0].factor
    share = Fraction(str(value)) / 100 if math.isfinite(value) else Fraction(-1)
    if 0 < value < 1:
        problem = (
            f"objective {value} is a percentage, so it asks for under 1% good events"
        )
        fix = (
            f"write the percentage, such as {decimal_text(Fraction(str(value)) * 100)}"
        )
    elif not 0 < share < 1:
        problem = f"objective {value} is outside (0, 100)"
        fix = "write a percentage below 100, such as 99.9"
    elif fast * (1 - share) >= 1:
        problem = (
            f"with objective {value}, the page at {decimal_text(fast)} times the "
            "error budget needs an error ratio of 1 or more, so it can never fire"
        )
        lowest = math.ceil((100 - 100 / fast) * 100) / 100
        fix = f"write an objective of {lowest:g} or more"
    else:
        return share
    reader.report(where(node, "objective"), join(field, "objective"), problem, fix)
    return None


def _read_period(reader: Reader, node: YamlMap, field: str) -> str:
    period = reader.text(node, "period", schema.SLO, field) or "30d"
    seconds = parse_seconds(period)
    valid = re.fullmatch(r"[1-9][0-9]*[dw]", period) is not None
    if not valid or not MAX_ALERT_WINDOW < seconds <= MAX_PERIOD:
        reader.report(
            where(node, "period"),
            join(field, "period"),
            f"invalid SLO period {period!r}",
            "write whole days or weeks, longer than the 3d alert window and "
            "at most 365d, such as 28d or 4w",
        )
    return period


def _read_indicator(
    reader: Reader, node: YamlMap, field: str
) -> tuple[Selector | None, Selector | None, Selector | None, float]:
    """Read errors and total, or latency; return (errors, total, latency, below)."""
    present = [key for key in ("errors", "total", "latency") if key in node]
    if present == ["errors", "total"]:
        errors = _selector(reader, node, "errors", field)
        total = _selector(reader, node, "total", field)
        if errors is not None and total is not None and _contradict(errors, total):
            reader.report(
                where(node, "errors"),
                join(field, "errors"),
                "errors fix a label to another value than total does, so no failed "
                "event is counted in total",
                "select the failed events among those of total",
            )
        elif errors is not None and errors == total:
            reader.report(
                where(node, "errors"),
                join(field, "errors"),
                "errors and total select the same series, so every event would fail",
                'select the failed events only, such as x_total{outcome="error"}',
            )
        return errors, total, None, 0.0
    if present == ["latency"]:
        return _read_latency(reader, node, field)
    reader.report(
        node.location,
        field,
        "the indicator needs errors and total, or latency"
        + (f"; found {' and '.join(present)}" if present else ""),
        "write `errors:` and `total:` counter selectors, or "
        "`latency: {metric: HISTOGRAM, below: BUCKET_BOUND}`",
    )
    return None, None, None, 0.0


def _contradict(errors: Selector, total: Selector) -> bool:
    """Tell whether the two selectors of one metric fix a label to different values."""
    if errors.metric != total.metric:
        return False
    fixed = total.equalities
    return any(
        fixed.get(name, value) != value for name, value in errors.equalities.items()
    )


def _selector(reader: Reader, node: YamlMap, key: str, field: str) -> Selector | None:
    return read_selector(
        reader, node, key, node[key], join(field, key), where(node, key)
    )


def _read_latency(
    reader: Reader, node: YamlMap, field: str
) -> tuple[Selector | None, Selector | None, Selector | None, float]:
    body = reader.value(node, "latency", schema.SLO, field)
    if body is None:
        return None, None, None, 0.0
    latency_field = join(field, "latency")
    reader.check_keys(body, schema.SLO_LATENCY, latency_field)
    below = reader.value(body, "below", schema.SLO_LATENCY, latency_field)
    selector = (
        _selector(reader, body, "metric", latency_field) if "metric" in body else None
    )
    return None, None, selector, float(below or 0.0)


def check_slos(reader: Reader, groups: list[Group]) -> None:
    """Report SLOs that share a name, and selectors that name no counter or histogram."""
    _check_unique_names(reader, groups)
    metrics = [metric for group in groups for metric in group.metrics]
    samples = {name: metric for metric in metrics for name in metric.sample_names}
    families = {metric.family: metric for metric in metrics}
    for group in groups:
        for slo in group.slos:
            field = slo.field_path
            if slo.latency is not None:
                _check_latency(reader, slo, field, families)
            for key in ("errors", "total"):
                selector = getattr(slo, key)
                if selector is not None:
                    _check_events(reader, slo, key, selector, field, samples)


def _check_unique_names(reader: Reader, groups: list[Group]) -> None:
    """Report an SLO whose name another SLO of the spec has: they would share sloth_id."""
    first: dict[str, str] = {}
    for group in groups:
        for slo in group.slos:
            field = slo.field_path
            if slo.name in first:
                reader.report(
                    slo.location or Location(reader.path, 0, 0),
                    join(field, "name"),
                    f'duplicate SLO name "{slo.name}", first used at {first[slo.name]}',
                    "give each SLO of the spec its own name: the rules of both would "
                    "record the same series",
                )
            first.setdefault(slo.name, field)
    _check_stem_case(reader, groups)


def _check_stem_case(reader: Reader, groups: list[Group]) -> None:
    """Report alert stems that differ only in case: their runbook files would clash."""
    first: dict[str, tuple[str, str]] = {}
    for group in groups:
        for slo in group.slos:
            field = slo.field_path
            seen = first.setdefault(slo.alert.lower(), (slo.alert, field))
            if seen[0] != slo.alert:
                reader.report(
                    slo.where("alert") or slo.location or Location(reader.path, 0, 0),
                    join(field, "alert"),
                    f'alert name stem "{slo.alert}" differs from "{seen[0]}" of '
                    f"{seen[1]} only in case, so their runbook pages would be one file "
                    "on macOS and Windows",
                    "set `alert:` on one of them to another stem",
                )


def _check_events(
    reader: Reader,
    slo: SLO,
    key: str,
    selector: Selector,
    field: str,
    samples: dict[str, Metric],
) -> None:
    metric = samples.get(selector.metric)
    location = slo.where(key) or Location(reader.path, 0, 0)
    field = join(field, key)
    if metric is None or not _counts_events(metric, selector.metric):
        found = (
            f", but a sample of the {metric.type.value} {metric.family}"
            if metric
            else ""
        )
        reader.report(
            location,
            field,
            f"{selector.metric} is not a counter or the _count of a histogram or "
            f"summary{found}",
            _event_fix(selector.metric, samples),
        )
        return
    _check_matchers(reader, location, field, selector, metric)


def _counts_events(metric: Metric, name: str) -> bool:
    if metric.type is MetricType.COUNTER:
        return name == metric.name
    return metric.type is not MetricType.GAUGE and name == f"{metric.family}_count"


def _event_fix(name: str, samples: dict[str, Metric]) -> str:
    import difflib

    counters = sorted(
        sample for sample, metric in samples.items() if _counts_events(metric, sample)
    )
    close = difflib.get_close_matches(name, counters, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}"?'
    return "name a counter (its _total name) or a histogram's _count"


def _check_latency(
    reader: Reader, slo: SLO, field: str, families: dict[str, Metric]
) -> None:
    selector = slo.latency
    assert selector is not None
    location = slo.where("latency.metric") or Location(reader.path, 0, 0)
    metric = families.get(selector.metric)
    if metric is None or metric.type is not MetricType.HISTOGRAM:
        reader.report(
            location,
            join(field, "latency.metric"),
            f"{selector.metric} is not a histogram of the spec",
            "name a histogram by its family name, without _bucket or _count",
        )
        return
    if slo.below not in metric.buckets:
        bounds = ", ".join(f"{bound:g}" for bound in metric.buckets)
        reader.report(
            slo.where("latency.below") or location,
            join(field, "latency.below"),
            f"{slo.below:g} is not a bucket bound of {metric.family}",
            f"write one of its bounds: {bounds}",
        )
    _check_matchers(reader, location, join(field, "latency.metric"), selector, metric)


def _not_int(matcher: Matcher) -> bool:
    return matcher.op in ("=", "!=") and not re.fullmatch(r"-?[0-9]+", matcher.value)


def _check_matchers(
    reader: Reader, location: Location, field: str, selector: Selector, metric: Metric
) -> None:
    """Report a matcher on a label the metric lacks, or no enum value it accepts."""
    labels = {label.name: label for label in metric.labels}
    for matcher in selector.matchers:
        label = labels.get(matcher.name)
        if label is None and matcher.name not in ("job", "instance"):
            reader.report(
                location,
                field,
                f"{metric.family} has no label {matcher.name}",
                f"select on its labels: {', '.join(labels) or 'job, instance'}",
            )
        elif label is not None and label.kind is LabelKind.INT and _not_int(matcher):
            reader.report(
                location,
                field,
                f'{matcher.name} is an int label, and "{matcher.value}" is not a whole number',
                f'compare it with a number, such as {matcher.name}="500"',
            )
        elif (
            label is not None
            and label.values
            and not any(matcher.accepts(value) for value in label.values)
        ):
            reader.report(
                location,
                field,
                f'{matcher.name}{matcher.op}"{matcher.value}" matches none of '
                f"{', '.join(label.values)}",
                "select values the enum declares",
            )
