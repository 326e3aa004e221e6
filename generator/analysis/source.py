"""Expressions as the lint reads them: where each one is, and where each character is.

An expression's text differs from the file: YAML strips quotes and block
indentation, and Grafana variables are replaced before parsing. Each
expression keeps enough to map an offset back to a line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from promspec.model import Dashboard, Group, Location, Shape, Spec

_NOWHERE = Location("", 0, 0)

# Grafana replaces these variables before a query reaches Prometheus. A range
# variable becomes a long duration, which no range check reports; `_s` and
# `_ms` forms become numbers.
_GRAFANA_VARIABLE = re.compile(r"\$\{?(__[a-z_]+?)(_ms|_s)?\}?(?![a-zA-Z0-9_])")
_REPLACEMENTS = {"": "1y", "_s": "300", "_ms": "300000"}
VARIABLE_RANGE_SECONDS = 365 * 86400


@dataclass(frozen=True)
class Expression:
    """One PromQL expression of a spec, with what the lint needs to report on it."""

    text: str  # as the parser reads it: Grafana variables replaced
    original: str  # as the spec writes it
    field: str
    location: Location
    source: str  # the YAML scalar as written, from location on
    kind: str  # "rule", "alert" or "panel"
    group: str
    # Each replaced variable: its start and end in text, its start in
    # original, and how far original runs ahead of text after it.
    shifts: tuple[tuple[int, int, int, int], ...] = ()
    legend: str = ""  # a panel query's legend format, such as {{method}}
    legend_location: Location | None = None

    def locate(self, offset: int) -> Location:
        """Return the file position of the character at offset in text."""
        return source_location(
            self.original, self.source, self.location, self.original_offset(offset)
        )

    def original_offset(self, offset: int) -> int:
        """Map an offset in text to the same character in original."""
        delta = 0
        for text_start, text_end, original_start, delta_after in self.shifts:
            if text_start <= offset < text_end:
                return original_start
            if offset >= text_end:
                delta = delta_after
        return offset + delta


def source_location(value: str, source: str, start: Location, offset: int) -> Location:
    """Return the file position of value[offset], where value was read from source.

    YAML drops quotes, escapes and indentation, so each non-blank character of
    value is matched to the next equal character of source.
    """
    line, column, index = start.line, start.column, 0
    found = (line, column)
    for char in value[: offset + 1]:
        if char.isspace():
            continue
        while index < len(source) and source[index] != char:
            line, column = _advance(source[index], line, column)
            index += 1
        found = (line, column)
        if index < len(source):
            line, column = _advance(source[index], line, column)
            index += 1
    if offset >= len(value.rstrip()):
        found = (line, column) if index else found
    return Location(start.file, *found)


def _advance(char: str, line: int, column: int) -> tuple[int, int]:
    return (line + 1, 1) if char == "\n" else (line, column + 1)


def substitute_variables(
    query: str,
) -> tuple[str, tuple[tuple[int, int, int, int], ...]]:
    """Replace Grafana's variables; return the text and the shifts they cause."""
    parts, shifts = [], []
    last = delta = 0
    for match in _GRAFANA_VARIABLE.finditer(query):
        replacement = _REPLACEMENTS[match.group(2) or ""]
        parts += [query[last : match.start()], replacement]
        text_start = match.start() - delta
        delta += len(match.group()) - len(replacement)
        shifts.append((text_start, text_start + len(replacement), match.start(), delta))
        last = match.end()
    parts.append(query[last:])
    return "".join(parts), tuple(shifts)


def expressions(spec: Spec) -> Iterator[Expression]:
    """Yield every expression of the spec: recording rules, alerts, panel queries."""
    for group in spec.groups:
        yield from _rule_expressions(group)
        yield from _panel_expressions(group.dashboard, group.name)
    yield from _panel_expressions(spec.slo_dashboard, "")


def _rule_expressions(group: Group) -> Iterator[Expression]:
    for index, rule in enumerate(group.recording_rules):
        yield Expression(
            rule.expr,
            rule.expr,
            f"{group.item_field('recording_rules', index)}.{expr_key(rule.shape)}",
            rule.expr_location or _NOWHERE,
            rule.expr_source,
            "rule",
            group.name,
        )
    for index, alert in enumerate(group.alerts):
        yield Expression(
            alert.expr,
            alert.expr,
            f"{group.item_field('alerts', index)}.{expr_key(alert.shape)}",
            alert.expr_location or _NOWHERE,
            alert.expr_source,
            "alert",
            group.name,
        )


def expr_key(shape: Shape | None) -> str:
    """Name the field an expression comes from: `expr`, or the shape it expands."""
    return shape.kind.value if shape else "expr"


def _panel_expressions(dashboard: Dashboard | None, group: str) -> Iterator[Expression]:
    panels = dashboard.panels if dashboard else ()
    for panel in panels:
        for query in panel.queries:
            text, shifts = substitute_variables(query.expr)
            yield Expression(
                text,
                query.expr,
                query.field_path,
                query.location or _NOWHERE,
                query.source,
                "panel",
                group,
                shifts,
                query.legend,
                query.legend_location,
            )
