"""Validate a group's recording rules and alerts and build their model."""

from __future__ import annotations

import json
import re
from typing import Any

from promspec import names, schema
from promspec.build_lint import read_acknowledgements
from promspec.build_shapes import read_shape, shape_key
from promspec.loader import YamlList, YamlMap
from promspec.model import Alert, Location, RecordingRule, Shape
from promspec.reader import Reader, describe, join, where

DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
ALERT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def read_recording_rules(
    reader: Reader, items: YamlList, field: str
) -> list[RecordingRule]:
    rules = []
    for index, item in enumerate(items):
        item_field = f"{field}[{index}]"
        node = reader.mapping(item, items.item_locations[index], item_field)
        rule = (
            read_recording_rule(reader, node, item_field) if node is not None else None
        )
        if rule is not None:
            rules.append(rule)
    return rules


def read_recording_rule(
    reader: Reader, node: YamlMap, field: str
) -> RecordingRule | None:
    before = len(reader.diagnostics)
    reader.check_keys(node, schema.RECORDING_RULE, field)
    read_acknowledgements(reader, node, schema.RECORDING_RULE, field)
    record = reader.text(node, "record", schema.RECORDING_RULE, field)
    if record and not names.RECORD_NAME.match(record):
        reader.report(
            where(node, "record"),
            join(field, "record"),
            f'invalid recording rule name "{record}"',
            "use letters, digits, _ and :, as level:metric:operations",
        )
    expr, shape = read_expr_or_shape(
        reader, node, schema.RECORDING_RULE, schema.RULE_SHAPES, field
    )
    description = reader.text(node, "description", schema.RECORDING_RULE, field)
    labels = read_label_map(reader, node, schema.RECORDING_RULE, field)
    if len(reader.diagnostics) > before:
        return None
    return RecordingRule(
        record,
        expr,
        description,
        labels,
        where(node, "record"),
        where(node, shape.kind.value if shape else "expr"),
        node.value_sources.get("expr", ""),
        shape,
    )


def read_alerts(
    reader: Reader, items: YamlList, base_url: str, field: str
) -> list[Alert]:
    alerts = []
    for index, item in enumerate(items):
        item_field = f"{field}[{index}]"
        node = reader.mapping(item, items.item_locations[index], item_field)
        alert = (
            read_alert(reader, node, base_url, item_field) if node is not None else None
        )
        if alert is not None:
            alerts.append(alert)
    return alerts


def read_alert(
    reader: Reader, node: YamlMap, base_url: str, field: str
) -> Alert | None:
    before = len(reader.diagnostics)
    reader.check_keys(node, schema.ALERT, field)
    read_acknowledgements(reader, node, schema.ALERT, field)
    name = read_alert_name(reader, node, field)
    expr, shape = read_expr_or_shape(
        reader, node, schema.ALERT, schema.ALERT_SHAPES, field
    )
    for_ = read_duration(reader, node, "for", field)
    severity = reader.text(node, "severity", schema.ALERT, field)
    summary = read_annotation(reader, node, "summary", field)
    description = read_annotation(reader, node, "description", field)
    impact = reader.text(node, "impact", schema.ALERT, field)
    mitigation = reader.text(node, "mitigation", schema.ALERT, field)
    runbook_url = read_runbook_url(reader, node, name, base_url, field)
    labels = read_label_map(reader, node, schema.ALERT, field)
    cases = read_cases(reader, node, field)
    if "severity" in dict(labels):
        reader.report(
            where(node, "labels"),
            join(field, "labels.severity"),
            "severity is set twice",
            "remove it from labels and keep `severity:`",
        )
    if len(reader.diagnostics) > before:
        return None
    return Alert(
        name,
        expr,
        severity,
        summary,
        description,
        runbook_url,
        for_,
        labels,
        where(node, "alert"),
        where(node, shape.kind.value if shape else "expr"),
        node.value_sources.get("expr", ""),
        tuple(
            (key, where(node, key))
            for key in ("summary", "description", "runbook_url")
            if key in node
        ),
        impact,
        mitigation,
        shape,
        cases,
    )


def read_cases(reader: Reader, node: YamlMap, field: str) -> tuple[str, ...]:
    """Read the author's promtool test groups; promtool checks what lies inside them."""
    items = reader.value(node, "tests", schema.ALERT, field)
    cases = []
    for index, item in enumerate(items or []):
        item_field = f"{join(field, 'tests')}[{index}]"
        case = reader.mapping(item, items.item_locations[index], item_field)
        if case is not None:
            reader.check_keys(case, schema.TEST_CASE, item_field)
            # promtool puts every sample at time 0 when a group has no interval.
            cases.append(json.dumps({"interval": "1m", **plain(case)}))
    return tuple(cases)


def plain(value: Any) -> Any:
    """Return parsed YAML as plain dicts and lists, for serialising."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def read_alert_name(reader: Reader, node: YamlMap, field: str) -> str:
    name = reader.text(node, "alert", schema.ALERT, field)
    if name and not ALERT_NAME.match(name):
        fixed = "".join(
            word.capitalize() for word in re.split(r"[^A-Za-z0-9]+", name) if word
        )
        reader.report(
            where(node, "alert"),
            join(field, "alert"),
            f'invalid alert name "{name}"',
            f'use letters and digits in CamelCase, such as "{fixed or "HighErrorRate"}"',
        )
    return name


def read_annotation(reader: Reader, node: YamlMap, key: str, field: str) -> str:
    text = reader.text(node, key, schema.ALERT, field)
    if key in node and isinstance(node[key], str) and not text:
        reader.report(
            where(node, key),
            join(field, key),
            f"the {key} is empty",
            "say what is wrong and for whom; {{ $labels.job }} and {{ $value }} may be used",
        )
    return text


def read_runbook_url(
    reader: Reader, node: YamlMap, name: str, base_url: str, field: str
) -> str:
    url = reader.text(node, "runbook_url", schema.ALERT, field)
    if url or "runbook_url" in node:
        return url
    if base_url:
        # The alert's page in docs/NAMESPACE/runbooks/, published at base_url.
        return f"{base_url.rstrip('/')}/{name}.md"
    reader.report(
        node.location,
        field,
        "the alert has no runbook_url",
        "add `runbook_url:` to the alert, or `runbook_base_url:` at the top of the spec",
    )
    return ""


def read_expr_or_shape(
    reader: Reader,
    node: YamlMap,
    table: dict[str, schema.Field],
    shapes: tuple[str, ...],
    field: str,
) -> tuple[str, Shape | None]:
    """Read `expr`, or a shape and expand it; return the expression and the shape."""
    from promspec.shapes import expand

    key = shape_key(reader, node, shapes, field)
    if key == "expr":
        return read_expr(reader, node, table, field), None
    shape = read_shape(reader, node, key, field) if key else None
    return (expand(shape), shape) if shape else ("", None)


def read_expr(
    reader: Reader, node: YamlMap, table: dict[str, schema.Field], field: str
) -> str:
    expr = reader.text(node, "expr", table, field)
    if "expr" in node and isinstance(node["expr"], str) and not expr:
        reader.report(
            where(node, "expr"),
            join(field, "expr"),
            "the expression is empty",
            "write a PromQL expression",
        )
    return expr


def read_duration(reader: Reader, node: YamlMap, key: str, field: str) -> str:
    value: Any = node.get(key)
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and value == 0:
        return "0s"
    if not isinstance(value, str) or not DURATION.match(value):
        reader.report(
            where(node, key),
            join(field, key),
            f"invalid duration {value!r}",
            "write a Prometheus duration, such as 30s, 5m or 1h30m",
        )
        return ""
    return value


def read_label_map(
    reader: Reader, node: YamlMap, table: dict[str, schema.Field], field: str
) -> tuple[tuple[str, str], ...]:
    """Return `labels:` as sorted (name, value) pairs; values must be text."""
    labels = reader.value(node, "labels", table, field)
    if labels is None:
        return ()
    pairs = []
    for name, value in labels.items():
        pairs.append(
            (name, _label_value(reader, labels, name, value, join(field, "labels")))
        )
    return tuple(sorted(pairs))


def _label_value(
    reader: Reader, labels: YamlMap, name: str, value: Any, field: str
) -> str:
    location: Location = labels.key_locations[name]
    if not names.LABEL_NAME.match(name) or name.startswith("__"):
        reader.report(
            location,
            join(field, name),
            f'invalid label name "{name}"',
            f'use letters, digits and _, such as "{names.suggest_name(name)}"',
        )
    if not isinstance(value, str):
        reader.report(
            labels.value_locations[name],
            join(field, name),
            f"expected text, found {describe(value)}",
            'write one text value; quote a number or boolean, such as "true"',
        )
        return ""
    return value
