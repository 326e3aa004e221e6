"""The naming, cardinality, alert, dashboard and acknowledgement checks of the lint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from promspec.analysis.lint_cardinality import cardinality_table
from promspec.analysis.lint_dashboards import check_dashboard
from promspec.analysis.run import lint_spec as lint_spec_with_coverage
from promspec.analysis.run import lint_specs
from promspec.build import load_spec
from promspec.errors import Diagnostic
from promspec.model import Spec
from promspec.render_dashboards import render_dashboards

HEAD = """\
version: 1
namespace: shop
runbook_base_url: https://runbooks.shop.example
"""


def lint_spec(spec: Spec) -> list[Diagnostic]:
    """Lint without the rule-test coverage checks, which have tests of their own."""
    return [
        d for d in lint_spec_with_coverage(spec) if not d.check.startswith("tests/")
    ]


def load(tmp_path: Path, text: str) -> Spec:
    path = tmp_path / "spec.yaml"
    path.write_text(HEAD + text, encoding="utf-8")
    return load_spec(str(path))


def found(tmp_path: Path, text: str, check: str) -> list[tuple[str, str]]:
    return [
        (d.message, d.fix) for d in lint_spec(load(tmp_path, text)) if d.check == check
    ]


def all_findings(tmp_path: Path, text: str) -> list[str]:
    return [d.format() for d in lint_spec(load(tmp_path, text))]


def one_metric(definition: str) -> str:
    return "groups:\n  orders:\n    metrics:\n" + "\n".join(
        "      " + line for line in definition.splitlines()
    )


# --- names ------------------------------------------------------------------

NAMES = [
    (
        "names/total-suffix",
        "queue_total:\n  type: gauge\n  description: Orders waiting",
        (
            '"shop_queue_total" is a gauge, but the _total suffix marks a counter',
            'rename it to "queue", or make it a counter',
        ),
        "queue:\n  type: gauge\n  description: Orders waiting",
    ),
    (
        "names/total-suffix",
        "orders:\n  type: counter\n  unit: total\n  description: Orders",
        (
            '"total" is not a unit',
            "remove `unit: total`; promspec adds _total to counters",
        ),
        "orders:\n  type: counter\n  description: Orders",
    ),
    (
        "names/total-suffix",
        "requests_total_bytes:\n  type: counter\n  description: Bytes",
        (
            '"shop_requests_total_bytes_total" has "total" inside the name; _total '
            "belongs only at the end of a counter",
            'rename it to "requests_bytes"',
        ),
        "requests_bytes:\n  type: counter\n  description: Bytes",
    ),
    (
        "names/non-base-unit",
        "latency_ms:\n  type: histogram\n  description: Latency",
        (
            '"latency_ms" is measured in ms, which is not a base unit',
            'record seconds (divide by 1000) and name the metric "latency_seconds"',
        ),
        "latency_seconds:\n  type: histogram\n  description: Latency",
    ),
    (
        "names/non-base-unit",
        "payload:\n  type: histogram\n  unit: kilobytes\n  description: Payload",
        (
            '"payload" is measured in kilobytes, which is not a base unit',
            'record bytes (multiply by 1000) and name the metric "payload_bytes"',
        ),
        "payload:\n  type: histogram\n  unit: bytes\n  description: Payload",
    ),
    (
        "names/unit-suffix",
        "request_seconds_duration:\n  type: histogram\n  description: Latency",
        (
            '"shop_request_seconds_duration" names the unit seconds before its end; '
            "the unit is the last word of a name",
            "write the name so that it ends in the unit, such as "
            '"shop_request_duration_seconds"',
        ),
        "request_duration_seconds:\n  type: histogram\n  description: Latency",
    ),
    (
        "names/type-in-name",
        "queue_gauge:\n  type: gauge\n  description: Orders waiting",
        (
            '"queue_gauge" has its metric type "gauge" in its name',
            'drop "gauge" from the name; the TYPE line of the exposition states it',
        ),
        "queue:\n  type: gauge\n  description: Orders waiting",
    ),
    (
        "names/camel-case",
        "queueDepth:\n  type: gauge\n  description: Orders waiting",
        (
            '"queueDepth" has upper-case letters; metric and label names are snake_case',
            'write "queue_depth"',
        ),
        "queue_depth:\n  type: gauge\n  description: Orders waiting",
    ),
    (
        "names/camel-case",
        "queue:\n  type: gauge\n  labels:\n    - orderChannel: enum[web, app]\n"
        "  description: Orders waiting",
        (
            '"orderChannel" has upper-case letters; metric and label names are snake_case',
            'write "order_channel"',
        ),
        "queue:\n  type: gauge\n  labels:\n    - order_channel: enum[web, app]\n"
        "  description: Orders waiting",
    ),
    (
        "names/label-rewritten",
        "queue:\n  type: gauge\n  labels:\n    - order-channel: enum[web, app]\n"
        "  description: Orders waiting",
        (
            'label "order-channel" is exposed as "order_channel": prometheus-client '
            "rewrites characters that a label name cannot hold, so queries written with "
            '"order-channel" match nothing',
            'name the label "order_channel"',
        ),
        "queue:\n  type: gauge\n  labels:\n    - order_channel: enum[web, app]\n"
        "  description: Orders waiting",
    ),
    (
        "names/reserved-label",
        "queue:\n  type: gauge\n  labels:\n    - le: enum[a, b]\n  description: Orders",
        (
            'label "le" on a gauge: the name is reserved for the bucket bounds of a '
            "histogram",
            "rename the label, so that no query mistakes the metric for a histogram",
        ),
        "queue:\n  type: gauge\n  labels:\n    - level: enum[a, b]\n  description: Orders",
    ),
]


@pytest.mark.parametrize(("check", "bad", "expected", "good"), NAMES)
def test_name_check(
    tmp_path: Path, check: str, bad: str, expected: tuple[str, str], good: str
) -> None:
    assert found(tmp_path, one_metric(bad), check) == [expected]
    assert all_findings(tmp_path, one_metric(good)) == []


RULES = """\
groups:
  orders:
    metrics:
      orders:
        type: counter
        description: Orders
    recording_rules:
      - record: {record}
        expr: sum by (job) (rate(shop_orders_total[5m]))
    alerts:
      - alert: {alert}
        expr: {record} > 1
        severity: info
        summary: "Orders at {{{{ $labels.job }}}}"
        description: "{{{{ $value }}}} orders per second"
"""


def test_recording_rule_name(tmp_path: Path) -> None:
    bad = RULES.format(record="orders_rate", alert="ManyOrders")

    assert found(tmp_path, bad, "names/recording-rule") == [
        (
            '"orders_rate" does not read level:metric:operations',
            "name it after the labels it keeps, the metric and the operations, such as "
            "job:http_requests:rate5m",
        )
    ]
    good = RULES.format(record="job:shop_orders:rate5m", alert="ManyOrders")
    assert all_findings(tmp_path, good) == []


def test_alert_name(tmp_path: Path) -> None:
    bad = RULES.format(record="job:shop_orders:rate5m", alert="many_orders")

    assert found(tmp_path, bad, "names/alert-name") == [
        ('alert name "many_orders" is not CamelCase', 'write "ManyOrders"')
    ]


def test_duplicate_alert_has_id(tmp_path: Path) -> None:
    text = RULES.format(record="job:shop_orders:rate5m", alert="ManyOrders")
    alert = text[text.index("      - alert:") :]
    text += alert

    assert found(tmp_path, text, "alerts/duplicate-name") == [
        (
            'duplicate alert "ManyOrders", first defined at line 14',
            "give each alert its own name",
        )
    ]


# --- cardinality --------------------------------------------------------------

COUNTED = """\
{budget}groups:
  orders:
    metrics:
      orders:
        type: counter
        labels:
          - channel: enum[web, app]
          - {region}
        description: Orders
      order_value_dollars:
        type: histogram
        labels:
          - channel: enum[web, app]
        buckets: [10, 50]
        description: Value
"""
BOUNDED = "name: region\n            type: string\n            max_values: 3"


def test_unbounded_label(tmp_path: Path) -> None:
    text = COUNTED.format(budget="", region="region: string")

    assert found(tmp_path, text, "cardinality/unbounded-label") == [
        (
            'label "region" of "shop_orders_total" is a free string with no bound, so its '
            "series cannot be counted and may grow without limit",
            "make it an enum, or declare its maximum number of values with the long form "
            "`- name: region`, `type: string`, `max_values: N`",
        )
    ]
    assert all_findings(tmp_path, COUNTED.format(budget="", region=BOUNDED)) == []


def test_metric_over_budget(tmp_path: Path) -> None:
    budget = "cardinality:\n  max_series_per_metric: 10\n"
    text = COUNTED.format(budget=budget, region=BOUNDED)

    assert found(tmp_path, text, "cardinality/over-budget") == [
        (
            '"shop_orders_total" may expose 12 series per target, over the budget of 10 '
            "per metric",
            "drop a label, bound its values more tightly, or use fewer buckets; "
            "`promspec lint --cardinality` shows where the series come from",
        ),
        (
            '"shop_order_value_dollars" may expose 12 series per target, over the budget '
            "of 10 per metric",
            "drop a label, bound its values more tightly, or use fewer buckets; "
            "`promspec lint --cardinality` shows where the series come from",
        ),
    ]
    fits = "cardinality:\n  max_series_per_metric: 12\n"
    assert all_findings(tmp_path, COUNTED.format(budget=fits, region=BOUNDED)) == []


def test_spec_over_budget(tmp_path: Path) -> None:
    text = COUNTED.format(budget="cardinality:\n  max_series: 23\n", region=BOUNDED)

    assert found(tmp_path, text, "cardinality/over-budget") == [
        (
            "the metrics of the spec may expose 24 series per target, over the budget "
            "of 23",
            "cut the largest metrics first; `promspec lint --cardinality` lists them",
        )
    ]
    fits = COUNTED.format(budget="cardinality:\n  max_series: 24\n", region=BOUNDED)
    assert all_findings(tmp_path, fits) == []


def test_cardinality_table(tmp_path: Path) -> None:
    spec = load(tmp_path, COUNTED.format(budget="", region="region: string"))

    assert cardinality_table(spec).splitlines() == [
        "metric                    type       labels (values)          per set     series",
        "shop_orders_total         counter    channel (2), region (?)        2  unbounded",
        "shop_order_value_dollars  histogram  channel (2)                    6         12",
        f"{spec.path}: 12 series per scrape target, not counting 1 unbounded metric "
        "(no budget)",
    ]


# --- alerts -------------------------------------------------------------------

ALERT = """\
groups:
  orders:
    metrics:
      orders:
        type: counter
        description: Orders
    recording_rules:
      - record: job:shop_orders:rate5m
        expr: sum by (job) (rate(shop_orders_total[5m]))
    alerts:
      - alert: ManyOrders
        expr: {expr}
        severity: info
        summary: "{summary}"
        description: "Orders per second"
"""


def test_label_dropped_by_expression(tmp_path: Path) -> None:
    expected = [
        (
            '$labels.job is always empty: the expression\'s result has no label "job" '
            "(it has no labels)",
            'keep "job" in the expression, such as sum by (job) (...), or leave it out '
            "of the text",
        )
    ]
    for expr in (
        "sum(rate(shop_orders_total[5m])) > 1",
        "sum(job:shop_orders:rate5m) > 1",
    ):
        text = ALERT.format(expr=expr, summary="Orders at {{ $labels.job }}")
        assert found(tmp_path, text, "alerts/label-dropped") == expected
    good = ALERT.format(
        expr="job:shop_orders:rate5m > 1", summary="Orders at {{ $labels.job }}"
    )
    assert all_findings(tmp_path, good) == []


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (
            "Orders at {{ $label.job }}",
            (
                'unknown template variable "$label"; Prometheus would fail to expand '
                "the annotation",
                'did you mean "$labels"?',
            ),
        ),
        (
            "{{ $values }} orders",
            (
                'unknown template variable "$values"; Prometheus would fail to expand '
                "the annotation",
                'did you mean "$value"?',
            ),
        ),
        (
            "Orders at {{ .Label.job }}",
            (
                'unknown template variable ".Label"; Prometheus would fail to expand '
                "the annotation",
                'did you mean ".Labels"?',
            ),
        ),
        (
            "Orders at {{ $labels.job }",
            (
                'unbalanced template braces: 1 "{{" and 0 "}}"',
                'close every "{{" with "}}", as in {{ $labels.job }}',
            ),
        ),
    ],
)
def test_template_typo(tmp_path: Path, summary: str, expected: tuple[str, str]) -> None:
    text = ALERT.format(expr="job:shop_orders:rate5m > 1", summary=summary)

    assert found(tmp_path, text, "alerts/template-typo") == [expected]


def test_template_typo_field_and_line(tmp_path: Path) -> None:
    text = ALERT.format(expr="job:shop_orders:rate5m > 1", summary="{{ $values }}")

    (finding,) = [d for d in lint_spec(load(tmp_path, text)) if d.check]
    assert finding.field == "groups.orders.alerts[0].summary"
    assert finding.location.line == 17


# --- dashboards ---------------------------------------------------------------

PANELS = """\
scrape_interval: 15s
groups:
  orders:
    metrics:
      orders:
        type: counter
        description: Orders
    dashboard:
      title: Orders
      panels:
        - title: Orders per Second
          query: {query}
          unit: ops
        - title: Orders, Total Rate
          query: sum(rate(shop_orders_total[$__rate_interval]))
          unit: ops
"""


def test_rate_interval(tmp_path: Path) -> None:
    bad = PANELS.format(query="sum(rate(shop_orders_total[5m]))")

    assert found(tmp_path, bad, "dashboards/rate-interval") == [
        (
            "rate() in a panel uses the fixed range [5m]",
            "write [$__rate_interval]: Grafana then fits the range to the scrape "
            "interval and the zoom level",
        )
    ]
    good = PANELS.format(query="sum(rate(shop_orders_total[$__rate_interval]))")
    assert all_findings(tmp_path, good) == []


def test_panel_finding_after_variable_located(tmp_path: Path) -> None:
    query = (
        "sum(rate(shop_orders_total[$__rate_interval])) "
        "/ sum(rate(shop_order[$__rate_interval]))"
    )
    spec = load(tmp_path, PANELS.format(query=query))

    (finding,) = lint_spec(spec)
    assert finding.check == "promql/unknown-metric"
    assert (finding.location.line, finding.location.column) == (
        15,
        len("          query: ") + query.index("shop_order[") + 1,
    )


def test_raw_counter_fix_in_panel(tmp_path: Path) -> None:
    bad = PANELS.format(query="sum(shop_orders_total)")

    assert found(tmp_path, bad, "promql/raw-counter") == [
        (
            '"shop_orders_total" is a counter, and the expression uses its raw value, a '
            "running total since the process started",
            "read it through rate(shop_orders_total[$__rate_interval]) or "
            "increase(shop_orders_total[$__rate_interval])",
        )
    ]


def rendered(spec: Spec) -> dict[str, Any]:
    (text,) = render_dashboards(spec).values()
    result: dict[str, Any] = json.loads(text)
    return result


def dashboard_findings(spec: Spec, dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d.check, d.message) for d in check_dashboard(spec.groups[0], dashboard)]


@pytest.fixture
def panel_spec(tmp_path: Path) -> Spec:
    return load(
        tmp_path, PANELS.format(query="sum(rate(shop_orders_total[$__rate_interval]))")
    )


def test_rendered_dashboard_passes(panel_spec: Spec) -> None:
    assert dashboard_findings(panel_spec, rendered(panel_spec)) == []


def test_missing_datasource_variable(panel_spec: Spec) -> None:
    dashboard = rendered(panel_spec)
    dashboard["templating"]["list"] = []

    assert dashboard_findings(panel_spec, dashboard) == [
        (
            "dashboards/datasource",
            'the dashboard has no "datasource" variable, so it works with one Prometheus '
            "only",
        )
    ]


def test_panel_without_datasource_variable(panel_spec: Spec) -> None:
    dashboard = rendered(panel_spec)
    dashboard["panels"][1]["targets"][0]["datasource"] = {"uid": "prometheus"}

    assert dashboard_findings(panel_spec, dashboard) == [
        (
            "dashboards/datasource",
            'panel "Orders, Total Rate" does not read from the ${datasource} variable',
        )
    ]


def test_duplicate_panel_id(panel_spec: Spec) -> None:
    dashboard = rendered(panel_spec)
    dashboard["panels"][1]["id"] = 1

    assert dashboard_findings(panel_spec, dashboard) == [
        ("dashboards/panel-id", "panel id 1 is also the id of panel 1")
    ]


def test_overlapping_panels(panel_spec: Spec) -> None:
    dashboard = rendered(panel_spec)
    dashboard["panels"][1]["gridPos"]["x"] = 6

    assert dashboard_findings(panel_spec, dashboard) == [
        ("dashboards/grid", "the panel overlaps panel 1")
    ]


def test_panel_past_grid(panel_spec: Spec) -> None:
    dashboard = rendered(panel_spec)
    dashboard["panels"][1]["gridPos"]["x"] = 20

    assert dashboard_findings(panel_spec, dashboard) == [
        ("dashboards/grid", "the panel spans columns 20 to 32, past the 24-column grid")
    ]


# --- acknowledgements ---------------------------------------------------------

ACKNOWLEDGED = """\
groups:
  orders:
    metrics:
      orders:
        type: counter
        labels:
          - region: string
        description: Orders
        acknowledge:
          - check: {check}
            reason: regions come from a fixed list in the order service
      queue:
        type: gauge
        labels:
          - region: string
        description: Orders waiting
"""


def acknowledged(spec: Spec) -> tuple[list[Diagnostic], list[str]]:
    result = lint_specs([spec])
    return result.findings, [entry.reason for _, entry in result.acknowledged]


def test_acknowledgement_covers_its_object_only(tmp_path: Path) -> None:
    spec = load(tmp_path, ACKNOWLEDGED.format(check="cardinality/unbounded-label"))

    findings, reasons = acknowledged(spec)

    assert reasons == ["regions come from a fixed list in the order service"]
    assert [d.field for d in findings] == ["groups.orders.metrics.queue.labels[0]"]


def test_unused_acknowledgement(tmp_path: Path) -> None:
    spec = load(tmp_path, ACKNOWLEDGED.format(check="promql/raw-counter"))

    findings, _ = acknowledged(spec)

    stale = [d for d in findings if d.check == "lint/unused-acknowledgement"]
    assert [(d.field, d.message, d.fix) for d in stale] == [
        (
            "groups.orders.metrics.orders.acknowledge",
            'nothing here trips "promql/raw-counter", so the acknowledgement is stale',
            "remove it",
        )
    ]


def test_acknowledgement_of_unknown_check(tmp_path: Path) -> None:
    spec = load(tmp_path, ACKNOWLEDGED.format(check="cardinality/unbounded"))

    findings, _ = acknowledged(spec)

    unknown = [d for d in findings if d.check == "lint/unknown-check"]
    assert [(d.message, d.fix.split("?")[0]) for d in unknown] == [
        (
            'unknown check "cardinality/unbounded"',
            'did you mean "cardinality/unbounded-label"',
        )
    ]


def test_acknowledgement_needs_reason(tmp_path: Path) -> None:
    text = ACKNOWLEDGED.format(check="cardinality/unbounded-label").replace(
        "reason: regions come from a fixed list in the order service", 'reason: ""'
    )
    from promspec.errors import SpecError

    with pytest.raises(SpecError) as raised:
        load(tmp_path, text)

    assert [(d.field, d.message) for d in raised.value.diagnostics] == [
        ("groups.orders.metrics.orders.acknowledge[0].reason", "the reason is empty")
    ]


# --- collisions and scrape series ---------------------------------------------

TWO_GROUPS = """\
groups:
  orders:
    metrics:
      queue_depth:
        type: gauge
        description: Orders waiting
    dashboard:
      title: Orders
      uid: shop-board
      panels:
        - title: Queue
          query: sum(shop_queue_depth)
          unit: short
  payments:
    metrics:
      {metric}:
        type: gauge
        description: Payments waiting
    dashboard:
      title: Payments
      uid: {uid}
      panels:
        - title: Queue
          query: sum(shop_{metric})
          unit: short
"""


def test_name_collision(tmp_path: Path) -> None:
    bad = TWO_GROUPS.format(metric="queue_depth", uid="shop-payments")

    assert found(tmp_path, bad, "names/collision") == [
        (
            'metric queue_depth exposes "shop_queue_depth", which metric queue_depth at '
            "line 8 (groups.orders.metrics.queue_depth) exposes too",
            "rename one of the two; Prometheus would mix their series",
        )
    ]
    good = TWO_GROUPS.format(metric="payment_queue_depth", uid="shop-payments")
    assert all_findings(tmp_path, good) == []


def test_duplicate_dashboard_uid(tmp_path: Path) -> None:
    bad = TWO_GROUPS.format(metric="payment_queue_depth", uid="shop-board")

    assert found(tmp_path, bad, "dashboards/duplicate-uid") == [
        (
            'dashboard uid "shop-board" is also used by group orders',
            "set a different `uid:` on one of the two dashboards",
        )
    ]


def test_scrape_series_known(tmp_path: Path) -> None:
    text = ALERT.format(expr="up == 0", summary="{{ $labels.instance }} is down")

    assert all_findings(tmp_path, text) == []
    rated = ALERT.format(expr="rate(up[5m]) > 0", summary="{{ $labels.job }}")
    assert found(tmp_path, rated, "promql/rate-on-gauge") == [
        (
            'rate() needs a counter, but "up" is a gauge: every drop in its value would '
            "count as a counter reset",
            "use deriv() for the change of a gauge, or read the gauge without rate()",
        )
    ]


LEGEND = """\
groups:
  orders:
    metrics:
      orders:
        type: counter
        labels:
          - channel: enum[web, app]
        description: Orders
    dashboard:
      title: Orders
      panels:
        - title: Orders per Second
          queries:
            - query: {query}
              legend: "{{{{channel}}}} orders"
          unit: ops
"""


def test_legend_label_dropped(tmp_path: Path) -> None:
    bad = LEGEND.format(query="sum(rate(shop_orders_total[$__rate_interval]))")

    findings = [d for d in lint_spec(load(tmp_path, bad)) if d.check]
    assert [(d.field, d.location.line, d.message, d.fix) for d in findings] == [
        (
            "groups.orders.dashboard.panels[0].queries[0].legend",
            18,
            'the legend shows "{{channel}}", but the query\'s result has no label '
            '"channel" (it has no labels), so the legend shows nothing there',
            'keep "channel" in the query, such as sum by (channel) (...), or use a label '
            "it has",
        )
    ]
    good = LEGEND.format(
        query="sum by (channel) (rate(shop_orders_total[$__rate_interval]))"
    )
    assert all_findings(tmp_path, good) == []


def test_readme_lists_every_check() -> None:
    from promspec.analysis.catalog import CHECKS

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z]+/[a-z-]+)` \| (error|warning) \|", readme, re.M)

    assert dict(rows) == {check.id: check.severity.value for check in CHECKS.values()}


def test_acknowledgement_on_long_form_label(tmp_path: Path) -> None:
    text = """\
groups:
  orders:
    metrics:
      orders:
        type: counter
        labels:
          - name: region
            type: string
            acknowledge:
              - check: cardinality/unbounded-label
                reason: regions come from a fixed list in the order service
        description: Orders
"""
    findings, reasons = acknowledged(load(tmp_path, text))

    assert findings == []
    assert reasons == ["regions come from a fixed list in the order service"]


def test_panel_syntax_error_after_variable(tmp_path: Path) -> None:
    query = (
        "sum(rate(shop_orders_total[$__rate_interval])) "
        "/ sum(rate(shop_orders_total{channel=web}[$__rate_interval]))"
    )
    spec = load(tmp_path, PANELS.format(query=query))

    (finding,) = lint_spec(spec)
    offset = query.index("web")
    assert finding.message == (
        f"invalid PromQL at character {offset + 1} of the expression: unexpected "
        "identifier 'web' in label matching, expected string"
    )
    assert (finding.location.line, finding.location.column) == (
        15,
        len("          query: ") + offset + 1,
    )
