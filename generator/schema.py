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
    kind: str  # string, integer, number, mapping, list
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()


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
    Field("groups", "mapping", "Metric groups by name", required=True),
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
    ),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
    ),
    Field(
        "multiprocess",
        "boolean",
        "Whether workers run the module in prometheus-client's multiprocess mode",
    ),
)

GROUP = _table(
    Field("description", "string", "What the group covers"),
    Field("metrics", "mapping", "Metrics by name, written without the namespace"),
    Field("recording_rules", "list", "Recording rules of the group"),
    Field("alerts", "list", "Alerting rules of the group"),
    Field("dashboard", "mapping", "The group's Grafana dashboard"),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
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
    ),
    Field("buckets", "list", "Histogram bucket upper bounds, ascending"),
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
    ),
)

LABEL = _table(
    Field("name", "string", "Label name", required=True),
    Field("type", "string", "Label type", choices=LABEL_TYPES),
    Field("values", "list", "Allowed values; makes the label an enum"),
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
    ),
)

RECORDING_RULE = _table(
    Field(
        "record",
        "string",
        "Name of the recorded series, as level:metric:operations",
        required=True,
    ),
    Field("expr", "string", "PromQL expression", required=True),
    Field("description", "string", "What the rule computes"),
    Field("labels", "mapping", "Labels added to the recorded series"),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
    ),
)

ALERT = _table(
    Field("alert", "string", "Alert name, in CamelCase", required=True),
    Field("expr", "string", "PromQL condition", required=True),
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
    Field("labels", "mapping", "Extra labels of the alert"),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
    ),
)

DASHBOARD = _table(
    Field("title", "string", "Dashboard title", required=True),
    Field("uid", "string", "Grafana uid (default: NAMESPACE-GROUP)"),
    Field("tags", "list", "Extra dashboard tags"),
    Field("panels", "list", "Panels, laid out left to right", required=True),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
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
    Field("queries", "list", "Several queries, each with query and legend"),
    Field("description", "string", "Panel description"),
    Field("width", "integer", "Width in grid columns, 1 to 24 (default: 12)"),
    Field("height", "integer", "Height in grid rows (default: 8)"),
    Field(
        "acknowledge",
        "list",
        "Lint findings accepted here, each with check and reason",
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
