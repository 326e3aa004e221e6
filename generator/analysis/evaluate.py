"""Walk a PromQL syntax tree with the spec's schemas: kinds, label sets, findings.

Each sub-expression gets a Value: whether its samples are counters, which
labels its series carry, and which labels an `=` matcher fixed. Labels come
from the metrics' label schemas and the target labels, then pass through
`by`, `without`, `on`, `ignoring` and functions. The checks that need a Value
report as the walk passes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import promql_parser as pp
from promspec.analysis import matchers
from promspec.analysis.series import SCALAR, UNKNOWN, Kind, SpecIndex, Value
from promspec.analysis.source import VARIABLE_RANGE_SECONDS, Expression
from promspec.analysis.tokens import nth_position, tokenize
from promspec.model import Label

# (check id, offset in the expression, message, fix)
Report = Callable[[str, int, str, str], None]
ValueOf = Callable[[str], Value]  # the value of a recording rule, by record name

RATE_FUNCTIONS = {"rate", "irate", "increase", "resets"}
# Functions that read a counter correctly without rate(): counts and presence.
COUNTER_SAFE = {
    "changes",
    "absent",
    "absent_over_time",
    "present_over_time",
    "count_over_time",
    "timestamp",
}
# Functions whose result is their argument, series and samples unchanged.
PASS_THROUGH = {
    "label_replace",
    "label_join",
    "sort",
    "sort_desc",
    "sort_by_label",
    "sort_by_label_desc",
    "last_over_time",
}
COUNTING_AGGREGATIONS = {"count", "count_values", "group"}
SELECTING_AGGREGATIONS = {"topk", "bottomk", "limitk", "limit_ratio"}
SET_OPERATORS = {"and", "or", "unless"}


class Evaluator:
    """Evaluate one expression; report what the checks find on the way."""

    def __init__(
        self, index: SpecIndex, expression: Expression, report: Report, rule: ValueOf
    ) -> None:
        self.index = index
        self.expression = expression
        self.report = report
        self.rule_value = rule
        self.tokens = tokenize(expression.text)
        self.seen: Counter[str] = Counter()
        self.last_range = 0  # offset of the last range's "["

    def position(self, text: str) -> int:
        """Return the offset of the next occurrence of the token `text`."""
        # NOTE: the parser drops a unary plus, so after `+x` a binary `+` is
        # placed at the unary one.
        offset = nth_position(self.tokens, text, self.seen[text])
        self.seen[text] += 1
        return offset if offset is not None else 0

    def evaluate(self, node: pp.Expr) -> Value:
        if isinstance(node, pp.NumberLiteral | pp.StringLiteral):
            if isinstance(node, pp.NumberLiteral) and math.copysign(1, node.val) < 0:
                self.position("-")  # the parser folds `-1` into one number
            return SCALAR
        if isinstance(node, pp.UnaryExpr):
            self.position("-")
            return self.evaluate(node.expr)
        if isinstance(node, pp.ParenExpr):
            return self.evaluate(node.expr)
        if isinstance(node, pp.VectorSelector):
            return self.selector(node)
        if isinstance(node, pp.MatrixSelector):
            value = self.selector(node.vector_selector)
            self.check_range(node.range.total_seconds())
            return value
        if isinstance(node, pp.SubqueryExpr):
            value = self.evaluate(node.expr)
            self.check_range(node.range.total_seconds() if node.range else 0)
            return value
        if isinstance(node, pp.Call):
            return self.call(node)
        if isinstance(node, pp.AggregateExpr):
            return self.aggregate(node)
        if isinstance(node, pp.BinaryExpr):
            return self.binary(node)
        return UNKNOWN

    # Selectors

    def selector(self, node: pp.VectorSelector) -> Value:
        name = node.name or _name_matcher(node) or ""
        offset = self.position(name) if name else 0
        value = self.series_value(name, offset)
        if value.labels is not None:
            matchers.check(self, node, name, value, offset)
        fixed = {m.name for m in node.matchers.matchers if _fixes(m)}
        labels = value.labels or {}
        return Value(
            value.kind,
            value.labels,
            value.families,
            frozenset(fixed & set(labels)),
            value.counter_name,
            offset,
            value.raw_bucket,
        )

    def series_value(self, name: str, offset: int) -> Value:
        sample = self.index.samples.get(name)
        if sample is not None:
            counter = name if sample.kind is Kind.COUNTER else ""
            bucket = name if sample.suffix == "_bucket" else ""
            family = frozenset({sample.metric.family})
            return Value(
                sample.kind, sample.labels, family, frozenset(), counter, 0, bucket
            )
        if name in self.index.rules:
            return self.rule_value(name)
        return self.index.scrape_series.get(name, UNKNOWN)

    def check_range(self, seconds: float) -> None:
        self.last_range = self.position("[")
        interval = self.index.spec.scrape_interval
        if not interval or seconds >= 4 * interval or seconds == VARIABLE_RANGE_SECONDS:
            return
        self.report(
            "promql/range-too-short",
            self.last_range,
            f"the range [{_duration(seconds)}] is shorter than four scrape intervals "
            f"({_duration(4 * interval)}; the spec scrapes every {_duration(interval)})",
            f"use a range of at least {_duration(4 * interval)}, so that each window "
            "holds enough samples even when a scrape fails",
        )

    # Functions

    def call(self, node: pp.Call) -> Value:
        name = node.func.name
        offset = self.position(name)
        args = [self.evaluate(arg) for arg in node.args]
        if node.func.return_type == pp.ValueType.Scalar:
            return SCALAR
        main = next((arg for arg in args if arg.kind is not Kind.SCALAR), None)
        if main is None:  # vector(1), time()-based and similar
            return Value(Kind.GAUGE, {})
        if name in RATE_FUNCTIONS:
            return self.rate(node, name, main, offset)
        if name == "histogram_quantile":
            return self.quantile(main, offset)
        return self.other_function(node, name, main, offset)

    def rate(self, node: pp.Call, name: str, main: Value, offset: int) -> Value:
        if main.kind is Kind.GAUGE:
            change = "delta" if name == "increase" else "deriv"
            self.report(
                "promql/rate-on-gauge",
                offset,
                f"{name}() needs a counter, but {_argument_words(node)} a gauge: every "
                "drop in its value would count as a counter reset",
                f"use {change}() for the change of a gauge, or read the gauge without {name}()",
            )
        if self.expression.kind == "panel":
            self.check_rate_interval(node, name)
        return main.as_gauge()

    def check_rate_interval(self, node: pp.Call, name: str) -> None:
        argument = node.args[0] if node.args else None
        if not isinstance(argument, pp.MatrixSelector):
            return
        if argument.range.total_seconds() == VARIABLE_RANGE_SECONDS:
            return
        self.report(
            "dashboards/rate-interval",
            self.last_range,
            f"{name}() in a panel uses the fixed range "
            f"[{_duration(argument.range.total_seconds())}]",
            "write [$__rate_interval]: Grafana then fits the range to the scrape "
            "interval and the zoom level",
        )

    def quantile(self, main: Value, offset: int) -> Value:
        if main.kind is Kind.COUNTER:
            self.raw_counter(main, "histogram_quantile()")
        if main.labels is not None and "le" not in main.labels:
            grouping = ", ".join(sorted({*main.labels, "le"} - {"instance"}))
            self.report(
                "promql/quantile-without-le",
                offset,
                'histogram_quantile() needs the bucket label "le", but its argument '
                "drops it",
                f"keep le when aggregating the buckets, such as sum by ({grouping})",
            )
        elif main.raw_bucket:
            self.report(
                "promql/quantile-not-aggregated",
                offset,
                f'histogram_quantile() computes one quantile per series of "{main.raw_bucket}" '
                "because its argument is not aggregated",
                f"aggregate the buckets first, such as sum by (job, le) "
                f"(rate({main.raw_bucket}[{self.range_hint()}]))",
            )
        labels = {k: v for k, v in (main.labels or {}).items() if k != "le"}
        return main.as_gauge().with_labels(labels if main.labels is not None else None)

    def other_function(
        self, node: pp.Call, name: str, main: Value, offset: int
    ) -> Value:
        if name in PASS_THROUGH:
            return main.with_labels(_added_label(node, name, main))
        if name in ("absent", "absent_over_time"):
            return Value(Kind.GAUGE, None)
        if main.kind is Kind.COUNTER and name not in COUNTER_SAFE:
            self.raw_counter(main, f"{name}()")
        return main.as_gauge()

    def range_hint(self) -> str:
        """Return the range to suggest in a fix: Grafana's variable in a panel."""
        return "$__rate_interval" if self.expression.kind == "panel" else "5m"

    def raw_counter(self, value: Value, reader: str) -> None:
        fix_range = self.range_hint()
        self.report(
            "promql/raw-counter",
            value.counter_at,
            f'"{value.counter_name}" is a counter, and {reader} uses its raw value, '
            "a running total since the process started",
            f"read it through rate({value.counter_name}[{fix_range}]) or "
            f"increase({value.counter_name}[{fix_range}])",
        )

    # Aggregations

    def aggregate(self, node: pp.AggregateExpr) -> Value:
        name = str(node.op)
        self.position(name)
        if node.param is not None:  # topk's k, quantile's q: walked for positions
            self.evaluate(node.param)
        inner = self.evaluate(node.expr)
        kind = Kind.GAUGE if name in COUNTING_AGGREGATIONS else inner.kind
        counter = inner.counter_name if kind is Kind.COUNTER else ""
        labels = _aggregated_labels(node, name, inner)
        bucket = inner.raw_bucket if name in SELECTING_AGGREGATIONS else ""
        return Value(
            kind,
            inner.labels,
            inner.families,
            inner.filtered,
            counter,
            inner.counter_at,
            bucket,
        ).with_labels(labels)

    # Binary operations

    def binary(self, node: pp.BinaryExpr) -> Value:
        lhs = self.evaluate(node.lhs)
        op = str(node.op)
        offset = self.position(op)
        rhs = self.evaluate(node.rhs)
        if op in SET_OPERATORS:
            return _set_operation(op, lhs, rhs)
        for side in (lhs, rhs):
            if side.kind is Kind.COUNTER:
                self.raw_counter(side, f'"{op}"')
        if lhs.kind is Kind.SCALAR or rhs.kind is Kind.SCALAR:
            other = rhs if lhs.kind is Kind.SCALAR else lhs
            return other if other.kind is Kind.SCALAR else other.as_gauge()
        from promspec.analysis.matching import match

        labels = match(self, node, op, offset, lhs, rhs)
        return Value(
            Kind.GAUGE, lhs.labels, lhs.families | rhs.families, lhs.filtered
        ).with_labels(labels)


def _argument_words(node: pp.Call) -> str:
    """Name a rate function's argument for a message: the series, or the subquery."""
    argument = node.args[0] if node.args else None
    if isinstance(argument, pp.MatrixSelector):
        selector = argument.vector_selector
        return f'"{selector.name or _name_matcher(selector)}" is'
    return "its subquery returns"


def _name_matcher(node: pp.VectorSelector) -> str | None:
    for matcher in node.matchers.matchers:
        if matcher.name == "__name__" and matcher.op == pp.MatchOp.Equal:
            return str(matcher.value)
    return None


def _fixes(matcher: pp.Matcher) -> bool:
    """Tell whether a matcher leaves its label one value (a non-empty `=`)."""
    return matcher.op == pp.MatchOp.Equal and bool(matcher.value)


def _added_label(
    node: pp.Call, name: str, main: Value
) -> dict[str, Label | None] | None:
    if main.labels is None:
        return None
    labels = dict(main.labels)
    if name in ("label_replace", "label_join") and len(node.args) > 1:
        target = node.args[1]
        if isinstance(target, pp.StringLiteral) and target.val:
            labels[target.val] = None
    return labels


def _aggregated_labels(
    node: pp.AggregateExpr, name: str, inner: Value
) -> dict[str, Label | None] | None:
    if inner.labels is None:
        return None
    if name in SELECTING_AGGREGATIONS:
        return dict(inner.labels)
    modifier = node.modifier
    if modifier is None:
        labels: dict[str, Label | None] = {}
    elif modifier.type == pp.AggModifierType.By:
        labels = {k: inner.labels[k] for k in modifier.labels if k in inner.labels}
    else:
        labels = {k: v for k, v in inner.labels.items() if k not in modifier.labels}
    if name == "count_values" and isinstance(node.param, pp.StringLiteral):
        labels[node.param.val] = None
    return labels


def _set_operation(op: str, lhs: Value, rhs: Value) -> Value:
    if op != "or" or lhs.labels is None or rhs.labels is None:
        return lhs
    shared = {k: v for k, v in lhs.labels.items() if k in rhs.labels}
    return lhs.with_labels(shared)


def _duration(seconds: float) -> str:
    """Write seconds as a Prometheus duration, such as 1m30s."""
    whole = int(seconds)
    if whole != seconds:
        return f"{int(seconds * 1000)}ms"
    text = ""
    for unit, size in (("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            text += f"{whole // size}{unit}"
            whole %= size
    return text or "0s"
