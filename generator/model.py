"""The internal model that renderers read: names normalised, defaults applied.

The spec schema (what users write) lives in `schema.py`; `build.py` turns a
validated spec into these objects. Every object is immutable, and every
collection is a tuple in a stable order, so that rendering is deterministic.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple


class Location(NamedTuple):
    """A position in a spec file: 1-based line and column.

    A named tuple, not a dataclass, because the loader makes one per key and
    value of the spec, and a tuple is smaller and quicker to create.
    """

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class MetricType(enum.StrEnum):
    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    SUMMARY = "summary"


class LabelKind(enum.StrEnum):
    STRING = "string"
    INT = "int"
    ENUM = "enum"


class Source(enum.StrEnum):
    """The way a metric's values reach the registry."""

    DIRECT = "direct"  # the service calls inc/set/observe
    CALLBACK = "callback"  # a callback reads the value at scrape time


@dataclass(frozen=True)
class Label:
    name: str
    kind: LabelKind
    values: tuple[str, ...] = ()  # the allowed values of an enum label
    description: str = ""
    location: Location | None = field(default=None, compare=False)
    max_values: int | None = None  # declared bound of a string or int label

    @property
    def value_count(self) -> int | None:
        """Return how many values the label can take, or None when unbounded."""
        return len(self.values) if self.kind is LabelKind.ENUM else self.max_values


@dataclass(frozen=True)
class Metric:
    """One metric family, with its exposed names."""

    key: str  # the name as the spec writes it
    name: str  # the name to pass to prometheus-client, `_total` included
    type: MetricType
    description: str
    group: str
    unit: str = ""
    labels: tuple[Label, ...] = ()
    buckets: tuple[float, ...] = ()  # upper bounds, ascending, without +Inf
    source: Source = Source.DIRECT
    location: Location | None = field(default=None, compare=False)
    # How prometheus-client merges a direct gauge across processes; "" otherwise.
    multiprocess_mode: str = ""
    source_location: Location | None = field(default=None, compare=False)

    @property
    def family(self) -> str:
        """The metric family name: a counter's name without `_total`."""
        if self.type is MetricType.COUNTER:
            return self.name.removesuffix("_total")
        return self.name

    @property
    def sample_names(self) -> tuple[str, ...]:
        """Every sample name this family exposes, `_created` included."""
        family = self.family
        if self.type is MetricType.COUNTER:
            return (f"{family}_total", f"{family}_created")
        if self.type is MetricType.GAUGE:
            return (family,)
        if self.type is MetricType.HISTOGRAM:
            suffixes = ("_bucket", "_count", "_sum", "_created")
        else:
            suffixes = ("", "_count", "_sum", "_created")
        return tuple(family + suffix for suffix in suffixes)

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.labels)


@dataclass(frozen=True)
class Selector:
    """One series selector of a shape: a sample name and equality matchers."""

    metric: str  # as written in PromQL, such as compozy_http_requests_total
    matchers: tuple[tuple[str, str], ...] = ()


class ShapeKind(enum.StrEnum):
    """The declarative forms that promspec expands into PromQL."""

    RATE = "rate"
    RATIO = "ratio"
    AVERAGE = "average"
    QUANTILE = "quantile"
    MAX = "max"
    SUM = "sum"
    THRESHOLD = "threshold"
    ABSENT = "absent"


@dataclass(frozen=True)
class Shape:
    """A recording rule or alert written as a shape; `expr` is expanded from it."""

    kind: ShapeKind
    selectors: tuple[Selector, ...]  # summed; a ratio's numerator
    denominator: tuple[Selector, ...] = ()  # summed; ratio only
    by: tuple[str, ...] = ()
    window: str = ""  # range of rate or max_over_time; empty for gauges
    quantile: float = 0.0
    operator: str = ""  # threshold only: >, >=, < or <=
    value: float = 0.0  # threshold only


@dataclass(frozen=True)
class RecordingRule:
    record: str
    expr: str
    description: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    location: Location | None = field(default=None, compare=False)
    expr_location: Location | None = field(default=None, compare=False)
    # The expression as written in the file, from expr_location on: quotes,
    # indentation and line breaks included, to place a position inside it.
    expr_source: str = field(default="", compare=False)
    shape: Shape | None = None  # set when the spec writes a shape, not expr


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    severity: str
    summary: str
    description: str
    runbook_url: str
    for_: str = ""  # empty when the spec gives no `for`
    labels: tuple[tuple[str, str], ...] = ()  # extra labels, severity excluded
    location: Location | None = field(default=None, compare=False)
    expr_location: Location | None = field(default=None, compare=False)
    expr_source: str = field(default="", compare=False)  # as in RecordingRule
    # Where the summary and description are written, by key.
    annotation_locations: tuple[tuple[str, Location], ...] = field(
        default=(), compare=False
    )
    impact: str = ""  # for the runbook: what users suffer while it fires
    mitigation: str = ""  # for the runbook: what the on-call engineer does
    shape: Shape | None = None  # set when the spec writes a shape, not expr
    # promtool test groups that the author wrote next to the alert, as JSON.
    cases: tuple[str, ...] = ()


class PanelType(enum.StrEnum):
    TIMESERIES = "timeseries"
    HEATMAP = "heatmap"
    STAT = "stat"
    GAUGE = "gauge"
    TABLE = "table"


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""
    location: Location | None = field(default=None, compare=False)
    field_path: str = field(default="", compare=False)  # for messages
    source: str = field(default="", compare=False)  # as in RecordingRule.expr_source
    legend_location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Panel:
    title: str
    type: PanelType
    unit: str  # a Grafana unit id, such as "s", "bytes" or "percent"
    queries: tuple[Query, ...]
    description: str = ""
    width: int = 12
    height: int = 8
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Dashboard:
    title: str
    uid: str
    panels: tuple[Panel, ...]
    tags: tuple[str, ...] = ()
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    metrics: tuple[Metric, ...]
    recording_rules: tuple[RecordingRule, ...] = ()
    alerts: tuple[Alert, ...] = ()
    dashboard: Dashboard | None = None
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Acknowledgement:
    """A lint finding that the spec accepts, with the reason, next to what it is about."""

    check: str  # the check's id, such as "cardinality/unbounded-label"
    reason: str
    owner: str  # field path of the object it sits in; covers findings below it
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CardinalityBudget:
    """Maximum series per scrape target, in total and per metric (None: no limit)."""

    max_series: int | None = None
    max_series_per_metric: int | None = None
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class KubernetesMeta:
    """Metadata of the spec's PrometheusRule resource."""

    name: str
    namespace: str = ""  # empty: the namespace that kubectl applies it to
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class GrafanaProvisioning:
    """The path where Grafana's file provider finds the spec's dashboards, and their folder."""

    folder: str
    path: str  # the folder on the Grafana server


@dataclass(frozen=True)
class Spec:
    """One spec file, validated and normalised."""

    path: str  # as given on the command line, for messages
    source_name: str  # the file name alone, for stamps in generated files
    version: int
    namespace: str
    groups: tuple[Group, ...]
    module: str  # the generated Python module's name
    description: str = ""
    scrape_interval: float | None = None  # seconds, when the spec states it
    scrape_interval_location: Location | None = field(default=None, compare=False)
    budget: CardinalityBudget = CardinalityBudget()
    acknowledgements: tuple[Acknowledgement, ...] = ()
    runbook_base_url: str = ""
    kubernetes: KubernetesMeta | None = None  # None: the default metadata
    grafana: GrafanaProvisioning | None = None  # None: the default provisioning
    multiprocess: bool = False  # workers use prometheus-client's multiprocess mode

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return tuple(metric for group in self.groups for metric in group.metrics)

    @property
    def rule_resource(self) -> KubernetesMeta:
        """The PrometheusRule metadata: the spec's, or NAMESPACE-rules by default."""
        default = KubernetesMeta(f"{self.namespace}-rules".replace("_", "-"))
        return self.kubernetes or default

    @property
    def provisioning(self) -> GrafanaProvisioning:
        """The Grafana folder and server path: the spec's, or from the namespace."""
        default_path = f"/var/lib/grafana/dashboards/{self.namespace}"
        return self.grafana or GrafanaProvisioning(self.namespace, default_path)

    @property
    def recording_rules(self) -> tuple[RecordingRule, ...]:
        return tuple(rule for group in self.groups for rule in group.recording_rules)

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return tuple(alert for group in self.groups for alert in group.alerts)
