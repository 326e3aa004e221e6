"""The PromQL checks: each fires on a faulty expression, also nested, and not on the fix.

Every expression is linted as the second recording rule of a small spec, so
the cases read as PromQL alone. Messages and fixes are compared word for word.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from promspec.analysis.run import lint_spec as lint_spec_with_coverage
from promspec.build import load_spec
from promspec.errors import Diagnostic
from promspec.model import Spec

SPEC = """\
version: 1
namespace: shop
scrape_interval: 15s
runbook_base_url: https://runbooks.shop.example
groups:
  orders:
    description: Orders
    metrics:
      orders_placed:
        type: counter
        labels:
          - channel: enum[web, app]
          - name: code
            type: int
            max_values: 5
        description: Orders placed
      queue_depth:
        type: gauge
        description: Orders waiting
      order_value_dollars:
        type: histogram
        labels:
          - channel: enum[web, app]
        buckets: [10, 50]
        description: Value of each order
    recording_rules:
      - record: job:shop_orders_placed:rate5m
        expr: sum by (job) (rate(shop_orders_placed_total[5m]))
      - record: job:shop_subject:expr
        expr: {expr}
"""
FIELD = "groups.orders.recording_rules[1].expr"
X = "shop_orders_placed_total"
BUCKET = "shop_order_value_dollars_bucket"


def lint_spec(spec: Spec) -> list[Diagnostic]:
    """Lint without the rule-test coverage checks, which have tests of their own."""
    return [
        d for d in lint_spec_with_coverage(spec) if not d.check.startswith("tests/")
    ]


def lint_expression(tmp_path: Path, expr: str) -> list[Diagnostic]:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC.format(expr=_quoted(expr)), encoding="utf-8")
    return lint_spec(load_spec(str(path)))


def _quoted(expr: str) -> str:
    return "'" + expr.replace("'", "''") + "'"


def messages(findings: list[Diagnostic], check: str) -> list[tuple[str, str]]:
    return [(d.message, d.fix) for d in findings if d.check == check]


RATE_ON_GAUGE = (
    'rate() needs a counter, but "shop_queue_depth" is a gauge: every drop in its value '
    "would count as a counter reset",
    "use deriv() for the change of a gauge, or read the gauge without rate()",
)
RAW_COUNTER_FIX = f"read it through rate({X}[5m]) or increase({X}[5m])"
NO_LE = (
    'histogram_quantile() needs the bucket label "le", but its argument drops it',
    "keep le when aggregating the buckets, such as sum by (job, le)",
)
NOT_AGGREGATED = (
    f'histogram_quantile() computes one quantile per series of "{BUCKET}" because its '
    "argument is not aggregated",
    f"aggregate the buckets first, such as sum by (job, le) (rate({BUCKET}[5m]))",
)
UNKNOWN_LABEL = (
    f'"{X}" has no label "chanel", so the matcher selects nothing',
    'did you mean "channel"? Its labels are channel, code, instance, job',
)
NOT_AN_ENUM_VALUE = (
    f'"{X}": label "channel" is never "wbe"; its values are web, app',
    'did you mean "web"?',
)
SHORT_RANGE = (
    "the range [30s] is shorter than four scrape intervals (1m; the spec scrapes every 15s)",
    "use a range of at least 1m, so that each window holds enough samples even when a "
    "scrape fails",
)
NO_MATCH = (
    'the two sides of "/" can never match, because a label is on one side only: '
    '"channel" only on the left',
    "aggregate both sides to the same labels, or match on labels both sides have with "
    "on(job)",
)
ITSELF = (
    'both sides of "/" read "shop_orders_placed" and only the left side filters on '
    '"channel", so each series is matched with itself',
    'aggregate "channel" away on both sides, such as sum without (channel) (...), to '
    "compare the filtered part with the whole",
)
AMBIGUOUS = (
    'the left side of "/" has labels that the matching ignores (channel), so one match '
    "group can hold several series and Prometheus rejects the query",
    "aggregate the left side by the matching labels, or add group_left or group_right "
    "for many-to-one matching",
)
UNKNOWN_METRIC = (
    'unknown metric "orders_placed_total": neither the spec nor its recording rules '
    "define it",
    'did you mean "shop_orders_placed_total"?',
)
BY_JOB = f"sum by (job) (rate({X}[5m]))"
BY_JOB_CHANNEL = f"sum by (job, channel) (rate({X}[5m]))"

# (check, expression, the finding's message and fix): plain, in an aggregation,
# and in a binary operation.
TRIPPED = [
    ("promql/rate-on-gauge", "rate(shop_queue_depth[5m])", RATE_ON_GAUGE),
    (
        "promql/rate-on-gauge",
        "max by (job) (rate(shop_queue_depth[5m]))",
        RATE_ON_GAUGE,
    ),
    (
        "promql/rate-on-gauge",
        f"{BY_JOB} / max by (job) (rate(shop_queue_depth[5m]))",
        RATE_ON_GAUGE,
    ),
    (
        "promql/rate-on-gauge",
        "increase(job:shop_orders_placed:rate5m[5m])",
        (
            'increase() needs a counter, but "job:shop_orders_placed:rate5m" is a gauge: '
            "every drop in its value would count as a counter reset",
            "use delta() for the change of a gauge, or read the gauge without increase()",
        ),
    ),
    (
        "promql/raw-counter",
        f"sum by (job) ({X})",
        (
            f'"{X}" is a counter, and the expression uses its raw value, a running total '
            "since the process started",
            RAW_COUNTER_FIX,
        ),
    ),
    (
        "promql/raw-counter",
        f"sum by (job) ({X}) > 100",
        (
            f'"{X}" is a counter, and ">" uses its raw value, a running total since the '
            "process started",
            RAW_COUNTER_FIX,
        ),
    ),
    (
        "promql/raw-counter",
        f"sum by (job) (delta({X}[5m]))",
        (
            f'"{X}" is a counter, and delta() uses its raw value, a running total since '
            "the process started",
            RAW_COUNTER_FIX,
        ),
    ),
    (
        "promql/quantile-without-le",
        f"histogram_quantile(0.9, sum by (job) (rate({BUCKET}[5m])))",
        NO_LE,
    ),
    (
        "promql/quantile-without-le",
        f"max(histogram_quantile(0.9, sum by (job) (rate({BUCKET}[5m]))))",
        NO_LE,
    ),
    (
        "promql/quantile-without-le",
        f"histogram_quantile(0.9, sum by (job) (rate({BUCKET}[5m]))) > 100",
        NO_LE,
    ),
    (
        "promql/quantile-not-aggregated",
        f"histogram_quantile(0.9, rate({BUCKET}[5m]))",
        NOT_AGGREGATED,
    ),
    (
        "promql/quantile-not-aggregated",
        f"max by (job) (histogram_quantile(0.9, rate({BUCKET}[5m])))",
        NOT_AGGREGATED,
    ),
    (
        "promql/quantile-not-aggregated",
        f"histogram_quantile(0.9, rate({BUCKET}[5m])) > 100",
        NOT_AGGREGATED,
    ),
    (
        "promql/unknown-label",
        f'sum by (job) (rate({X}{{chanel="web"}}[5m]))',
        UNKNOWN_LABEL,
    ),
    (
        "promql/unknown-label",
        f'sum by (job) (rate({X}{{chanel="web"}}[5m])) / {BY_JOB}',
        UNKNOWN_LABEL,
    ),
    (
        "promql/unknown-label",
        'sum(job:shop_orders_placed:rate5m{channel="web"})',
        (
            '"job:shop_orders_placed:rate5m" has no label "channel", so the matcher '
            "selects nothing",
            "match on a label it has: its labels are job",
        ),
    ),
    (
        "promql/impossible-value",
        f'sum by (job) (rate({X}{{channel="wbe"}}[5m]))',
        NOT_AN_ENUM_VALUE,
    ),
    (
        "promql/impossible-value",
        f'{BY_JOB} / sum by (job) (rate({X}{{channel="wbe"}}[5m]))',
        NOT_AN_ENUM_VALUE,
    ),
    (
        "promql/impossible-value",
        f'sum by (job) (rate({X}{{channel=~"mobile|tv"}}[5m]))',
        (
            f'"{X}": the regular expression "mobile|tv" matches no value of label '
            '"channel"; its values are web, app',
            'match one or more of web, app, such as channel=~"web|app"',
        ),
    ),
    (
        "promql/impossible-value",
        f'sum by (job) (rate({X}{{code="ok"}}[5m]))',
        (
            f'"{X}": label "code" is a whole number, never "ok"',
            'match a number, such as code="500"',
        ),
    ),
    ("promql/range-too-short", f"sum by (job) (rate({X}[30s]))", SHORT_RANGE),
    (
        "promql/range-too-short",
        f"{BY_JOB} / sum by (job) (rate({X}[30s]))",
        SHORT_RANGE,
    ),
    (
        "promql/range-too-short",
        "max_over_time(job:shop_orders_placed:rate5m[30s:15s])",
        SHORT_RANGE,
    ),
    ("promql/no-match", f"{BY_JOB_CHANNEL} / {BY_JOB}", NO_MATCH),
    ("promql/no-match", f"max by (job) ({BY_JOB_CHANNEL} / {BY_JOB})", NO_MATCH),
    ("promql/no-match", f"{BY_JOB_CHANNEL} / on(job, channel) {BY_JOB}", NO_MATCH),
    (
        "promql/no-match",
        f"sum by (job, channel, code) (rate({X}[5m])) / ignoring(code) {BY_JOB}",
        NO_MATCH,
    ),
    (
        "promql/matched-with-itself",
        f'rate({X}{{channel="web"}}[5m]) / rate({X}[5m])',
        ITSELF,
    ),
    (
        "promql/matched-with-itself",
        f'sum by (job) (rate({X}{{channel="web"}}[5m]) / rate({X}[5m]))',
        ITSELF,
    ),
    (
        "promql/matched-with-itself",
        f'(rate({X}{{channel="web"}}[5m]) / rate({X}[5m])) > 0.5',
        ITSELF,
    ),
    ("promql/ambiguous-match", f"{BY_JOB_CHANNEL} / on(job) {BY_JOB}", AMBIGUOUS),
    (
        "promql/ambiguous-match",
        f"max by (job) ({BY_JOB_CHANNEL} / on(job) {BY_JOB})",
        AMBIGUOUS,
    ),
    ("promql/unknown-metric", "sum(rate(orders_placed_total[5m]))", UNKNOWN_METRIC),
    (
        "promql/unknown-metric",
        f"{BY_JOB} / sum by (job) (rate(orders_placed_total[5m]))",
        UNKNOWN_METRIC,
    ),
]

# (check, the fixed expression): no check finds anything in it.
FIXED = [
    ("promql/rate-on-gauge", "max by (job) (deriv(shop_queue_depth[5m]))"),
    ("promql/raw-counter", f"{BY_JOB} > 1"),
    ("promql/raw-counter", f"sum by (job) (changes({X}[5m]))"),
    (
        "promql/quantile-without-le",
        f"histogram_quantile(0.9, sum by (job, le) (rate({BUCKET}[5m])))",
    ),
    (
        "promql/quantile-not-aggregated",
        f"max by (job) (histogram_quantile(0.9, sum by (job, le) (rate({BUCKET}[5m]))))",
    ),
    ("promql/unknown-label", f'sum by (job) (rate({X}{{channel="web"}}[5m]))'),
    (
        "promql/impossible-value",
        f'sum by (job) (rate({X}{{channel=~"web|app", code="500"}}[5m]))',
    ),
    ("promql/range-too-short", f"sum by (job) (rate({X}[1m]))"),
    ("promql/no-match", f"{BY_JOB_CHANNEL} / on(job) group_left {BY_JOB}"),
    (
        "promql/no-match",
        f"sum by (job, channel, code) (rate({X}[5m])) / ignoring(code) group_left "
        f"{BY_JOB_CHANNEL}",
    ),
    (
        "promql/matched-with-itself",
        f'sum without (channel) (rate({X}{{channel="web"}}[5m])) '
        f"/ sum without (channel) (rate({X}[5m]))",
    ),
    ("promql/ambiguous-match", f"{BY_JOB_CHANNEL} / on(job) group_left {BY_JOB}"),
    ("promql/unknown-metric", f"{BY_JOB} / {BY_JOB}"),
]


@pytest.mark.parametrize(("check", "expr", "expected"), TRIPPED)
def test_check_fires(
    tmp_path: Path, check: str, expr: str, expected: tuple[str, str]
) -> None:
    findings = lint_expression(tmp_path, expr)

    assert messages(findings, check) == [expected]
    assert all(d.field == FIELD for d in findings if d.check == check)


@pytest.mark.parametrize(("check", "expr"), FIXED)
def test_fixed_expression_is_clean(tmp_path: Path, check: str, expr: str) -> None:
    findings = lint_expression(tmp_path, expr)

    assert [d.format() for d in findings] == []


def test_range_check_needs_scrape_interval(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    text = SPEC.format(expr=f"'sum by (job) (rate({X}[30s]))'")
    path.write_text(text.replace("scrape_interval: 15s\n", ""), encoding="utf-8")

    findings = lint_spec(load_spec(str(path)))

    assert messages(findings, "promql/range-too-short") == []


def test_finding_points_at_its_node(tmp_path: Path) -> None:
    expr = f'{BY_JOB} / sum by (job) (rate({X}{{channel="wbe"}}[5m]))'
    findings = lint_expression(tmp_path, expr)

    (finding,) = [d for d in findings if d.check == "promql/impossible-value"]
    line = SPEC.splitlines().index("        expr: {expr}") + 1
    column = len("        expr: '") + expr.rindex(X) + 1
    assert (finding.location.line, finding.location.column) == (line, column)


def test_syntax_error_position_in_file(tmp_path: Path) -> None:
    expr = f"sum by (job) (rate({X}{{channel=web}}[5m]))"
    findings = lint_expression(tmp_path, expr)

    (finding,) = findings
    assert finding.check == "promql/syntax"
    assert finding.message == (
        "invalid PromQL at character 53 of the expression: unexpected identifier 'web' "
        "in label matching, expected string"
    )
    line = SPEC.splitlines().index("        expr: {expr}") + 1
    assert (finding.location.line, finding.location.column) == (line, 15 + 53)


def test_syntax_error_in_block_scalar(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    block = f"|\n          {BY_JOB}\n            / sum by (job) (rate({X}[5m])"
    path.write_text(SPEC.format(expr=block), encoding="utf-8")

    (finding,) = lint_spec(load_spec(str(path)))

    assert finding.message == (
        "invalid PromQL at character 68 of the expression: unclosed left parenthesis"
    )
    line = SPEC.splitlines().index("        expr: {expr}") + 3
    assert (finding.location.line, finding.location.column) == (line, 28)


def test_syntax_error_at_end(tmp_path: Path) -> None:
    (finding,) = lint_expression(tmp_path, f"{BY_JOB} /")

    assert finding.message == (
        "invalid PromQL at the end of the expression: invalid promql query"
    )
    assert finding.fix == (
        "correct the expression there; promtool check rules reports the same error"
    )


def test_operator_after_unary_minus_located(tmp_path: Path) -> None:
    expr = f"-{BY_JOB_CHANNEL} - {BY_JOB}"
    findings = lint_expression(tmp_path, expr)

    (finding,) = [d for d in findings if d.check == "promql/no-match"]
    column = len("        expr: '") + expr.index(" - ") + 2
    assert finding.location.column == column


def test_rate_of_gauge_subquery(tmp_path: Path) -> None:
    findings = lint_expression(tmp_path, "rate(max by (job) (shop_queue_depth)[5m:1m])")

    assert messages(findings, "promql/rate-on-gauge") == [
        (
            "rate() needs a counter, but its subquery returns a gauge: every drop in its "
            "value would count as a counter reset",
            "use deriv() for the change of a gauge, or read the gauge without rate()",
        )
    ]
