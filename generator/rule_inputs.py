"""Input series for rule tests, and the values that a shape means over them.

A driver turns a target (a value, or for a quantile the bucket that contains
every observation) into series: counters as a slope per second, gauges as a
level. The simulation then computes, from those samples alone, what the
shape means at each minute: a rate is the increase over the window divided
by its length, a ratio divides two such sums, a quantile interpolates within
a bucket. Samples fall every minute and the checked minutes lie at least one
window after the start, so each window is covered exactly by samples and
Prometheus' extrapolation does not change the value.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from promspec.model import (
    Label,
    LabelKind,
    Matcher,
    Metric,
    MetricType,
    Selector,
    Shape,
    ShapeKind,
)

STEP_SECONDS = 60
SCALE = 16.0  # total slope or level of a ratio's denominator; keeps fractions exact
TEST_JOB = {"job": "promspec-test", "instance": "localhost:8000"}


class NotTestable(Exception):
    """The rule or alert cannot get generated tests; the message gives the reason."""


@dataclass(frozen=True)
class InputSeries:
    name: str
    labels: tuple[tuple[str, str], ...]
    counter: bool  # slopes per second when true, levels when false

    def text(self) -> str:
        pairs = ", ".join(f'{key}="{value}"' for key, value in self.labels)
        return f"{self.name}{{{pairs}}}"


@dataclass(frozen=True)
class Driver:
    """The input series of one shape, and the way to read its value from samples."""

    shape: Shape
    metrics: dict[str, Metric]  # by the selector's metric name
    overrides: tuple[tuple[str, str], ...] = ()  # label values an alert selects
    inner: Driver | None = None  # the shaped recording rule that a max reads

    def with_overrides(self, overrides: tuple[tuple[str, str], ...]) -> Driver:
        inner = self.inner.with_overrides(overrides) if self.inner else None
        return dataclasses.replace(self, overrides=overrides, inner=inner)

    def window_steps(self) -> int:
        return (
            parse_seconds(self.shape.window) // STEP_SECONDS if self.shape.window else 0
        )

    def series(self, target: float) -> dict[InputSeries, float]:
        """Return each input series with its slope or level for the target."""
        if self.inner is not None:
            return self.inner.series(target)
        return _SERIES[self.shape.kind](self, target)

    def output_labels(self) -> dict[str, str]:
        if self.inner is not None:
            labels = self.inner.output_labels()
        else:
            labels = self.labels_for(self.shape.selectors[0], ())
        return {key: labels[key] for key in self.shape.by if key in labels}

    def labels_for(
        self, selector: Selector, avoid: tuple[Matcher, ...]
    ) -> dict[str, str]:
        """Return the labels of a series that the selector matches and avoid does not.

        The series fails every matcher in `avoid`.
        """
        metric = self.metrics[selector.metric]
        fixed = {**dict(self.overrides), **selector.equalities}
        labels = {name: fixed.get(name, value) for name, value in TEST_JOB.items()}
        for label in metric.labels:
            required = [m for m in selector.matchers if m.name == label.name]
            excluded = [m for m in avoid if m.name == label.name]
            labels[label.name] = fixed.get(label.name) or free_value(
                label, required, excluded
            )
        return dict(sorted(labels.items()))


def free_value(label: Label, required: list[Matcher], excluded: list[Matcher]) -> str:
    """Return a value of the label that every required matcher accepts and no excluded one."""
    choices = (
        label.values
        if label.kind is LabelKind.ENUM
        else ("200", "404", "503")
        if label.kind is LabelKind.INT
        else ("a", "b", "c")
    )
    for value in choices:
        if all(m.accepts(value) for m in required) and not any(
            m.accepts(value) for m in excluded
        ):
            return value
    matchers = ", ".join(f'{m.name}{m.op}"{m.value}"' for m in required + excluded)
    raise NotTestable(f"no test value of {label.name} fits {matchers}")


_UNITS = {
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 604800,
    "y": 31536000,
}


def parse_seconds(duration: str) -> int:
    """Return a Prometheus duration, such as 1h30m, in whole seconds."""
    parts = re.findall(r"([0-9]+)(ms|s|m|h|d|w|y)", duration)
    return int(sum(int(number) * _UNITS[unit] for number, unit in parts))


def _series(
    driver: Driver,
    selector: Selector,
    suffix: str = "",
    avoid: tuple[Matcher, ...] = (),
    extra: tuple[tuple[str, str], ...] = (),
) -> InputSeries:
    metric = driver.metrics[selector.metric]
    labels = {**driver.labels_for(selector, avoid), **dict(extra)}
    counter = metric.type is not MetricType.GAUGE
    return InputSeries(
        metric.family + suffix if suffix else selector.metric,
        tuple(sorted(labels.items())),
        counter,
    )


def _rate_series(driver: Driver, target: float) -> dict[InputSeries, float]:
    return {_series(driver, driver.shape.selectors[0]): target}


def _max_series(driver: Driver, target: float) -> dict[InputSeries, float]:
    return {_series(driver, driver.shape.selectors[0]): target}


def _average_series(driver: Driver, target: float) -> dict[InputSeries, float]:
    selector = driver.shape.selectors[0]
    return {
        _series(driver, selector, "_sum"): target * SCALE,
        _series(driver, selector, "_count"): SCALE,
    }


def _quantile_series(driver: Driver, target: float) -> dict[InputSeries, float]:
    """Put every observation into the bucket with index `target`."""
    selector = driver.shape.selectors[0]
    bounds = driver.metrics[selector.metric].buckets + (float("inf"),)
    return {
        _series(driver, selector, "_bucket", extra=(("le", _le(bound)),)): SCALE
        if index >= target
        else 0.0
        for index, bound in enumerate(bounds)
    }


def _le(bound: float) -> str:
    return "+Inf" if bound == float("inf") else repr(float(bound))


def _ratio_series(driver: Driver, target: float) -> dict[InputSeries, float]:
    shape = driver.shape
    avoid = tuple(pair for selector in shape.selectors for pair in selector.matchers)
    numerator = [_series(driver, selector) for selector in shape.selectors]
    rest = [_series(driver, selector, avoid=avoid) for selector in shape.denominator]
    rest = [series for series in rest if series not in numerator]
    if not rest:
        raise NotTestable("the denominator counts only the numerator's series")
    inside = _inside(numerator, shape.denominator)
    slopes = dict.fromkeys(numerator + rest, 0.0)
    slopes[numerator[0]] = target * SCALE
    slopes[rest[0]] = SCALE - target * SCALE if inside else SCALE
    return slopes


def _inside(numerator: list[InputSeries], denominator: tuple[Selector, ...]) -> bool:
    """Tell whether the numerator's series are also counted in the denominator."""
    return any(
        matches(series, selector) for series in numerator for selector in denominator
    )


def matches(series: InputSeries, selector: Selector) -> bool:
    labels = dict(series.labels)
    return series.name == selector.metric and all(
        m.accepts(labels.get(m.name, "")) for m in selector.matchers
    )


_SERIES = {
    ShapeKind.RATE: _rate_series,
    ShapeKind.RATIO: _ratio_series,
    ShapeKind.AVERAGE: _average_series,
    ShapeKind.QUANTILE: _quantile_series,
    ShapeKind.MAX: _max_series,
    ShapeKind.THRESHOLD: _max_series,
    ShapeKind.SUM: _max_series,
}


class Samples:
    """The samples of a driver's series over phases of (target, minutes)."""

    def __init__(self, driver: Driver, phases: list[tuple[float, int]]) -> None:
        self.driver = driver
        steps = [target for target, minutes in phases for _ in range(minutes)]
        per_step = [driver.series(target) for target in steps]
        self.values = {
            key: _samples(key, [rates[key] for rates in per_step])
            for key in per_step[0]
        }
        self.last = len(steps)

    def value(self, minute: int, driver: Driver | None = None) -> float | None:
        """Return what the shape means at the minute, or None when it has no result."""
        driver = driver or self.driver
        window = driver.window_steps()
        if driver.inner is not None:
            found = [
                self.value(m, driver.inner) for m in range(minute - window, minute + 1)
            ]
            return max((v for v in found if v is not None), default=None)
        quantities = {
            key: _quantity(values, minute, window, key.counter)
            for key, values in self.values.items()
        }
        return _MEANINGS[driver.shape.kind](driver.shape, quantities)


def _samples(key: InputSeries, rates: list[float]) -> list[float]:
    if not key.counter:
        return rates[:1] + rates
    values = [0.0]
    for rate in rates:
        values.append(values[-1] + rate * STEP_SECONDS)
    return values


def _quantity(values: list[float], minute: int, window: int, counter: bool) -> float:
    """Return a series' rate over the window (counters) or its level (gauges).

    NOTE: this is the rate of Prometheus 2.x (promtool 2.42 here), whose range
    includes the sample at the window's start. Prometheus 3 leaves it out and
    extrapolates, which gives other values in a window where the slope changes.
    """
    if counter:
        return (values[minute] - values[minute - window]) / (window * STEP_SECONDS)
    return max(values[minute - window : minute + 1])


def _total(
    shape: Shape, quantities: dict[InputSeries, float], selectors: tuple[Selector, ...]
) -> float:
    return sum(
        q for key, q in quantities.items() if any(matches(key, s) for s in selectors)
    )


def _suffixed(quantities: dict[InputSeries, float], suffix: str) -> float:
    return sum(q for key, q in quantities.items() if key.name.endswith(suffix))


def _rate_meaning(shape: Shape, quantities: dict[InputSeries, float]) -> float | None:
    return sum(quantities.values())


def _max_meaning(shape: Shape, quantities: dict[InputSeries, float]) -> float | None:
    return max(quantities.values())


def _ratio_meaning(shape: Shape, quantities: dict[InputSeries, float]) -> float | None:
    denominator = _total(shape, quantities, shape.denominator)
    return (
        _total(shape, quantities, shape.selectors) / denominator
        if denominator > 0
        else None
    )


def _average_meaning(
    shape: Shape, quantities: dict[InputSeries, float]
) -> float | None:
    count = _suffixed(quantities, "_count")
    return _suffixed(quantities, "_sum") / count if count > 0 else None


def _quantile_meaning(
    shape: Shape, quantities: dict[InputSeries, float]
) -> float | None:
    buckets = sorted(
        (float(dict(key.labels)["le"]), q) for key, q in quantities.items()
    )
    return bucket_quantile(shape.quantile, buckets)


def bucket_quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """Interpolate a quantile within cumulative buckets, as histogram_quantile does."""
    observations = buckets[-1][1]
    if observations == 0:
        return None
    rank = q * observations
    index = next(i for i, (_, count) in enumerate(buckets) if count >= rank)
    if index == len(buckets) - 1:
        return buckets[-2][0]
    start, end, count = 0.0, buckets[index][0], buckets[index][1]
    if index > 0:
        start = buckets[index - 1][0]
        count -= buckets[index - 1][1]
        rank -= buckets[index - 1][1]
    return start + (end - start) * (rank / count)


_MEANINGS = {
    ShapeKind.RATE: _rate_meaning,
    ShapeKind.RATIO: _ratio_meaning,
    ShapeKind.AVERAGE: _average_meaning,
    ShapeKind.QUANTILE: _quantile_meaning,
    ShapeKind.MAX: _max_meaning,
    ShapeKind.THRESHOLD: _max_meaning,
    ShapeKind.SUM: _rate_meaning,
}
