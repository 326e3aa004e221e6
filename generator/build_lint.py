"""Validate the spec fields that steer the lint: acknowledgements, scrape interval, budget."""

from __future__ import annotations

import re

from promspec import schema
from promspec.loader import YamlMap
from promspec.model import Acknowledgement, CardinalityBudget
from promspec.reader import Reader, join, where

_DURATION_PART = re.compile(r"([0-9]+)(ms|s|m|h|d|w|y)")
_SECONDS = {
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 604800,
    "y": 31536000,
}


def read_acknowledgements(
    reader: Reader, node: YamlMap, table: dict[str, schema.Field], field: str
) -> None:
    """Collect the `acknowledge:` list of node into reader.acknowledgements."""
    items = reader.value(node, "acknowledge", table, field)
    if items is None:
        return
    for index, item in enumerate(items):
        item_field = f"{join(field, 'acknowledge')}[{index}]"
        entry = reader.mapping(item, items.item_locations[index], item_field)
        if entry is not None:
            _read_entry(reader, entry, field, item_field)


def _read_entry(reader: Reader, entry: YamlMap, owner: str, field: str) -> None:
    before = len(reader.diagnostics)
    reader.check_keys(entry, schema.ACKNOWLEDGEMENT, field)
    check = reader.text(entry, "check", schema.ACKNOWLEDGEMENT, field)
    reason = reader.text(entry, "reason", schema.ACKNOWLEDGEMENT, field)
    if isinstance(entry.get("reason"), str) and not reason:
        reader.report(
            where(entry, "reason"),
            join(field, "reason"),
            "the reason is empty",
            "say why the finding is acceptable here, for the next reader of the spec",
        )
    if len(reader.diagnostics) == before:
        reader.acknowledgements.append(
            Acknowledgement(check, reason, owner, entry.location)
        )


def read_scrape_interval(reader: Reader, node: YamlMap) -> float | None:
    """Return the scrape interval in seconds, or None when the spec gives none."""
    text = reader.text(node, "scrape_interval", schema.SPEC, "")
    if not text:
        return None
    seconds = duration_seconds(text)
    if not seconds:
        reader.report(
            where(node, "scrape_interval"),
            "scrape_interval",
            f'invalid scrape interval "{text}"',
            "write a Prometheus duration above zero, such as 15s or 1m",
        )
        return None
    return seconds


def duration_seconds(text: str) -> float | None:
    """Return a Prometheus duration such as 1m30s in seconds, or None if invalid."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(int(number) * _SECONDS[unit] for number, unit in parts)


def read_budget(reader: Reader, node: YamlMap) -> CardinalityBudget:
    budget_node = reader.value(node, "cardinality", schema.SPEC, "")
    if budget_node is None:
        return CardinalityBudget()
    reader.check_keys(budget_node, schema.CARDINALITY, "cardinality")
    limits = [
        _positive(reader, budget_node, key)
        for key in ("max_series", "max_series_per_metric")
    ]
    return CardinalityBudget(limits[0], limits[1], budget_node.location)


def _positive(reader: Reader, node: YamlMap, key: str) -> int | None:
    value = reader.value(node, key, schema.CARDINALITY, "cardinality")
    if value is not None and value < 1:
        reader.report(
            where(node, key),
            join("cardinality", key),
            f"invalid {key} {value}",
            "write a whole number of series above zero",
        )
        return None
    return int(value) if value is not None else None
