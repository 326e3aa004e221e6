"""PromQL parsing through promql-parser, a port of Prometheus' own parser."""

from __future__ import annotations

import re

import promql_parser

# Grafana replaces these variables before a query reaches Prometheus; the
# parser gets a value of the same kind in their place.
_GRAFANA_VARIABLE = re.compile(r"\$\{?(__[a-z_]+?)(_ms|_s)?\}?(?![a-zA-Z0-9_])")
_VARIABLE_VALUES = {"": "5m", "_s": "300", "_ms": "300000"}


class PromQLSyntaxError(ValueError):
    """The expression is not valid PromQL; the message is the parser's."""


def parse(expr: str) -> promql_parser.Expr:
    try:
        return promql_parser.parse(expr)
    except (ValueError, RuntimeError) as error:
        raise PromQLSyntaxError(str(error) or "invalid PromQL") from None


def parse_panel_query(expr: str) -> promql_parser.Expr:
    """Parse a Grafana panel query, with its built-in variables replaced first."""
    return parse(
        _GRAFANA_VARIABLE.sub(
            lambda match: _VARIABLE_VALUES[match.group(2) or ""], expr
        )
    )


def metric_names(expr: promql_parser.Expr) -> list[str]:
    """Return the metric name of every vector selector, in order of appearance."""
    return [name for _, name in _named_selectors(expr)]


def selector_keys(expr: promql_parser.Expr) -> list[str]:
    """Return the metric name of every vector selector, with the sloth_id it fixes.

    The rules of several SLOs share names and differ in sloth_id, so a
    selector that fixes it gives `name{sloth_id="..."}`.
    """
    keys = []
    for selector, name in _named_selectors(expr):
        slo = _equal_value(selector, "sloth_id")
        keys.append(f'{name}{{sloth_id="{slo}"}}' if slo else name)
    return keys


def _named_selectors(
    expr: promql_parser.Expr,
) -> list[tuple[promql_parser.VectorSelector, str]]:
    """Return every vector selector that names a metric, with that name."""
    found: list[tuple[promql_parser.VectorSelector, str]] = []

    def visit(node: promql_parser.Expr) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            name = node.name or _equal_value(node, "__name__")
            if name:
                found.append((node, name))
        return True

    promql_parser.walk(expr, visit)
    return found


def _equal_value(selector: promql_parser.VectorSelector, label: str) -> str | None:
    """Return the value that an equality matcher of the selector gives the label."""
    for matcher in selector.matchers.matchers:
        if matcher.name == label and matcher.op == promql_parser.MatchOp.Equal:
            return str(matcher.value)
    return None
