"""The spec schema: what users may write, kept apart from the internal model.

Each object of the spec is a table of fields. The validator checks keys,
required fields and choices against these tables, and suggests the closest
key for an unknown one.
"""

from __future__ import annotations

from typing import NamedTuple

SUPPORTED_VERSIONS = (1,)


class Field(NamedTuple):
    name: str
    kind: str  # string, integer, number, mapping, list, selectors
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    # The table that a mapping value follows, such as "dashboard".
    table: str = ""
    # The kind or table of each list item or mapping value, such as "metric"
    # or "string".
    items: str = ""


def _table(*fields: Field) -> dict[str, Field]:
    return {field.name: field for field in fields}


METRIC_TYPES = ("counter", "gauge", "histogram", "summary")
SOURCES = ("direct", "callback")
# prometheus-client's ways of merging one gauge's values across the processes
# of a worker. The `live` ones drop the values of processes marked dead.
MULTIPROCESS_MODES = (
    "livesum",
    "liveall",
    "livemax",
    "livemin",
    "livemostrecent",
    "sum",
    "all",
    "max",
    "min",
    "mostrecent",
)
LABEL_TYPES = ("string", "int", "enum")
SEVERITIES = ("critical", "warning", "info")
PANEL_TYPES = ("timeseries", "heatmap", "stat", "gauge", "table")

# Grafana unit ids that panels may name; a typo would otherwise show raw numbers.
GRAFANA_UNITS = (
    "none",
    "short",
    "percent",
    "percentunit",
    "humidity",
    "dB",
    "s",
    "ms",
    "µs",
    "ns",
    "m",
    "h",
    "d",
    "dtdurations",
    "dtdhms",
    "bytes",
    "decbytes",
    "bits",
    "decbits",
    "kbytes",
    "mbytes",
    "gbytes",
    "Bps",
    "binBps",
    "bps",
    "binbps",
    "KBs",
    "MBs",
    "reqps",
    "rps",
    "ops",
    "opm",
    "wps",
    "rpm",
    "iops",
    "cps",
    "pps",
    "hertz",
    "celsius",
    "fahrenheit",
    "volt",
    "amp",
    "watt",
    "joule",
    "lengthm",
    "massg",
    "currencyUSD",
    "currencyEUR",
    "bool",
    "bool_yes_no",
    "locale",
    "sishort",
    "dateTimeAsIso",
    "dateTimeFromNow",
)

SPEC = _table(
    Field("version", "integer", "Version of the spec format", required=True),
    Field(
        "namespace",
        "string",
        "Prefix of every metric name, such as `compozy`",
        required=True,
    ),
    Field("description", "string", "What the spec monitors"),
    Field(
        "module",
        "string",
        "Name of the generated Python module (default: NAMESPACE_metrics)",
    ),
    Field(
        "runbook_base_url",
        "string",
        "Base of every alert's runbook_url: BASE/AlertName",
    ),
    Field("groups", "mapping", "Metric groups by name", required=True, items="group"),
    Field(
        "scrape_interval",
        "string",
        "How often Prometheus scrapes the service, such as 15s; ranges shorter "
        "than four intervals are reported",
    ),
    Field(
        "cardinality",
        "mapping",
        "Series budget per scrape target: max_series, max_series_per_metric",
        table="cardinality",
    ),
    Field(
        "kubernetes",
        "mapping",
        "Metadata of the generated PrometheusRule resource: name, namespace, labels",
        table="kubernetes",
    ),
    Field(
        "grafana",
        "mapping",
        "Grafana file provisioning of the dashboards: folder, path",
        table="grafana",
    ),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
    Field(
        "multiprocess",
        "boolean",
        "Whether workers run the module in prometheus-client's multiprocess mode",
    ),
)

GROUP = _table(
    Field("description", "string", "What the group covers"),
    Field(
        "metrics",
        "mapping",
        "Metrics by name, written without the namespace",
        items="metric",
    ),
    Field(
        "recording_rules",
        "list",
        "Recording rules of the group",
        items="recording_rule",
    ),
    Field("alerts", "list", "Alerting rules of the group", items="alert"),
    Field(
        "slos",
        "list",
        "Service level objectives, with error-budget rules and burn-rate alerts",
        items="slo",
    ),
    Field("dashboard", "mapping", "The group's Grafana dashboard", table="dashboard"),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
)

METRIC = _table(
    Field("type", "string", "Metric type", required=True, choices=METRIC_TYPES),
    Field("description", "string", "Help text of the metric", required=True),
    Field(
        "unit",
        "string",
        "Base unit, appended to the name when missing (seconds, bytes, ratio, ...)",
    ),
    Field(
        "labels",
        "list",
        "Labels, as `- name: string`, `- name: int`, `- name: enum[a, b]`",
        items="label",
    ),
    Field(
        "buckets", "list", "Histogram bucket upper bounds, ascending", items="number"
    ),
    Field(
        "source",
        "string",
        "direct: the service records values; callback: read at scrape time",
        choices=SOURCES,
    ),
    Field(
        "multiprocess_mode",
        "string",
        "How a gauge's values merge across processes in multiprocess mode",
        choices=MULTIPROCESS_MODES,
    ),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
)

LABEL = _table(
    Field("name", "string", "Label name", required=True),
    Field("type", "string", "Label type", choices=LABEL_TYPES),
    Field("values", "list", "Allowed values; makes the label an enum", items="string"),
    Field("description", "string", "What the label means"),
    Field(
        "max_values",
        "integer",
        "Maximum number of values of a string or int label, for the series estimate",
    ),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
)

RECORDING_RULE = _table(
    Field(
        "record",
        "string",
        "Name of the recorded series, as level:metric:operations",
        required=True,
    ),
    Field("expr", "string", "PromQL expression (or one shape: rate, ratio, ...)"),
    Field(
        "rate", "mapping", "Shape: a counter per second, summed by labels", table="rate"
    ),
    Field(
        "ratio", "mapping", "Shape: one sum divided by another, NaN-free", table="ratio"
    ),
    Field(
        "average",
        "mapping",
        "Shape: a histogram's or summary's _sum over _count",
        table="average",
    ),
    Field("quantile", "mapping", "Shape: a quantile of a histogram", table="quantile"),
    Field("max", "mapping", "Shape: the maximum of a gauge by labels", table="max"),
    Field("sum", "mapping", "Shape: a gauge summed by labels", table="sum"),
    Field("description", "string", "What the rule computes"),
    Field("labels", "mapping", "Labels added to the recorded series", items="string"),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
)

ALERT = _table(
    Field("alert", "string", "Alert name, in CamelCase", required=True),
    Field("expr", "string", "PromQL condition (or use threshold)"),
    Field(
        "threshold",
        "mapping",
        "Shape: a series compared with a number",
        table="threshold",
    ),
    Field(
        "absent",
        "mapping",
        "Shape: a metric no longer reported, for `for`",
        table="absent",
    ),
    Field("for", "string", "How long the condition must hold before the alert fires"),
    Field(
        "severity",
        "string",
        "Value of the severity label",
        required=True,
        choices=SEVERITIES,
    ),
    Field("summary", "string", "summary annotation", required=True),
    Field("description", "string", "description annotation", required=True),
    Field(
        "runbook_url",
        "string",
        "runbook_url annotation (default: runbook_base_url/AlertName)",
    ),
    Field("labels", "mapping", "Extra labels of the alert", items="string"),
    Field(
        "impact",
        "string",
        "What users and the service suffer while the alert fires, for its runbook",
    ),
    Field(
        "mitigation",
        "string",
        "What the on-call engineer does to stop the harm, for its runbook",
    ),
    Field(
        "tests",
        "list",
        "promtool test groups for this alert (input_series, alert_rule_test, ...)",
        items="test_case",
    ),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
)

DASHBOARD = _table(
    Field("title", "string", "Dashboard title", required=True),
    Field("uid", "string", "Grafana uid (default: NAMESPACE-GROUP)"),
    Field("tags", "list", "Extra dashboard tags", items="string"),
    Field(
        "panels",
        "list",
        "Panels, laid out left to right",
        required=True,
        items="panel",
    ),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
)

PANEL = _table(
    Field("title", "string", "Panel title", required=True),
    Field("type", "string", "Panel type (default: timeseries)", choices=PANEL_TYPES),
    Field(
        "unit",
        "string",
        "Grafana unit id of the values, such as s, bytes, percentunit, reqps",
        required=True,
    ),
    Field("query", "string", "PromQL query (or use queries)"),
    Field("legend", "string", "Legend format of query, such as {{method}}"),
    Field(
        "queries", "list", "Several queries, each with query and legend", items="query"
    ),
    Field("rate", "mapping", "Shape of the query: a counter per second", table="rate"),
    Field(
        "ratio",
        "mapping",
        "Shape of the query: one sum divided by another",
        table="ratio",
    ),
    Field(
        "average", "mapping", "Shape of the query: _sum over _count", table="average"
    ),
    Field(
        "quantile",
        "mapping",
        "Shape of the query: a quantile of a histogram",
        table="quantile",
    ),
    Field("max", "mapping", "Shape of the query: the maximum of a gauge", table="max"),
    Field(
        "sum", "mapping", "Shape of the query: a gauge summed by labels", table="sum"
    ),
    Field("description", "string", "Panel description"),
    Field("width", "integer", "Width in grid columns, 1 to 24 (default: 12)"),
    Field("height", "integer", "Height in grid rows (default: 8)"),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
)

QUERY = _table(
    Field("query", "string", "PromQL query", required=True),
    Field("legend", "string", "Legend format, such as {{method}}"),
)

CARDINALITY = _table(
    Field("max_series", "integer", "Maximum series of all metrics, per scrape target"),
    Field(
        "max_series_per_metric",
        "integer",
        "Maximum series of one metric, per scrape target",
    ),
)

ACKNOWLEDGEMENT = _table(
    Field(
        "check",
        "string",
        "Id of the lint check, such as cardinality/unbounded-label",
        required=True,
    ),
    Field("reason", "string", "Why the finding is accepted", required=True),
)

KUBERNETES = _table(
    Field(
        "name",
        "string",
        "metadata.name of the PrometheusRule (default: NAMESPACE-rules)",
    ),
    Field(
        "namespace",
        "string",
        "metadata.namespace of the PrometheusRule (default: the namespace that "
        "kubectl applies it to)",
    ),
    Field(
        "labels",
        "mapping",
        "metadata.labels of the PrometheusRule, such as the labels that a "
        "Prometheus resource's ruleSelector matches",
        items="string",
    ),
)

GRAFANA = _table(
    Field(
        "folder",
        "string",
        "Grafana folder of the spec's dashboards (default: the namespace)",
    ),
    Field(
        "path",
        "string",
        "Folder on the Grafana server that holds grafana/dashboards/NAMESPACE "
        "(default: /var/lib/grafana/dashboards/NAMESPACE)",
    ),
)

RULE_SHAPES = ("rate", "ratio", "average", "quantile", "max", "sum")
ALERT_SHAPES = ("threshold", "absent")

_BY = Field("by", "list", "Labels to keep, such as [job, method]", items="string")
_WINDOW = Field(
    "window",
    "string",
    "Range of the rate, such as 5m; in a panel, $__rate_interval by default",
)

RATE = _table(
    Field(
        "metric", "string", 'A counter selector, such as x_total{a="b"}', required=True
    ),
    _BY,
    _WINDOW,
)

RATIO = _table(
    Field(
        "numerator",
        "selectors",
        "A selector, or a list of selectors to add",
        required=True,
    ),
    Field(
        "denominator",
        "selectors",
        "A selector, or a list of selectors to add",
        required=True,
    ),
    _BY,
    Field("window", "string", "Range of the rates of counters; omit it for gauges"),
)

AVERAGE = _table(
    Field("metric", "string", "A histogram or summary", required=True),
    _BY,
    _WINDOW,
)

QUANTILE = _table(
    Field("metric", "string", "A histogram", required=True),
    Field(
        "quantile",
        "number",
        "The quantile, between 0 and 1, such as 0.95",
        required=True,
    ),
    _BY,
    _WINDOW,
)

SUM = _table(
    Field("metric", "string", "A gauge selector", required=True),
    _BY,
)

MAX = _table(
    Field(
        "metric",
        "string",
        "A gauge selector, or a recording rule of the group written as a shape",
        required=True,
    ),
    _BY,
    Field("window", "string", "Range of max_over_time; omit it for the latest value"),
)

THRESHOLD = _table(
    Field("metric", "string", "A gauge or recorded series selector", required=True),
    Field("above", "number", "Fire while the value is above this number"),
    Field("below", "number", "Fire while the value is below this number"),
)

ABSENT = _table(
    Field(
        "metric",
        "string",
        "A selector that should always match a series",
        required=True,
    ),
)

SHAPE_TABLES = {
    "absent": ABSENT,
    "rate": RATE,
    "ratio": RATIO,
    "average": AVERAGE,
    "quantile": QUANTILE,
    "max": MAX,
    "sum": SUM,
    "threshold": THRESHOLD,
}

SLO = _table(
    Field(
        "name",
        "string",
        "SLO name in lower case with dashes, such as requests-availability",
        required=True,
    ),
    Field("description", "string", "What users get when the SLO is met", required=True),
    Field(
        "objective",
        "number",
        "Share of good events to reach, in percent, such as 99.9",
        required=True,
    ),
    Field("period", "string", "The compliance period (default: 30d)"),
    Field("errors", "string", "Selector of a counter of failed events"),
    Field("total", "string", "Selector of a counter of all events"),
    Field(
        "latency",
        "mapping",
        "A histogram and the bound that good events stay under",
        table="slo_latency",
    ),
    Field(
        "alert",
        "string",
        "Stem of the two alert names, in CamelCase (default: from the name)",
    ),
    Field(
        "page_severity",
        "string",
        "Severity of the fast-burn alert (default: critical)",
        choices=SEVERITIES,
    ),
    Field(
        "ticket_severity",
        "string",
        "Severity of the slow-burn alert (default: warning)",
        choices=SEVERITIES,
    ),
    Field("labels", "mapping", "Extra labels of the alerts", items="string"),
    Field(
        "impact",
        "string",
        "What users suffer while the budget burns, for the runbooks",
    ),
    Field(
        "mitigation",
        "string",
        "What the on-call engineer does to stop the burn, for the runbooks",
    ),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
        items="acknowledgement",
    ),
)

SLO_LATENCY = _table(
    Field(
        "metric",
        "string",
        "Selector of a histogram, by its family name",
        required=True,
    ),
    Field(
        "below",
        "number",
        "A bucket bound: events faster than it are good",
        required=True,
    ),
)

TEST_CASE = _table(
    Field("name", "string", "What the case shows"),
    Field("interval", "string", "Time between input samples (default: 1m)"),
    Field(
        "input_series",
        "list",
        "Series as promtool reads them: series, values",
        required=True,
        items="mapping",
    ),
    Field("alert_rule_test", "list", "Alerts expected at eval_time", items="mapping"),
    Field(
        "promql_expr_test",
        "list",
        "Expression values expected at eval_time",
        items="mapping",
    ),
)

# Every table by the name that Field.table and Field.items use.
TABLES = {
    "spec": SPEC,
    "group": GROUP,
    "metric": METRIC,
    "label": LABEL,
    "recording_rule": RECORDING_RULE,
    "alert": ALERT,
    "dashboard": DASHBOARD,
    "panel": PANEL,
    "query": QUERY,
    "cardinality": CARDINALITY,
    "acknowledgement": ACKNOWLEDGEMENT,
    "kubernetes": KUBERNETES,
    "grafana": GRAFANA,
    "rate": RATE,
    "ratio": RATIO,
    "average": AVERAGE,
    "quantile": QUANTILE,
    "max": MAX,
    "sum": SUM,
    "threshold": THRESHOLD,
    "absent": ABSENT,
    "test_case": TEST_CASE,
    "slo": SLO,
    "slo_latency": SLO_LATENCY,
}

# Tables whose items may also be written in the plan's short form, a mapping of
# one name to a text such as `- method: enum[GET, POST]`.
SHORT_FORM_TABLES = frozenset({"label"})
