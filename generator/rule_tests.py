"""promtool unit tests for the generated rule files, derived from what the spec means.

Each recording rule written as a shape gets a `promql_expr_test` with the
value that its input series imply. Some alerts get input series that are
normal, then cross the threshold for longer than `for`, then return to
normal. These are alerts that compare one selector with a number, where the
selector is a shaped recording rule of the same group or a gauge. The test
checks that the alert is silent under normal values and a minute before
`for` has passed. It checks that the alert fires with the expected labels
and annotations once `for` has passed, and that it resolves after.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import ge, gt, le, lt
from typing import TYPE_CHECKING, Any

from promspec import go_template
from promspec.build_shapes import split_matchers
from promspec.memo import by_identity
from promspec.model import (
    Alert,
    Group,
    Matcher,
    Metric,
    MetricType,
    RecordingRule,
    Selector,
    Shape,
    ShapeKind,
    Spec,
)
from promspec.render_rules import dump_yaml, rule_file_path, slo_rule_file_path
from promspec.rule_inputs import (
    SCALE,
    STEP_SECONDS,
    Driver,
    NotTestable,
    Samples,
    parse_seconds,
)
from promspec.shapes import number
from promspec.stamp import stamp

if TYPE_CHECKING:
    from promspec.slo_tests import SloPlan

ALERT_EXPR = re.compile(
    r"^\s*(?P<metric>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{(?P<matchers>[^}]*)\})?\s*"
    r"(?P<op>>=|<=|>|<)\s*(?P<value>[-+]?[0-9.]+(e[-+]?[0-9]+)?)\s*$"
)
MATCHER = re.compile(r'^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"([^"\\]*)"\s*$')


@dataclass
class GroupPlan:
    """The tests of one group, and the rules and alerts left without them."""

    tests: list[dict[str, Any]] = field(default_factory=list)
    tested: list[str] = field(default_factory=list)
    untested: list[tuple[RecordingRule | Alert, str]] = field(default_factory=list)
    slos: dict[str, SloPlan] = field(default_factory=dict)  # by SLO name


def test_file_path(spec: Spec, group: Group) -> str:
    return f"prometheus/tests/{spec.namespace}/{group.name}.test.yml"


def render_rule_tests(spec: Spec) -> dict[str, str]:
    """Return {path: text} of the promtool test files of every group and SLO."""
    from promspec.slo_tests import slo_test_files

    files = {}
    for group in spec.groups:
        plan = plan_group(spec, group)
        if plan.tests:
            rules = rule_file_path(spec, group)
            files[test_file_path(spec, group)] = test_file(spec, rules, 1, plan.tests)
        for slo in group.slos:
            rules = slo_rule_file_path(spec, slo)
            base = f"prometheus/tests/{spec.namespace}/slo-{slo.name}"
            for suffix, step, tests in slo_test_files(plan.slos[slo.name]):
                if tests:
                    files[base + suffix] = test_file(spec, rules, step, tests)
    return files


def test_file(spec: Spec, rules: str, step: int, tests: list[dict[str, Any]]) -> str:
    """Write a promtool test file that reads one rule file."""
    document = {
        "rule_files": ["../../" + rules.removeprefix("prometheus/")],
        "evaluation_interval": f"{step}m",
        "tests": tests,
    }
    return f"# {stamp(spec)}\n" + dump_yaml(document)


# Built once per run: the lint, the coverage note and the renderer read the plans.
@by_identity
def plan_group(spec: Spec, group: Group) -> GroupPlan:
    """Build the tests of a group's recording rules and alerts."""
    from promspec.slo_tests import plan_slos

    plan = GroupPlan()
    metrics = metric_index(spec)
    drivers: dict[str, tuple[RecordingRule, Driver]] = {}
    plan.slos = plan_slos(group, spec.metrics) if group.slos else {}
    items: list[RecordingRule | Alert] = [*group.recording_rules, *group.alerts]
    for item in (item for item in items if item.slo):
        reason = plan.slos[item.slo].untested
        if reason:
            plan.untested.append((item, reason))
        else:
            plan.tested.append(_name(item))
    for rule in (rule for rule in group.recording_rules if not rule.slo):
        try:
            driver = rule_driver(rule, metrics, drivers)
            plan.tests.append(recording_rule_test(rule, driver))
        except NotTestable as reason:
            plan.untested.append((rule, str(reason)))
            continue
        drivers[rule.record] = (rule, driver)
        plan.tested.append(rule.record)
    for alert in (alert for alert in group.alerts if not alert.slo):
        plan.tests += [json.loads(case) for case in alert.cases]
        try:
            plan.tests.append(alert_test(alert, drivers, metrics))
        except NotTestable as reason:
            if not alert.cases:
                plan.untested.append((alert, str(reason)))
                continue
        plan.tested.append(alert.name)
    return plan


def _name(item: RecordingRule | Alert) -> str:
    return item.record if isinstance(item, RecordingRule) else item.name


def metric_index(spec: Spec) -> dict[str, Metric]:
    """Return the spec's metrics by the names a selector uses for them."""
    index = {metric.family: metric for metric in spec.metrics}
    index.update({metric.name: metric for metric in spec.metrics})
    return index


_TYPES = {
    ShapeKind.RATE: (MetricType.COUNTER,),
    ShapeKind.AVERAGE: (MetricType.HISTOGRAM, MetricType.SUMMARY),
    ShapeKind.QUANTILE: (MetricType.HISTOGRAM,),
    ShapeKind.MAX: (MetricType.GAUGE,),
    ShapeKind.THRESHOLD: (MetricType.GAUGE,),
    ShapeKind.SUM: (MetricType.GAUGE,),
}


def rule_driver(
    rule: RecordingRule,
    metrics: dict[str, Metric],
    drivers: dict[str, tuple[RecordingRule, Driver]],
) -> Driver:
    """Return the driver of a shaped rule whose metrics have the types it needs."""
    shape = rule.shape
    if shape is None:
        raise NotTestable("it is raw PromQL")
    recorded = drivers.get(shape.selectors[0].metric)
    if shape.kind is ShapeKind.MAX and recorded is not None:
        return Driver(shape, metrics, inner=recorded[1])
    kinds = _TYPES.get(shape.kind) or (
        (MetricType.COUNTER,) if shape.window else (MetricType.GAUGE,)
    )
    for selector in shape.selectors + shape.denominator:
        metric = metrics.get(selector.metric)
        if metric is None or metric.type not in kinds:
            raise NotTestable(f"{selector.metric} is not a {' or '.join(kinds)}")
    return Driver(shape, metrics)


def recording_rule_test(rule: RecordingRule, driver: Driver) -> dict[str, Any]:
    """Check the rule's value over steady input series."""
    window = driver.window_steps()
    target = _typical(driver)
    samples = Samples(driver, [(target, window + 3)])
    minute = window + 2
    value = samples.value(minute)
    if value is None:
        raise NotTestable("its inputs give no value")
    labels = {**driver.output_labels(), **dict(rule.labels)}
    return {
        "name": f"{rule.record} records what its {driver.shape.kind} means",
        "interval": "1m",
        "input_series": input_series(samples),
        "promql_expr_test": [
            {
                "expr": rule.record,
                "eval_time": f"{minute}m",
                "exp_samples": [
                    {"labels": _selector_text(rule.record, labels), "value": value}
                ],
            }
        ],
    }


def _typical(driver: Driver) -> float:
    if driver.shape.kind is ShapeKind.QUANTILE:
        return float(len(driver.metrics[driver.shape.selectors[0].metric].buckets) // 2)
    return {ShapeKind.RATIO: 0.25, ShapeKind.RATE: 2.0}.get(driver.shape.kind, 3.0)


def input_series(samples: Samples) -> list[dict[str, str]]:
    return [
        {"series": key.text(), "values": series_values(values)}
        for key, values in sorted(
            samples.values.items(), key=lambda item: item[0].text()
        )
    ]


def series_values(values: list[float]) -> str:
    """Write samples in promtool's expanding notation: `start+step x count` runs."""
    parts, start = [], 0
    while start < len(values):
        end = start
        step = values[start + 1] - values[start] if start + 1 < len(values) else 0.0
        while end + 1 < len(values) and values[end + 1] - values[end] == step:
            end += 1
        sign = "+" if step >= 0 else "-"
        parts.append(f"{number(values[start])}{sign}{number(abs(step))}x{end - start}")
        start = end + 1
    return " ".join(parts)


def _selector_text(name: str, labels: dict[str, str]) -> str:
    pairs = ", ".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    return f"{name}{{{pairs}}}"


def alert_target(
    alert: Alert,
    drivers: dict[str, tuple[RecordingRule, Driver]],
    metrics: dict[str, Metric],
) -> tuple[Driver, dict[str, str], str, float]:
    """Return the alert's driver, its series labels, operator and threshold."""
    selector, operator, threshold = _comparison(alert)
    if selector.metric in drivers:
        rule, driver = drivers[selector.metric]
        unknown = [m.name for m in selector.matchers if m.name not in driver.shape.by]
        if unknown:
            raise NotTestable(
                f"it selects {', '.join(unknown)}, which the recorded series lacks"
            )
        if any(m.op != "=" for m in selector.matchers):
            raise NotTestable("it selects the recorded series with a regex or !=")
        driver = driver.with_overrides(tuple(selector.equalities.items()))
        return (
            driver,
            {**driver.output_labels(), **dict(rule.labels)},
            operator,
            threshold,
        )
    metric = metrics.get(selector.metric)
    if metric is None or metric.type is not MetricType.GAUGE:
        raise NotTestable(
            f"{selector.metric} is neither a gauge nor a tested recording rule of its group"
        )
    driver = Driver(Shape(ShapeKind.THRESHOLD, (selector,)), metrics)
    return driver, driver.labels_for(selector, ()), operator, threshold


def _comparison(alert: Alert) -> tuple[Selector, str, float]:
    if alert.shape is not None:
        shape = alert.shape
        return shape.selectors[0], shape.operator, shape.value
    match = ALERT_EXPR.match(alert.expr)
    if match is None:
        raise NotTestable("its expression does not compare one selector with a number")
    matchers = []
    for part in filter(str.strip, split_matchers(match.group("matchers") or "")):
        pair = MATCHER.match(part)
        if pair is None:
            raise NotTestable(f"its matcher {part.strip()} is not an equality")
        matchers.append(Matcher(pair.group(1), pair.group(2)))
    return (
        Selector(match.group("metric"), tuple(matchers)),
        match.group("op"),
        float(match.group("value")),
    )


def targets(driver: Driver, operator: str, threshold: float) -> tuple[float, float]:
    """Return a target that meets the condition and one that does not."""
    if driver.shape.kind is ShapeKind.QUANTILE:
        return _bucket_targets(driver, operator, threshold)
    above, below = _dyadic(threshold, up=True), _dyadic(threshold, up=False)
    if driver.shape.kind is ShapeKind.RATIO and _bounded(driver):
        above = min(above, 1.0)
        if above <= threshold:
            raise NotTestable("its ratio cannot exceed the threshold")
    if below < 0 and any(key.counter for key in driver.series(above)):
        if operator != ">":
            raise NotTestable("a rate cannot go below its threshold")
        below = 0.0  # a counter cannot fall, and a rate of 0 is not above 0
    return (above, below) if operator in (">", ">=") else (below, above)


def _bounded(driver: Driver) -> bool:
    """Tell whether the ratio's numerator is part of its denominator, so at most 1."""
    series = driver.series(0.5)
    return sum(series.values()) == SCALE


def _dyadic(threshold: float, up: bool) -> float:
    """Return a value clearly past the threshold that floats hold exactly."""
    if threshold <= 0:
        return threshold + 1 if up else threshold - 1
    if threshold < 1:
        value = (threshold + 1) / 2 if up else threshold / 2
        return (math.ceil if up else math.floor)(value * 16) / 16 or threshold / 2
    return (
        float(2 ** math.ceil(math.log2(threshold * 2)))
        if up
        else float(2 ** math.floor(math.log2(threshold / 2)))
    )


def _bucket_targets(
    driver: Driver, operator: str, threshold: float
) -> tuple[float, float]:
    bounds = (0.0,) + driver.metrics[driver.shape.selectors[0].metric].buckets
    above = [
        i for i in range(len(bounds) - 1) if bounds[i] >= threshold and bounds[i] > 0
    ]
    below = [i for i in range(len(bounds) - 1) if bounds[i + 1] <= threshold]
    if not above or not below or operator not in (">", ">="):
        raise NotTestable("no bucket lies wholly on each side of the threshold")
    return float(above[0]), float(below[-1])


_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">": gt,
    ">=": ge,
    "<": lt,
    "<=": le,
}


@dataclass(frozen=True)
class Timeline:
    """The minutes an alert test checks, from the simulated values."""

    normal: int  # a minute of normal values after the first full window
    active: int  # the first minute the condition is true
    fires: int  # the first minute the alert fires
    resolved: int  # the first minute after that the condition fails


def alert_test(
    alert: Alert,
    drivers: dict[str, tuple[RecordingRule, Driver]],
    metrics: dict[str, Metric],
) -> dict[str, Any]:
    """Check that the alert is silent, pending, firing and resolved when it should be."""
    if alert.shape is not None and alert.shape.kind is ShapeKind.ABSENT:
        return absent_test(alert, alert.shape, metrics)
    driver, labels, operator, threshold = alert_target(alert, drivers, metrics)
    window = driver.window_steps()
    if window and operator in ("<", "<="):
        raise NotTestable(
            "a rate alert on a lower bound needs the first window, which promspec does not simulate"
        )
    hold = math.ceil(parse_seconds(alert.for_) / STEP_SECONDS) if alert.for_ else 0
    fire, normal = targets(driver, operator, threshold)
    phases = [(normal, window + 2), (fire, window + hold + 3), (normal, window + 3)]
    samples = Samples(driver, phases)
    timeline = _timeline(samples, operator, threshold, window, hold)
    value = samples.value(timeline.fires)
    assert value is not None  # the condition held at that minute
    return {
        "name": f"{alert.name} fires after {alert.for_ or '0s'} over its threshold and resolves",
        "interval": "1m",
        "input_series": input_series(samples),
        "alert_rule_test": [
            silent(alert, timeline.normal),
            silent(alert, timeline.fires - 1),
            firing(alert, timeline.fires, labels, value),
            silent(alert, timeline.resolved),
        ],
    }


def _timeline(
    samples: Samples, operator: str, threshold: float, window: int, hold: int
) -> Timeline:
    check = _OPERATORS[operator]
    holds = [
        minute
        for minute in range(window, samples.last + 1)
        if (value := samples.value(minute)) is not None and check(value, threshold)
    ]
    if not holds:
        raise NotTestable("its condition never holds over the generated inputs")
    active = holds[0]
    fires = active + hold
    if (
        any(minute not in holds for minute in range(active, fires + 1))
        or active <= window + 1
    ):
        raise NotTestable(
            "its condition does not hold steadily over the generated inputs"
        )
    resolved = next(
        (m for m in range(fires + 1, samples.last + 1) if m not in holds), None
    )
    if resolved is None:
        raise NotTestable("its condition does not end over the generated inputs")
    return Timeline(window + 1, active, fires, resolved)


def silent(alert: Alert, minute: int) -> dict[str, Any]:
    return {"eval_time": f"{minute}m", "alertname": alert.name, "exp_alerts": []}


def firing(
    alert: Alert, minute: int, labels: dict[str, str], value: float
) -> dict[str, Any]:
    """Expect the alert firing at the minute, its labels and annotations expanded.

    Prometheus expands templates in an alert's labels and annotations alike,
    from the labels and the value of the series that fires.
    """
    extra = {**dict(alert.labels), "severity": alert.severity}
    annotations = {
        "description": alert.description,
        "runbook_url": alert.runbook_url,
        "summary": alert.summary,
    }
    try:
        extra = {
            key: go_template.expand(text, labels, value) for key, text in extra.items()
        }
        expanded = {
            key: go_template.expand(text, labels, value)
            for key, text in annotations.items()
        }
    except go_template.UnsupportedTemplate as action:
        raise NotTestable(
            f"its labels or annotations use {{{{ {action} }}}}, which promspec "
            "cannot expand"
        ) from None
    alert_labels = {**labels, **extra}
    return {
        "eval_time": f"{minute}m",
        "alertname": alert.name,
        "exp_alerts": [
            {
                "exp_labels": dict(sorted(alert_labels.items())),
                "exp_annotations": expanded,
            }
        ],
    }


def absent_test(
    alert: Alert, shape: Shape, metrics: dict[str, Metric]
) -> dict[str, Any]:
    """Report a series, end it with a staleness marker, then report it again."""
    selector = shape.selectors[0]
    if selector.metric not in metrics:
        raise NotTestable(f"{selector.metric} is not a metric of the spec")
    driver = Driver(Shape(ShapeKind.THRESHOLD, (selector,)), metrics)
    series = next(iter(driver.series(1.0)))
    hold = math.ceil(parse_seconds(alert.for_) / STEP_SECONDS) if alert.for_ else 0
    present = 5
    gone = present + 1  # the first minute after the staleness marker
    values = f"1+0x{present} stale _x{hold + 1} 1+0x3"
    return {
        "name": f"{alert.name} fires {alert.for_ or '0s'} after the series ends and resolves",
        "interval": "1m",
        "input_series": [{"series": series.text(), "values": values}],
        "alert_rule_test": [
            silent(alert, present),
            silent(alert, gone + hold - 1),
            firing(alert, gone + hold, selector.equalities, 1.0),
            silent(alert, gone + hold + 2),
        ],
    }
