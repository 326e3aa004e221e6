"""Validate the metrics of a group and build their model: names, labels, buckets."""

from __future__ import annotations

import math
import re
from itertools import pairwise
from typing import Any

from promspec import names, schema
from promspec.build_lint import read_acknowledgements
from promspec.loader import YamlList, YamlMap
from promspec.model import Label, LabelKind, Location, Metric, MetricType, Source
from promspec.reader import Reader, join, where

# `string`, `int` or `enum[a, b]`, then an optional description in brackets.
_SHORT_LABEL = re.compile(
    r"^(?P<type>[A-Za-z_]+)\s*(?:\[(?P<values>[^\]]*)\])?\s*(?:\((?P<text>.*)\))?$",
    re.S,
)
_RESERVED_LABELS = {MetricType.HISTOGRAM: "le", MetricType.SUMMARY: "quantile"}
_LABEL_FORMS = "write `string`, `int` or `enum[a, b, c]`, optionally followed by a description in brackets"


def read_metrics(
    reader: Reader, node: YamlMap, namespace: str, group: str, field: str
) -> list[Metric]:
    """Build every metric of a group's `metrics` mapping."""
    metrics = []
    for key in node:
        metric_node = reader.mapping(
            node[key], node.value_locations[key], join(field, key)
        )
        if metric_node is None:
            continue
        metric = read_metric(
            reader, metric_node, key, namespace, group, join(field, key)
        )
        if metric is not None:
            metrics.append(metric)
    return metrics


def read_metric(
    reader: Reader, node: YamlMap, key: str, namespace: str, group: str, field: str
) -> Metric | None:
    """Validate one metric definition; return None when it has errors."""
    before = len(reader.diagnostics)
    reader.check_keys(node, schema.METRIC, field)
    read_acknowledgements(reader, node, schema.METRIC, field)
    check_metric_key(reader, node, key, namespace, field)
    type_name = reader.text(node, "type", schema.METRIC, field)
    metric_type = MetricType(type_name) if type_name else None
    description = read_description(reader, node, field)
    unit = read_unit(reader, node, key, field)
    labels = read_labels(reader, node, metric_type, field)
    buckets = read_buckets(reader, node, metric_type, field)
    source = read_source(reader, node, metric_type, field)
    mode = read_multiprocess_mode(reader, node, key, metric_type, source, field)
    if metric_type is None or len(reader.diagnostics) > before:
        return None
    name = names.exposed_name(namespace, key, metric_type, unit)
    return Metric(
        key=key,
        name=name,
        type=metric_type,
        description=description,
        group=group,
        unit=unit,
        labels=labels,
        buckets=buckets,
        source=source,
        location=node.location,
        multiprocess_mode=mode,
        source_location=node.value_locations.get("source"),
    )


def check_metric_key(
    reader: Reader, node: YamlMap, key: str, namespace: str, field: str
) -> None:
    location = node.location
    if not names.METRIC_NAME.match(key):
        fix = (
            "colons are reserved for recording rules"
            if ":" in key
            else "use letters, digits and _"
        )
        reader.report(
            location,
            field,
            f'invalid metric name "{key}"',
            f'{fix}, such as "{names.suggest_name(key)}"',
        )
    elif key.startswith(f"{namespace}_"):
        reader.report(
            location,
            field,
            f'metric name "{key}" already starts with the namespace "{namespace}_"',
            f'write "{key.removeprefix(namespace + "_")}"; promspec adds the namespace',
        )


def read_description(reader: Reader, node: YamlMap, field: str) -> str:
    description = reader.text(node, "description", schema.METRIC, field)
    if (
        "description" in node
        and isinstance(node["description"], str)
        and not description
    ):
        reader.report(
            where(node, "description"),
            join(field, "description"),
            "the description is empty",
            "say what the metric measures; it becomes the HELP text",
        )
    return description


def read_unit(reader: Reader, node: YamlMap, key: str, field: str) -> str:
    unit = reader.text(node, "unit", schema.METRIC, field)
    if "unit" in node and unit and not re.match(r"^[a-z][a-z0-9]*$", unit):
        reader.report(
            where(node, "unit"),
            join(field, "unit"),
            f'invalid unit "{unit}"',
            "write a base unit in lower case, such as seconds, bytes or ratio",
        )
        return ""
    return unit or names.implied_unit(key)


def read_source(
    reader: Reader, node: YamlMap, metric_type: MetricType | None, field: str
) -> Source:
    source = reader.text(node, "source", schema.METRIC, field)
    if source == "callback" and metric_type in (
        MetricType.HISTOGRAM,
        MetricType.SUMMARY,
    ):
        reader.report(
            where(node, "source"),
            join(field, "source"),
            f"a {metric_type.value} cannot be read from a callback",
            f"use source: callback on counters and gauges only; observe {metric_type.value} values directly",
        )
    return Source(source) if source else Source.DIRECT


def read_multiprocess_mode(
    reader: Reader,
    node: YamlMap,
    key: str,
    metric_type: MetricType | None,
    source: Source,
    field: str,
) -> str:
    """Return a direct gauge's multiprocess mode, stated or by default; else ""."""
    mode = reader.text(node, "multiprocess_mode", schema.METRIC, field)
    direct_gauge = metric_type is MetricType.GAUGE and source is Source.DIRECT
    if mode and not direct_gauge:
        reader.report(
            where(node, "multiprocess_mode"),
            join(field, "multiprocess_mode"),
            "multiprocess_mode applies to gauges with source: direct only",
            "remove multiprocess_mode; prometheus-client adds up counters, "
            "histograms and summaries across processes by itself",
        )
        return ""
    if not direct_gauge:
        return ""
    return mode or names.default_multiprocess_mode(key)


def read_buckets(
    reader: Reader, node: YamlMap, metric_type: MetricType | None, field: str
) -> tuple[float, ...]:
    """Return the bucket bounds, ascending, without +Inf."""
    if "buckets" not in node:
        return DEFAULT_BUCKETS if metric_type is MetricType.HISTOGRAM else ()
    location, bucket_field = where(node, "buckets"), join(field, "buckets")
    if metric_type is not MetricType.HISTOGRAM:
        reader.report(
            location,
            bucket_field,
            "buckets apply to histograms only",
            "remove buckets, or set type: histogram",
        )
        return ()
    value = reader.value(node, "buckets", schema.METRIC, field)
    return (
        _bucket_bounds(reader, value, location, bucket_field)
        if value is not None
        else ()
    )


# prometheus-client's default buckets, used when a histogram names none.
DEFAULT_BUCKETS = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)


def _bucket_bounds(
    reader: Reader, items: YamlList, location: Location, field: str
) -> tuple[float, ...]:
    bounds: list[float] = []
    last = len(items) - 1
    for index, item in enumerate(items):
        if not _is_bound(item, allow_inf=index == last):
            reader.report(
                items.item_locations[index],
                f"{field}[{index}]",
                f"invalid bucket bound {item!r}",
                "write a finite number, such as 0.5 or 1e3; +Inf may only come last",
            )
            return ()
        bounds.append(float(item))
    if bounds and bounds[-1] == math.inf:
        bounds.pop()  # the client adds +Inf itself
    if not bounds or any(later <= earlier for earlier, later in pairwise(bounds)):
        reader.report(
            location,
            field,
            "bucket bounds must be strictly ascending, with at least one bound",
            f"sort them and remove repeats: [{', '.join(_number(b) for b in sorted(set(bounds)))}]",
        )
        return ()
    return tuple(bounds)


def _is_bound(item: object, allow_inf: bool) -> bool:
    """Tell whether a YAML value is a usable bound: a finite number, or +Inf last."""
    if isinstance(item, bool) or not isinstance(item, int | float):
        return False
    return math.isfinite(item) or (allow_inf and item == math.inf)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def read_labels(
    reader: Reader, node: YamlMap, metric_type: MetricType | None, field: str
) -> tuple[Label, ...]:
    items = reader.value(node, "labels", schema.METRIC, field)
    if items is None:
        return ()
    labels: list[Label] = []
    for index, item in enumerate(items):
        item_field = f"{join(field, 'labels')}[{index}]"
        label = read_label(reader, item, items.item_locations[index], item_field)
        if label is not None and check_label_name(
            reader, label, labels, metric_type, item_field
        ):
            labels.append(label)
    return tuple(labels)


def check_label_name(
    reader: Reader,
    label: Label,
    previous: list[Label],
    metric_type: MetricType | None,
    field: str,
) -> bool:
    location = label.location or Location(reader.path, 1, 1)
    # Other names that Prometheus cannot hold reach the lint, which reports how
    # prometheus-client rewrites them (names/label-rewritten).
    if not label.name or label.name.startswith("__"):
        reader.report(
            location,
            field,
            f'invalid label name "{label.name}"',
            f'use letters, digits and _, not starting with __, such as "{names.suggest_name(label.name)}"',
        )
    elif metric_type is not None and _RESERVED_LABELS.get(metric_type) == label.name:
        reader.report(
            location,
            field,
            f'label name "{label.name}" is reserved on a {metric_type.value}',
            "rename the label; the client library sets this one itself",
        )
    elif any(other.name == label.name for other in previous):
        reader.report(
            location, field, f'duplicate label "{label.name}"', "remove one of the two"
        )
    else:
        return True
    return False


def read_label(
    reader: Reader, item: Any, location: Location, field: str
) -> Label | None:
    """Read `- name: type` (the plan's notation) or the long form with name and values."""
    if not isinstance(item, YamlMap) or not item:
        reader.report(
            location,
            field,
            "a label must be `- name: type` or a mapping with name and values",
            "write it as `- method: enum[GET, POST]` or `- path: string`",
        )
        return None
    if "name" not in item and len(item) > 1:
        reader.report(
            location,
            field,
            f"one list item contains {len(item)} labels: {', '.join(item)}",
            "write each label as its own item, such as `- method: enum[GET, POST]`",
        )
        return None
    if _is_short_form(item):
        ((name, notation),) = item.items()
        return _short_label(reader, name, notation, item.value_locations[name], field)
    return _long_label(reader, item, field)


def _is_short_form(item: YamlMap) -> bool:
    """Tell `- name: type` from the long form; `- name: string` is a label called name."""
    if len(item) != 1:
        return False
    ((key, notation),) = item.items()
    if key != "name":
        return True
    match = _SHORT_LABEL.match(notation.strip()) if isinstance(notation, str) else None
    return match is not None and match.group("type") in schema.LABEL_TYPES


def _short_label(
    reader: Reader, name: str, notation: Any, location: Location, field: str
) -> Label | None:
    match = _SHORT_LABEL.match(notation.strip()) if isinstance(notation, str) else None
    kind = match.group("type") if match else None
    if match is None or kind not in schema.LABEL_TYPES:
        reader.report(
            location,
            join(field, name),
            f"invalid label type {notation!r}",
            _LABEL_FORMS,
        )
        return None
    values = match.group("values")
    if (kind == "enum") != (values is not None):
        fix = (
            "list the values: enum[a, b, c]"
            if kind == "enum"
            else f"write `{kind}` without brackets"
        )
        reader.report(
            location, join(field, name), f"invalid label type {notation!r}", fix
        )
        return None
    enum_values = (
        tuple(_unquote(v) for v in values.split(",")) if values is not None else ()
    )
    if kind == "enum" and not _check_values(
        reader, enum_values, location, join(field, name)
    ):
        return None
    description = (match.group("text") or "").strip()
    return Label(name, LabelKind(kind), enum_values, description, location)


def _long_label(reader: Reader, item: YamlMap, field: str) -> Label | None:
    before = len(reader.diagnostics)
    reader.check_keys(item, schema.LABEL, field)
    read_acknowledgements(reader, item, schema.LABEL, field)
    name = reader.text(item, "name", schema.LABEL, field)
    kind = reader.text(item, "type", schema.LABEL, field) or (
        "enum" if "values" in item else "string"
    )
    values = _long_values(reader, item, field)
    if kind == "enum" and not values and len(reader.diagnostics) == before:
        reader.report(
            where(item, "type"),
            join(field, "type"),
            "an enum label needs its values",
            "add `values: [a, b, c]`",
        )
    elif kind != "enum" and "values" in item:
        reader.report(
            where(item, "values"),
            join(field, "values"),
            f"a {kind} label has no list of values",
            "remove values, or set type: enum",
        )
    if len(reader.diagnostics) > before:
        return None
    description = reader.text(item, "description", schema.LABEL, field)
    bound = _max_values(reader, item, kind, field)
    return Label(name, LabelKind(kind), values, description, item.location, bound)


def _max_values(reader: Reader, item: YamlMap, kind: str, field: str) -> int | None:
    bound = reader.value(item, "max_values", schema.LABEL, field)
    if bound is None:
        return None
    if kind == "enum" or bound < 1:
        reader.report(
            where(item, "max_values"),
            join(field, "max_values"),
            f"invalid max_values {bound} on a{'n' if kind == 'enum' else ''} {kind} label",
            "remove max_values: the lint counts an enum label's values"
            if kind == "enum"
            else "write the maximum number of values, 1 or more",
        )
        return None
    return int(bound)


def _long_values(reader: Reader, item: YamlMap, field: str) -> tuple[str, ...]:
    items = reader.value(item, "values", schema.LABEL, field)
    if items is None:
        return ()
    values: list[str] = []
    for index, value in enumerate(items):
        if isinstance(value, bool) or not isinstance(value, str | int):
            reader.report(
                items.item_locations[index],
                f"{join(field, 'values')}[{index}]",
                f"invalid label value {value!r}",
                'quote the value, such as "yes"',
            )
            return ()
        values.append(str(value))
    ok = _check_values(
        reader, tuple(values), where(item, "values"), join(field, "values")
    )
    return tuple(values) if ok else ()


def _check_values(
    reader: Reader, values: tuple[str, ...], location: Location, field: str
) -> bool:
    if not values or any(not value for value in values):
        reader.report(
            location,
            field,
            "an enum value is empty",
            "list non-empty values: enum[a, b, c]",
        )
        return False
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        reader.report(
            location,
            field,
            f"repeated enum value {repeated[0]!r}",
            "list each value once",
        )
        return False
    return True


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value
