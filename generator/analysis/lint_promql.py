"""The PromQL checks, on every expression of recording rules, alerts and panels."""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

import promql_parser as pp
from promspec.analysis.catalog import finding
from promspec.analysis.evaluate import Evaluator
from promspec.analysis.series import UNKNOWN, Kind, SpecIndex, Value, static_label
from promspec.analysis.source import Expression, expressions
from promspec.analysis.tokens import error_offset, nth_position, tokenize
from promspec.checks import suggest_metric
from promspec.errors import Diagnostic
from promspec.model import Location
from promspec.promql import metric_names


@dataclass
class ExpressionLint:
    """Lints the expressions of one spec; keeps each alert's value for later checks."""

    index: SpecIndex
    findings: list[Diagnostic] = field(default_factory=list)
    alert_values: dict[str, Value] = field(default_factory=dict)  # by field path
    rule_values: dict[str, Value] = field(default_factory=dict)
    pending: set[str] = field(default_factory=set)

    @functools.cached_property
    def known_names(self) -> set[str]:
        """Every series name a query may select, built once for all expressions."""
        index = self.index
        return {*index.samples, *index.rules, *index.scrape_series}

    def run(self) -> list[Diagnostic]:
        for expression in expressions(self.index.spec):
            value = self.lint(expression)
            if expression.kind == "alert":
                self.alert_values[expression.field] = value
            if expression.legend and value.labels is not None:
                self.findings += legend_labels(expression, set(value.labels))
        return self.findings

    def lint(self, expression: Expression) -> Value:
        tree = self.parse(expression)
        if tree is None:
            return UNKNOWN
        self.unknown_metrics(expression, tree)

        def report(check: str, offset: int, message: str, fix: str) -> None:
            location = expression.locate(offset)
            self.findings.append(
                finding(check, location, expression.field, message, fix)
            )

        evaluator = Evaluator(self.index, expression, report, self.rule_value)
        value = evaluator.evaluate(tree)
        if value.kind is Kind.COUNTER:
            evaluator.raw_counter(value, "the expression")
        return value

    def parse(self, expression: Expression) -> pp.Expr | None:
        try:
            return pp.parse(expression.text)
        except (ValueError, RuntimeError) as error:
            message = str(error) or "invalid PromQL"
        offset = error_offset(expression.text, message)
        at_end = offset >= len(expression.text.rstrip())
        where = (
            "at the end of the expression"
            if at_end
            else f"at character {expression.original_offset(offset) + 1} of the expression"
        )
        self.findings.append(
            finding(
                "promql/syntax",
                expression.locate(offset),
                expression.field,
                f"invalid PromQL {where}: {message}",
                "correct the expression there; promtool check rules reports the same error",
            )
        )
        return None

    def unknown_metrics(self, expression: Expression, tree: pp.Expr) -> None:
        known = self.known_names
        tokens = tokenize(expression.text)
        seen: Counter[str] = Counter()
        for name in metric_names(tree):
            start = nth_position(tokens, name, seen[name])
            seen[name] += 1
            if name not in known:
                self.findings.append(
                    finding(
                        "promql/unknown-metric",
                        expression.locate(start or 0),
                        expression.field,
                        f'unknown metric "{name}": neither the spec nor its recording '
                        "rules define it",
                        suggest_metric(self.index.spec, name),
                    )
                )

    def rule_value(self, record: str) -> Value:
        """Return what a recording rule's series are, from its expression."""
        if record in self.rule_values:
            return self.rule_values[record]
        if record in self.pending:
            return UNKNOWN  # a loop of rules; the rules' own checks still run
        self.pending.add(record)
        value = self._evaluate_rule(record)
        self.pending.discard(record)
        self.rule_values[record] = value
        return value

    def _evaluate_rule(self, record: str) -> Value:
        rule = self.index.rules[record]
        try:
            tree = pp.parse(rule.expr)
        except (ValueError, RuntimeError):
            return UNKNOWN
        where = rule.expr_location or Location(self.index.spec.path, 0, 0)
        quiet = Expression(rule.expr, rule.expr, "", where, "", "rule", "")
        value = Evaluator(self.index, quiet, _ignore, self.rule_value).evaluate(tree)
        if value.labels is None:
            return Value(value.kind, None, frozenset({record}))
        labels = {**value.labels}
        static = self.index.static_values[record]
        labels.update({k: static_label(k, values) for k, values in static.items()})
        kind = value.kind
        return Value(
            kind,
            labels,
            frozenset({record}),
            value.filtered,
            record if kind is Kind.COUNTER else "",
        )


def legend_labels(expression: Expression, labels: set[str]) -> list[Diagnostic]:
    """Report {{label}} in a panel legend where the query's result has no such label."""
    found = []
    for label in sorted(set(_LEGEND_LABEL.findall(expression.legend)) - labels):
        kept = ", ".join(sorted(labels)) or "no labels"
        found.append(
            finding(
                "dashboards/legend-label",
                expression.legend_location or expression.location,
                expression.field.removesuffix("query") + "legend",
                f'the legend shows "{{{{{label}}}}}", but the query\'s result has no '
                f'label "{label}" (it has {kept}), so the legend shows nothing there',
                f'keep "{label}" in the query, such as sum by ({label}) (...), or use '
                "a label it has",
            )
        )
    return found


_LEGEND_LABEL = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def _ignore(check: str, offset: int, message: str, fix: str) -> None:
    """Drop findings: a rule's own lint reports them, once."""
