"""The kind and the labels of each series name in a spec, and of computed values."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from promspec.model import Label, LabelKind, Metric, MetricType, RecordingRule, Spec

# Prometheus adds these to every series it scrapes, from the scrape target.
TARGET_LABELS = ("instance", "job")
# The multiprocess modes of a gauge that keep one series per process.
PID_MODES = ("all", "liveall")
# Series that Prometheus itself records for every scrape target.
SCRAPE_SERIES = (
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
)

Labels = Mapping[str, Label | None]  # label name -> its schema (None: no schema)


class Kind(enum.Enum):
    """Sample kind of a value, which decides whether rate() or raw use is right."""

    COUNTER = "counter"  # only goes up; read it through rate() or increase()
    GAUGE = "gauge"  # a level, or anything computed from samples
    SCALAR = "scalar"
    UNKNOWN = "unknown"  # such as an unknown metric: no check applies


@dataclass(frozen=True)
class Value:
    """Facts about the result of an expression or sub-expression, from the spec."""

    kind: Kind
    labels: Labels | None  # None when not known, such as for an unknown metric
    families: frozenset[str] = frozenset()  # the metric families it selects
    filtered: frozenset[str] = frozenset()  # labels fixed by an = matcher
    counter_name: str = ""  # the raw counter it still is, for messages
    counter_at: int = 0  # the counter's offset in the expression
    raw_bucket: str = ""  # a _bucket series not yet aggregated, for messages

    def with_labels(self, labels: Labels | None) -> Value:
        """Return the value with new labels; filters on dropped labels go with them."""
        kept = self.filtered & set(labels) if labels is not None else frozenset()
        return replace(self, labels=labels, filtered=frozenset(kept))

    def as_gauge(self) -> Value:
        """Return the value as computed samples: no longer a counter to rate."""
        kind = Kind.GAUGE if self.kind is not Kind.UNKNOWN else Kind.UNKNOWN
        return replace(self, kind=kind, counter_name="")


SCALAR = Value(Kind.SCALAR, None)
UNKNOWN = Value(Kind.UNKNOWN, None)
_TARGET = {name: None for name in TARGET_LABELS}


@dataclass(frozen=True)
class Sample:
    """A series name that a metric exposes."""

    metric: Metric
    kind: Kind
    labels: Labels
    suffix: str  # "_bucket", "_sum", "_count", "_created", "_total" or ""


@dataclass
class SpecIndex:
    """Every series name of a spec, for the expression checks."""

    spec: Spec
    samples: dict[str, Sample] = field(default_factory=dict)
    rules: dict[str, RecordingRule] = field(default_factory=dict)
    # The values that rules recording one name give each static label: the
    # rules of several SLOs record slo:sli_error:ratio_rate5m, one per sloth_id.
    static_values: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    scrape_series: dict[str, Value] = field(default_factory=dict)

    @classmethod
    def build(cls, spec: Spec) -> SpecIndex:
        index = cls(spec)
        for metric in spec.metrics:
            for name in metric.sample_names:
                index.samples[name] = _sample(metric, name, spec.multiprocess)
        for rule in spec.recording_rules:
            index.rules.setdefault(rule.record, rule)
            values = index.static_values.setdefault(rule.record, {})
            for name, value in rule.labels:
                values[name] = tuple(dict.fromkeys((*values.get(name, ()), value)))
        for name in SCRAPE_SERIES:
            index.scrape_series[name] = Value(
                Kind.GAUGE, {**_TARGET}, frozenset({name})
            )
        return index


def _sample(metric: Metric, name: str, multiprocess: bool) -> Sample:
    suffix = name.removeprefix(metric.family)
    labels: dict[str, Label | None] = {**_TARGET}
    labels.update({label.name: label for label in metric.labels})
    if multiprocess and metric.multiprocess_mode in PID_MODES:
        labels["pid"] = None  # MultiProcessCollector adds it, one series per process
    if suffix == "_bucket":
        labels["le"] = None
    if metric.type is MetricType.SUMMARY and suffix == "":
        labels["quantile"] = None
    return Sample(metric, _sample_kind(metric, suffix), labels, suffix)


def _sample_kind(metric: Metric, suffix: str) -> Kind:
    if suffix == "_created":
        return Kind.GAUGE  # a timestamp
    if metric.type is MetricType.GAUGE or (
        metric.type is MetricType.SUMMARY and suffix == ""
    ):
        return Kind.GAUGE
    return Kind.COUNTER


def static_label(name: str, values: tuple[str, ...]) -> Label:
    """Return the schema of a label that recording rules set to fixed values."""
    return Label(name, LabelKind.ENUM, values)
