"""Validate a group's dashboard and build its model."""

from __future__ import annotations

import re

from promspec import schema
from promspec.build_lint import read_acknowledgements
from promspec.loader import YamlList, YamlMap
from promspec.model import Dashboard, Panel, PanelType, Query
from promspec.reader import Reader, did_you_mean, join, where

UID = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")
GRID_COLUMNS = 24
# Unit words that spec authors write, and the Grafana unit id each one means.
UNIT_ALIASES = {
    "seconds": "s",
    "second": "s",
    "milliseconds": "ms",
    "byte": "bytes",
    "ratio": "percentunit",
    "percentage": "percent",
    "count": "short",
    "requests_per_second": "reqps",
    "per_second": "ops",
}
MAX_HEIGHT = 100


def read_dashboard(
    reader: Reader, node: YamlMap, default_uid: str, field: str
) -> Dashboard | None:
    before = len(reader.diagnostics)
    reader.check_keys(node, schema.DASHBOARD, field)
    read_acknowledgements(reader, node, schema.DASHBOARD, field)
    title = reader.text(node, "title", schema.DASHBOARD, field)
    uid = read_uid(reader, node, default_uid, field)
    tags = read_tags(reader, node, field)
    items = reader.value(node, "panels", schema.DASHBOARD, field)
    panels = (
        read_panels(reader, items, join(field, "panels")) if items is not None else []
    )
    if len(reader.diagnostics) > before:
        return None
    return Dashboard(title, uid, tuple(panels), tags, node.location)


def read_uid(reader: Reader, node: YamlMap, default_uid: str, field: str) -> str:
    uid = reader.text(node, "uid", schema.DASHBOARD, field) or default_uid
    if not UID.match(uid):
        short = re.sub(r"[^a-zA-Z0-9_-]", "-", uid)[:40]
        reader.report(
            where(node, "uid"),
            join(field, "uid"),
            f'invalid dashboard uid "{uid}"',
            f'set `uid:` to at most 40 letters, digits, - and _, such as "{short}"',
        )
    return uid


def read_tags(reader: Reader, node: YamlMap, field: str) -> tuple[str, ...]:
    items = reader.value(node, "tags", schema.DASHBOARD, field)
    if items is None:
        return ()
    for index, tag in enumerate(items):
        if not isinstance(tag, str) or not tag:
            reader.report(
                items.item_locations[index],
                f"{join(field, 'tags')}[{index}]",
                f"invalid tag {tag!r}",
                "write each tag as text",
            )
    return tuple(tag for tag in items if isinstance(tag, str))


def read_panels(reader: Reader, items: YamlList, field: str) -> list[Panel]:
    panels = []
    for index, item in enumerate(items):
        item_field = f"{field}[{index}]"
        node = reader.mapping(item, items.item_locations[index], item_field)
        panel = read_panel(reader, node, item_field) if node is not None else None
        if panel is not None:
            panels.append(panel)
    return panels


def read_panel(reader: Reader, node: YamlMap, field: str) -> Panel | None:
    before = len(reader.diagnostics)
    reader.check_keys(node, schema.PANEL, field)
    read_acknowledgements(reader, node, schema.PANEL, field)
    title = reader.text(node, "title", schema.PANEL, field)
    panel_type = reader.text(node, "type", schema.PANEL, field) or "timeseries"
    unit = read_unit(reader, node, field)
    queries = read_queries(reader, node, field)
    width = read_size(reader, node, "width", 12, GRID_COLUMNS, field)
    height = read_size(reader, node, "height", 8, MAX_HEIGHT, field)
    description = reader.text(node, "description", schema.PANEL, field)
    if len(reader.diagnostics) > before:
        return None
    return Panel(
        title,
        PanelType(panel_type),
        unit,
        queries,
        description,
        width,
        height,
        node.location,
        field_path=field,
    )


def read_unit(reader: Reader, node: YamlMap, field: str) -> str:
    unit = reader.text(node, "unit", schema.PANEL, field)
    if unit and unit not in schema.GRAFANA_UNITS:
        alias = UNIT_ALIASES.get(unit.lower())
        fix = (
            f'write "{alias}", the Grafana unit id for {unit}'
            if alias
            else did_you_mean(unit, schema.GRAFANA_UNITS, "units")
        )
        reader.report(
            where(node, "unit"),
            join(field, "unit"),
            f'unknown Grafana unit "{unit}"',
            fix,
        )
    return unit


def read_queries(reader: Reader, node: YamlMap, field: str) -> tuple[Query, ...]:
    shapes = [key for key in schema.RULE_SHAPES if key in node]
    if shapes and "query" not in node and "queries" not in node:
        return _shape_query(reader, node, shapes, field)
    if ("query" in node) == ("queries" in node):
        both = "query" in node
        reader.report(
            node.location,
            field,
            "a panel has both query and queries"
            if both
            else "a panel needs query or queries",
            "write `query:` for one expression, or `queries:` with a list of query and legend",
        )
        return ()
    if "query" in node:
        expr = reader.text(node, "query", schema.PANEL, field)
        legend = reader.text(node, "legend", schema.PANEL, field)
        return (
            (
                Query(
                    expr,
                    legend,
                    where(node, "query"),
                    join(field, "query"),
                    node.value_sources.get("query", ""),
                    where(node, "legend"),
                ),
            )
            if expr
            else _empty(reader, node, field)
        )
    if "legend" in node:
        reader.report(
            where(node, "legend"),
            join(field, "legend"),
            "legend goes with query",
            "move the legend into each item of queries",
        )
    items = reader.value(node, "queries", schema.PANEL, field)
    return (
        _query_list(reader, items, join(field, "queries")) if items is not None else ()
    )


def _shape_query(
    reader: Reader, node: YamlMap, shapes: list[str], field: str
) -> tuple[Query, ...]:
    """Expand the panel's one shape into its query, with $__rate_interval as window."""
    from promspec.build_shapes import PANEL_WINDOW, read_shape
    from promspec.shapes import expand

    if len(shapes) > 1:
        reader.report(
            where(node, shapes[1]),
            join(field, shapes[1]),
            f"{' and '.join(shapes)} are both given",
            "keep one of them",
        )
        return ()
    shape = read_shape(reader, node, shapes[0], field, PANEL_WINDOW)
    if shape is None:
        return ()
    legend = reader.text(node, "legend", schema.PANEL, field)
    location = where(node, shapes[0])
    return (
        Query(
            expand(shape),
            legend,
            location,
            join(field, shapes[0]),
            "",
            where(node, "legend"),
        ),
    )


def _empty(reader: Reader, node: YamlMap, field: str) -> tuple[Query, ...]:
    if isinstance(node.get("query"), str):
        reader.report(
            where(node, "query"),
            join(field, "query"),
            "the query is empty",
            "write a PromQL expression",
        )
    return ()


def _query_list(reader: Reader, items: YamlList, field: str) -> tuple[Query, ...]:
    queries = []
    if not items:
        reader.report(
            items.location,
            field,
            "the list of queries is empty",
            "add at least one query",
        )
    for index, item in enumerate(items):
        item_field = f"{field}[{index}]"
        node = reader.mapping(item, items.item_locations[index], item_field)
        if node is None:
            continue
        reader.check_keys(node, schema.QUERY, item_field)
        expr = reader.text(node, "query", schema.QUERY, item_field)
        legend = reader.text(node, "legend", schema.QUERY, item_field)
        queries.append(
            Query(
                expr,
                legend,
                where(node, "query"),
                join(item_field, "query"),
                node.value_sources.get("query", ""),
                where(node, "legend"),
            )
        )
    return tuple(queries)


def read_size(
    reader: Reader, node: YamlMap, key: str, default: int, most: int, field: str
) -> int:
    value = reader.value(node, key, schema.PANEL, field)
    if value is None:
        return default
    if not 1 <= value <= most:
        reader.report(
            where(node, key),
            join(field, key),
            f"invalid {key} {value}",
            f"use a whole number from 1 to {most}",
        )
    return int(value)
