"""The internal model that renderers read: names normalised, defaults applied.

The spec schema (what users write) lives in `schema.py`; `build.py` turns a
validated spec into these objects. Every object is immutable, and every
collection is a tuple in a stable order, so that rendering is deterministic.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from fractions import Fraction
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


class Matcher(NamedTuple):
    """One label matcher of a selector, such as status_code=~"5.."."""

    name: str
    value: str
    op: str = "="  # =, !=, =~ or !~

    def accepts(self, value: str) -> bool:
        """Tell whether a series with this label value matches, as Prometheus decides."""
        if self.op in ("=", "!="):
            found = value == self.value
        else:
            # Prometheus anchors regular expressions at both ends.
            found = re.fullmatch(self.value, value) is not None
        return found if self.op in ("=", "=~") else not found


@dataclass(frozen=True)
class Selector:
    """One series selector of a shape or an SLO: a sample name and label matchers."""

    metric: str  # as written in PromQL, such as compozy_http_requests_total
    matchers: tuple[Matcher, ...] = ()

    @property
    def equalities(self) -> dict[str, str]:
        """The label values that the selector fixes with `=`."""
        return {m.name: m.value for m in self.matchers if m.op == "="}


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
    slo: str = ""  # the name of the SLO that the rule was generated for

    @property
    def key(self) -> str:
        """The rule's name; with its sloth_id for an SLO's, since SLOs share names."""
        if not self.slo:
            return self.record
        return f'{self.record}{{sloth_id="{dict(self.labels)["sloth_id"]}"}}'


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
    slo: str = ""  # the name of the SLO that the alert was generated for


class PanelType(enum.StrEnum):
    TIMESERIES = "timeseries"
    HEATMAP = "heatmap"
    STAT = "stat"
    GAUGE = "gauge"
    TABLE = "table"
    # A row's title heads the panels below it. Specs cannot ask for one: only
    # the SLO dashboard uses rows, one per SLO.
    ROW = "row"


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""
    location: Location | None = field(default=None, compare=False)
    field_path: str = field(default="", compare=False)  # for messages
    source: str = field(default="", compare=False)  # as in RecordingRule.expr_source
    legend_location: Location | None = field(default=None, compare=False)


class Threshold(NamedTuple):
    """One step of a panel's thresholds: the colour from value up to the next step."""

    value: float | None  # None for the base step, below every other value
    color: str  # a Grafana colour name, such as "red"


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
    # Empty: Grafana's default steps. A time series panel draws each step as a line.
    thresholds: tuple[Threshold, ...] = ()
    decimals: int | None = None  # None: Grafana picks the number of decimals
    field_path: str = field(default="", compare=False)  # for messages


@dataclass(frozen=True)
class Dashboard:
    title: str
    uid: str
    panels: tuple[Panel, ...]
    tags: tuple[str, ...] = ()
    location: Location | None = field(default=None, compare=False)


class BurnRateAlert(NamedTuple):
    """One multi-window burn-rate condition, as in the Google SRE workbook."""

    factor: Fraction  # how many times faster than the objective allows
    long_window: str
    short_window: str


# A page when a 30-day budget would last about 2 or 5 days, a ticket when it
# would last about 10 or 30 days.
PAGE_CONDITIONS = (
    BurnRateAlert(Fraction("14.4"), "1h", "5m"),
    BurnRateAlert(Fraction(6), "6h", "30m"),
)
TICKET_CONDITIONS = (
    BurnRateAlert(Fraction(3), "1d", "2h"),
    BurnRateAlert(Fraction(1), "3d", "6h"),
)
SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


@dataclass(frozen=True)
class SLO:
    """A service level objective: the share of good events over a period.

    The indicator is either an error and a total counter selector, or a
    histogram selector with the bucket bound that good events stay under.
    """

    name: str  # the sloth_slo label, such as requests-availability
    service: str  # the sloth_service label: the spec's namespace
    description: str
    objective: Fraction  # as a share, such as 999/1000 for 99.9%
    period: str  # such as 30d
    alert: str  # the alert names' stem, such as RequestsAvailability
    errors: Selector | None = None
    total: Selector | None = None
    latency: Selector | None = None  # a histogram's family name with matchers
    below: float = 0.0  # the latency bound: a bucket's upper bound
    page_severity: str = "critical"
    ticket_severity: str = "warning"
    labels: tuple[tuple[str, str], ...] = ()  # extra labels of the alerts
    impact: str = ""
    mitigation: str = ""
    location: Location | None = field(default=None, compare=False)
    field_path: str = field(default="", compare=False)  # such as groups.http.slos[0]
    # Where errors, total, latency.metric and latency.below are written.
    field_locations: tuple[tuple[str, Location], ...] = field(default=(), compare=False)

    def where(self, key: str) -> Location | None:
        """Return where a field of the SLO is written, or the SLO's own position."""
        return dict(self.field_locations).get(key, self.location)

    @property
    def id(self) -> str:
        """The sloth_id label, unique across services."""
        return f"{self.service}-{self.name}"

    @property
    def error_budget(self) -> Fraction:
        return 1 - self.objective

    @property
    def objective_percent(self) -> str:
        """The objective as the spec writes it, such as 99.9."""
        return decimal_text(self.objective * 100)


def decimal_text(value: Fraction) -> str:
    """Write a fraction with a finite decimal expansion, such as 0.001 or 99.95."""
    whole, rest = divmod(value.numerator, value.denominator)
    digits = ""
    while rest and len(digits) < 30:
        rest *= 10
        digit, rest = divmod(rest, value.denominator)
        digits += str(digit)
    return f"{whole}.{digits}" if digits else str(whole)


@dataclass(frozen=True)
class Group:
    name: str
    description: str
    metrics: tuple[Metric, ...]
    recording_rules: tuple[RecordingRule, ...] = ()
    alerts: tuple[Alert, ...] = ()
    dashboard: Dashboard | None = None
    location: Location | None = field(default=None, compare=False)
    slos: tuple[SLO, ...] = ()

    def item_field(self, key: str, index: int) -> str:
        """Return the field path of the recording rule or alert at index in `key`.

        The rules and alerts generated for an SLO are under the SLO, as
        groups.GROUP.slos[I].KEY[N], so that the SLO's `acknowledge:` covers them.
        """
        items = getattr(self, key)
        item = items[index]
        if not item.slo:
            return f"groups.{self.name}.{key}[{index}]"
        slo = next(slo for slo in self.slos if slo.name == item.slo)
        siblings = [other for other in items if other.slo == item.slo]
        number = next(n for n, other in enumerate(siblings) if other is item)
        return f"{slo.field_path}.{key}[{number}]"


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
    slo_dashboard: Dashboard | None = None  # one row per SLO; None without SLOs

    @property
    def metrics(self) -> tuple[Metric, ...]:
        return tuple(metric for group in self.groups for metric in group.metrics)

    @property
    def slos(self) -> tuple[SLO, ...]:
        return tuple(slo for group in self.groups for slo in group.slos)

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
