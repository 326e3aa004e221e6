"""Validate the declarative shapes of recording rules and alerts."""

from __future__ import annotations

import re
from typing import Any

from promspec import names, schema
from promspec.loader import YamlList, YamlMap
from promspec.model import Matcher, Selector, Shape, ShapeKind
from promspec.reader import Reader, describe, join, where

SELECTOR = re.compile(
    r"^\s*(?P<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{(?P<matchers>.*)\})?\s*$"
)
MATCHER = re.compile(
    r'^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$'
)
_DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
SELECTOR_FIX = (
    "write a metric name with label matchers, such as "
    'x_total{outcome="error"} or x_total{status_code=~"5.."}'
)


def shape_key(reader: Reader, node: YamlMap, keys: tuple[str, ...], field: str) -> str:
    """Return the one shape or `expr` key the node uses; report none or several."""
    present = [key for key in ("expr", *keys) if key in node]
    if len(present) == 1:
        return present[0]
    if not present:
        reader.report(
            node.location,
            field,
            "missing the expression",
            f"add `expr:` or one shape: {', '.join(keys)}",
        )
    else:
        reader.report(
            where(node, present[1]),
            join(field, present[1]),
            f"{' and '.join(present)} are both given",
            "keep one of them",
        )
    return ""


PANEL_WINDOW = "$__rate_interval"
_NEEDS_WINDOW = ("rate", "average", "quantile")


def read_shape(
    reader: Reader, node: YamlMap, kind: str, field: str, default_window: str = ""
) -> Shape | None:
    """Validate the mapping under a shape key and build the shape, or report why not.

    A panel passes Grafana's `$__rate_interval` as the default window, and may
    write it as the window of a ratio of counters.
    """
    table = schema.SHAPE_TABLES[kind]
    body = reader.value(node, kind, {kind: schema.Field(kind, "mapping", "")}, field)
    if body is None:
        return None
    field = join(field, kind)
    before = len(reader.diagnostics)
    reader.check_keys(body, table, field)
    by = _read_by(reader, body, table, field)
    window = _read_window(reader, body, table, field, default_window)
    if kind in _NEEDS_WINDOW and "window" not in body:
        window = default_window
        if not default_window:
            reader.report(
                body.location,
                field,
                'missing required key "window"',
                "add `window:` (the range of the rate, such as 5m)",
            )
    shape = _SHAPE_READERS[kind](reader, body, field, by, window)
    return shape if len(reader.diagnostics) == before else None


def _read_by(
    reader: Reader, body: YamlMap, table: dict[str, schema.Field], field: str
) -> tuple[str, ...]:
    items = reader.value(body, "by", table, field) or YamlList(body.location)
    labels = []
    for index, item in enumerate(items):
        if not isinstance(item, str) or not names.LABEL_NAME.match(item):
            reader.report(
                items.item_locations[index],
                f"{join(field, 'by')}[{index}]",
                f"invalid label name {item!r}",
                "write label names, such as [job, method]",
            )
        else:
            labels.append(item)
    return tuple(labels)


def _read_window(
    reader: Reader,
    body: YamlMap,
    table: dict[str, schema.Field],
    field: str,
    default_window: str,
) -> str:
    window = reader.text(body, "window", table, field)
    if default_window and window == PANEL_WINDOW:
        return window
    if window and not _DURATION.match(window):
        reader.report(
            where(body, "window"),
            join(field, "window"),
            f"invalid duration {window!r}",
            "write a Prometheus duration, such as 5m or 1h"
            + (f", or {default_window}" if default_window else ""),
        )
        return ""
    return window


def read_selector(
    reader: Reader, body: YamlMap, key: str, value: Any, field: str, location: Any
) -> Selector | None:
    if not isinstance(value, str):
        reader.report(
            location,
            field,
            f"expected a selector, found {describe(value)}",
            SELECTOR_FIX,
        )
        return None
    match = SELECTOR.match(value)
    if match is None:
        reader.report(location, field, f"invalid selector {value!r}", SELECTOR_FIX)
        return None
    matchers = []
    for part in filter(str.strip, split_matchers(match.group("matchers") or "")):
        pair = MATCHER.match(part)
        if pair is None:
            reader.report(
                location, field, f"invalid matcher {part.strip()!r}", SELECTOR_FIX
            )
            return None
        matcher = _matcher(reader, pair, field, location)
        if matcher is None:
            return None
        matchers.append(matcher)
    return Selector(match.group("metric"), tuple(sorted(matchers)))


def split_matchers(text: str) -> list[str]:
    """Split the text between a selector's braces at the commas outside quotes."""
    parts, current, quoted, escaped = [], "", False, False
    for char in text:
        if char == "," and not quoted:
            parts.append(current)
            current = ""
            continue
        current += char
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = quoted
        elif char == '"':
            quoted = not quoted
    return [*parts, current]


def _matcher(
    reader: Reader, pair: re.Match[str], field: str, location: Any
) -> Matcher | None:
    """Build a matcher; a regular expression must compile."""
    name, op, text = pair.groups()
    value = re.sub(r"\\(.)", r"\1", text)
    if op in ("=~", "!~"):
        try:
            re.compile(value)
        except re.error as error:
            reader.report(
                location,
                field,
                f"invalid regular expression {value!r} for {name}: {error}",
                'write an RE2 expression, such as "5.." or "GET|POST"',
            )
            return None
    return Matcher(name, value, op)


def _selectors(
    reader: Reader, body: YamlMap, key: str, field: str
) -> tuple[Selector, ...]:
    """Read a selector or a list of selectors under key."""
    value = body.get(key)
    if value is None:
        return ()
    if isinstance(value, YamlList):
        found = [
            read_selector(
                reader,
                body,
                key,
                item,
                f"{join(field, key)}[{index}]",
                value.item_locations[index],
            )
            for index, item in enumerate(value)
        ]
    else:
        found = [
            read_selector(reader, body, key, value, join(field, key), where(body, key))
        ]
    return tuple(selector for selector in found if selector is not None)


def _metric(reader: Reader, body: YamlMap, field: str) -> tuple[Selector, ...]:
    return _selectors(reader, body, "metric", field) if "metric" in body else ()


def _rate(
    reader: Reader, body: YamlMap, field: str, by: tuple[str, ...], window: str
) -> Shape:
    return Shape(ShapeKind.RATE, _metric(reader, body, field), by=by, window=window)


def _ratio(
    reader: Reader, body: YamlMap, field: str, by: tuple[str, ...], window: str
) -> Shape:
    numerator = _selectors(reader, body, "numerator", field)
    denominator = _selectors(reader, body, "denominator", field)
    if numerator and numerator == denominator:
        reader.report(
            where(body, "denominator"),
            join(field, "denominator"),
            "the denominator is the numerator, so the ratio is always 1",
            "divide by the total, such as the counter without the numerator's matchers",
        )
    return Shape(ShapeKind.RATIO, numerator, denominator, by, window)


def _average(
    reader: Reader, body: YamlMap, field: str, by: tuple[str, ...], window: str
) -> Shape:
    return Shape(ShapeKind.AVERAGE, _metric(reader, body, field), by=by, window=window)


def _quantile(
    reader: Reader, body: YamlMap, field: str, by: tuple[str, ...], window: str
) -> Shape:
    quantile = reader.value(body, "quantile", schema.QUANTILE, field)
    if quantile is not None and not 0 < quantile < 1:
        reader.report(
            where(body, "quantile"),
            join(field, "quantile"),
            f"quantile {quantile} is outside (0, 1)",
            "write a fraction, such as 0.95 for the 95th percentile",
        )
    if "le" in by:
        reader.report(
            where(body, "by"),
            join(field, "by"),
            "le is in by",
            "remove it: the quantile keeps le by itself",
        )
    return Shape(
        ShapeKind.QUANTILE,
        _metric(reader, body, field),
        by=by,
        window=window,
        quantile=float(quantile or 0),
    )


def _max(
    reader: Reader, body: YamlMap, field: str, by: tuple[str, ...], window: str
) -> Shape:
    return Shape(ShapeKind.MAX, _metric(reader, body, field), by=by, window=window)


def _sum(
    reader: Reader, body: YamlMap, field: str, by: tuple[str, ...], window: str
) -> Shape:
    return Shape(ShapeKind.SUM, _metric(reader, body, field), by=by)


def _threshold(
    reader: Reader, body: YamlMap, field: str, by: tuple[str, ...], window: str
) -> Shape:
    bounds = [key for key in ("above", "below") if key in body]
    if len(bounds) != 1:
        reader.report(
            body.location,
            field,
            "a threshold needs exactly one of above and below",
            "write `above: NUMBER` or `below: NUMBER`",
        )
        return Shape(ShapeKind.THRESHOLD, ())
    value = reader.value(body, bounds[0], schema.THRESHOLD, field)
    operator = ">" if bounds[0] == "above" else "<"
    return Shape(
        ShapeKind.THRESHOLD,
        _metric(reader, body, field),
        operator=operator,
        value=float(value or 0),
    )


def _absent(
    reader: Reader, body: YamlMap, field: str, by: tuple[str, ...], window: str
) -> Shape:
    return Shape(ShapeKind.ABSENT, _metric(reader, body, field))


_SHAPE_READERS = {
    "absent": _absent,
    "rate": _rate,
    "ratio": _ratio,
    "average": _average,
    "quantile": _quantile,
    "max": _max,
    "sum": _sum,
    "threshold": _threshold,
}
