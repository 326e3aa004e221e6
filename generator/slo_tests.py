"""promtool tests of an SLO's rules and alerts, derived from the SLO, not its PromQL.

The inputs are counters of all events and of failed ones (or, for a latency
SLO, a histogram's count and its bucket at the bound), with rates that change
in phases. A small simulation computes from those samples alone what every
rule means: the error ratio over each window, its average over the period,
the budget series, and the minutes at which each burn-rate pair holds.

Three files per group hold the tests, each with its own evaluation step.
The page file evaluates every minute, the ticket file every 59 minutes over
several days. The windows file checks every window, the period, the budget
series and no result once traffic stops. It evaluates every few hours, so a
30-day run is quick, at a step that divides no period, so no evaluation sits
on the edge of a period window.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from promspec.model import (
    PAGE_CONDITIONS,
    SLO,
    TICKET_CONDITIONS,
    Alert,
    BurnRateAlert,
    Group,
    Metric,
    Selector,
    Shape,
    ShapeKind,
    decimal_text,
)
from promspec.rule_inputs import (
    Driver,
    InputSeries,
    NotTestable,
    matches,
    parse_seconds,
)
from promspec.rule_tests import firing, silent
from promspec.shapes import le_text, number
from promspec.slo_rules import (
    ERROR_RATIO,
    alert_name,
    burn_threshold,
    period_days,
    slo_labels,
)

# Minutes between evaluations in each file. The windows file's step divides
# no period, so that no evaluation sits on the edge of a period window.
PAGE_STEP = 1
TICKET_STEP = 59
WINDOWS_STEP = 239
SHORT_WINDOWS = ("5m", "30m", "1h", "2h", "6h")
LONG_WINDOWS = ("1d", "3d")
NORMAL = Fraction(1, 2)  # the error ratio of normal traffic, in budgets
# Per-second rates in the window and period cases: 1/64, 1/32 and 1/16 of
# the events fail, ratios that floats and their sums hold exactly.
EVENTS = 1024
LOW, MIDDLE, HIGH = 16, 32, 64


@dataclass
class SloPlan:
    """The tests of one SLO by file, or the reason it has none."""

    page: list[dict[str, Any]] = field(default_factory=list)
    ticket: list[dict[str, Any]] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)
    windows_step: int = 239
    untested: str = ""  # why the SLO has no tests; empty when it has them


@dataclass(frozen=True)
class Phase:
    minutes: int
    events: int  # per second
    errors: int  # per second


@dataclass(frozen=True)
class Role:
    """An input series, and the part of the events it counts: failed, good or all."""

    series: InputSeries
    part: str

    def slope(self, phase: Phase) -> int:
        """Return the series' increase per second in a phase."""
        if self.part == "failed":
            return phase.errors
        return phase.events - phase.errors if self.part == "good" else phase.events


class Traffic:
    """Input series over phases, and what the SLO's rules read from them.

    A counter starts at 0 at minute 0 and rises by its phase's rate each
    minute, so its value at a minute follows from the phases alone.
    """

    def __init__(self, roles: list[Role], phases: list[Phase]) -> None:
        self.roles = {role.part: role for role in roles}
        self.phases = [phase for phase in phases if phase.minutes > 0]
        self.last = sum(phase.minutes for phase in self.phases)
        self.absent: set[str] = set()  # parts whose counter has no series yet

    def value(self, role: Role, minute: int) -> float:
        """Return the counter's value at the minute."""
        total, start = 0.0, 0
        for phase in self.phases:
            if minute <= start:
                break
            total += (
                role.slope(phase) * 60 * (min(minute, start + phase.minutes) - start)
            )
            start += phase.minutes
        return total

    def rate(self, part: str, minute: int, window: int) -> float:
        """Prometheus 2.x rate() of a counter that starts at 0 at minute 0.

        A window that starts on a sample, or before the counter's first sample
        of 0, is not extrapolated. Prometheus multiplies the increase by the
        factor 1 / seconds rather than dividing it, and so does this.
        """
        if part in self.absent:
            return 0.0  # a counter with no series yet, read as 0 by the rules
        role = self.roles[part]
        increase = self.value(role, minute) - self.value(role, max(0, minute - window))
        return increase * (1.0 / (window * 60))

    def error_ratio(self, minute: int, window: int) -> float | None:
        """Return the error ratio over the window, or None where there was no traffic."""
        if minute < 1:
            return None  # a range needs two samples
        rates = {part: self.rate(part, minute, window) for part in self.roles}
        if "all" in rates and "good" in rates:  # a histogram's count and bucket
            return 1 - rates["good"] / rates["all"] if rates["all"] > 0 else None
        if "all" in rates:  # a counter of failures and one of all events
            return rates["failed"] / rates["all"] if rates["all"] > 0 else None
        total = rates["failed"] + rates["good"]  # two series of one counter
        return rates["failed"] / total if total > 0 else None

    def input_series(self) -> list[dict[str, str]]:
        present = [role for part, role in self.roles.items() if part not in self.absent]
        return [
            {"series": role.series.text(), "values": self.notation(role)}
            for role in sorted(present, key=lambda role: role.series.text())
        ]

    def notation(self, role: Role) -> str:
        """Write the counter in promtool's notation, one `start+step x count` a phase."""
        parts, value = [], 0.0
        for index, phase in enumerate(self.phases):
            step = float(role.slope(phase) * 60)
            first = value if index == 0 else value + step
            count = phase.minutes if index == 0 else phase.minutes - 1
            parts.append(f"{number(first)}+{number(step)}x{count}")
            value += step * phase.minutes
        return " ".join(parts)


def plan_slos(group: Group, metrics: tuple[Metric, ...]) -> dict[str, SloPlan]:
    """Build the tests of every SLO of the group, by SLO name."""
    index = sample_index(metrics)
    return {slo.name: plan_slo(group, slo, index) for slo in group.slos}


def plan_slo(group: Group, slo: SLO, index: dict[str, Metric]) -> SloPlan:
    step = windows_step(parse_seconds(slo.period) // 60)
    try:
        roles = slo_roles(slo, index)
        return SloPlan(
            burn_tests(group, slo, roles, "FastBurn"),
            burn_tests(group, slo, roles, "SlowBurn"),
            window_tests(group, slo, roles, step),
            step,
        )
    except NotTestable as reason:
        return SloPlan(untested=str(reason))


def windows_step(period: int) -> int:
    """Return the windows file's step: about 180 evaluations a period, dividing none."""
    step = max(WINDOWS_STEP, period // 180)
    while period % step == 0:
        step += 1
    return step


def sample_index(metrics: tuple[Metric, ...]) -> dict[str, Metric]:
    index = {metric.family: metric for metric in metrics}
    index.update({name: metric for metric in metrics for name in metric.sample_names})
    return index


def slo_roles(slo: SLO, metrics: dict[str, Metric]) -> list[Role]:
    """Return the input series of the SLO's indicator."""
    driver = Driver(Shape(ShapeKind.RATE, ()), metrics)
    if slo.latency is not None:
        return _latency_roles(slo, slo.latency, driver)
    assert slo.errors is not None and slo.total is not None
    if slo.errors.metric != slo.total.metric:
        failed = _series(slo.errors.metric, driver.labels_for(slo.errors, ()))
        every = _series(slo.total.metric, driver.labels_for(slo.total, ()))
        return [Role(failed, "failed"), Role(every, "all")]
    return _one_counter_roles(slo.errors, slo.total, driver)


def _latency_roles(slo: SLO, latency: Selector, driver: Driver) -> list[Role]:
    """Return a histogram's count of all events and its bucket of good ones."""
    family = driver.metrics[latency.metric].family
    labels = driver.labels_for(latency, ())
    bucket = {**labels, "le": le_text(slo.below)}
    return [
        Role(_series(f"{family}_count", labels), "all"),
        Role(_series(f"{family}_bucket", bucket), "good"),
    ]


def _one_counter_roles(errors: Selector, total: Selector, driver: Driver) -> list[Role]:
    """Return a failed and a good series of the one counter that both selectors read."""
    both = Selector(errors.metric, errors.matchers + total.matchers)
    failed = _series(errors.metric, driver.labels_for(both, ()))

    # The good series fails the matchers that errors adds to those of total.
    added = tuple(m for m in errors.matchers if m not in total.matchers)
    try:
        good = _series(total.metric, driver.labels_for(total, added))
    except NotTestable:
        raise NotTestable(
            "no test series is counted in total but not in errors: errors may "
            "select every event that total selects"
        ) from None
    if not matches(failed, both) or matches(good, errors) or not matches(good, total):
        raise NotTestable("no test series fits errors and total as the SLO needs")
    return [Role(failed, "failed"), Role(good, "good")]


def _series(name: str, labels: dict[str, str]) -> InputSeries:
    return InputSeries(name, tuple(sorted(labels.items())), True)


def events_per_second(slo: SLO, factors: tuple[Fraction, ...]) -> int:
    """Return a rate of events at which each factor of the budget is whole errors."""
    need = math.lcm(*((f * slo.error_budget).denominator for f in factors))
    return need * math.ceil(1000 / need)


def errors_at(slo: SLO, events: int, factor: Fraction) -> int:
    return int(min(Fraction(1), factor * slo.error_budget) * events)


def burn_tests(
    group: Group, slo: SLO, roles: list[Role], speed: str
) -> list[dict[str, Any]]:
    """Both pairs of an alert, each firing while the other does not."""
    step, burns = BURN_CASES[speed]
    return [burn_case(group, slo, roles, burn, step) for burn in burns]


def window_tests(
    group: Group, slo: SLO, roles: list[Role], step: int
) -> list[dict[str, Any]]:
    """Every window, the period and the budget series, and no result without traffic."""
    cases = [
        windows_case(slo, roles, step),
        no_traffic_case(group, slo, roles, step),
        period_case(slo, roles, step),
    ]
    if slo.latency is None:
        cases.append(no_failures_case(slo, roles, step))
    return cases


def windows_case(slo: SLO, roles: list[Role], step: int) -> dict[str, Any]:
    """Check each window up to 6h over three error ratios in turn, mixed differently in each."""
    end = math.ceil(420 / step) * step
    phases = [
        Phase(end - 120, EVENTS, LOW),
        Phase(100, EVENTS, MIDDLE),
        Phase(20, EVENTS, HIGH),
    ]
    traffic = Traffic(roles, phases)
    minute = traffic.last
    return _case(
        f"SLO {slo.name}: error ratios over 5m to 6h",
        traffic,
        [_window_sample(slo, traffic, minute, window) for window in SHORT_WINDOWS],
    )


def _window_sample(
    slo: SLO, traffic: Traffic, minute: int, window: str
) -> dict[str, Any]:
    value = traffic.error_ratio(minute, parse_seconds(window) // 60)
    return _expect(slo, f"{ERROR_RATIO}{window}", minute, value, window)


def _expect(
    slo: SLO, record: str, minute: int, value: float | None, window: str = ""
) -> dict[str, Any]:
    """Expect the SLO's series of a record at a minute: one value, or none."""
    labels = dict(slo_labels(slo)) | ({"sloth_window": window} if window else {})
    pairs = ", ".join(f'{key}="{labels[key]}"' for key in sorted(labels))
    samples = (
        [] if value is None else [{"labels": f"{record}{{{pairs}}}", "value": value}]
    )
    return {
        "expr": f'{record}{{sloth_id="{slo.id}"}}',
        "eval_time": f"{minute}m",
        "exp_samples": samples,
    }


def _case(
    name: str,
    traffic: Traffic,
    expressions: list[dict[str, Any]],
    alerts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    case: dict[str, Any] = {
        "name": name,
        "interval": "1m",
        "input_series": traffic.input_series(),
    }
    if expressions:
        case["promql_expr_test"] = expressions
    if alerts:
        case["alert_rule_test"] = alerts
    return case


def no_traffic_case(
    group: Group, slo: SLO, roles: list[Role], step: int
) -> dict[str, Any]:
    """When traffic stops, the ratios and the burn rate give no result, not NaN."""
    events = events_per_second(slo, (NORMAL,))
    normal = errors_at(slo, events, NORMAL)
    end = math.ceil(400 / step) * step
    traffic = Traffic(roles, [Phase(30, events, normal), Phase(end - 30, 0, 0)])
    minute = traffic.last
    expressions = [
        _expect(slo, f"{ERROR_RATIO}{w}", minute, None, w) for w in SHORT_WINDOWS
    ]
    expressions.append(_expect(slo, "slo:current_burn_rate:ratio", minute, None, "5m"))
    return _case(
        f"SLO {slo.name}: no result and no alert once traffic stops",
        traffic,
        expressions,
        [silent(_alert(group, slo, "FastBurn"), minute)],
    )


def no_failures_case(slo: SLO, roles: list[Role], step: int) -> dict[str, Any]:
    """An error counter that has no series yet counts as 0, not as no result."""
    traffic = Traffic(roles, [Phase(step, EVENTS, 0)])
    traffic.absent.add("failed")
    return _case(
        f"SLO {slo.name}: error ratios of 0 before the first failure",
        traffic,
        [_window_sample(slo, traffic, step, window) for window in SHORT_WINDOWS],
    )


def _alert(group: Group, slo: SLO, speed: str) -> Alert:
    name = alert_name(slo, speed)
    return next(alert for alert in group.alerts if alert.name == name)


@dataclass(frozen=True)
class Burn:
    """A burn-rate case: normal traffic, then errors at `factor` times the budget.

    The lead fills the pair's windows before the burn. A lead with more
    traffic and no errors dilutes the longer windows, which lets the 1d/2h
    pair of the ticket fire while the 3d/6h pair does not.
    """

    speed: str  # FastBurn or SlowBurn
    pair: BurnRateAlert
    factor: Fraction
    lead_minutes: int
    lead_volume: int = 1  # the lead's traffic, in multiples of the burn's
    lead_errors: Fraction = NORMAL  # the lead's error ratio, in budgets


# The burn cases of each alert, with the evaluation step of its file. The
# first case of each dilutes the long windows with a lead of four times the
# traffic and no errors, so that the pair with the shorter windows fires alone.
BURN_CASES = {
    "FastBurn": (
        PAGE_STEP,
        (
            Burn("FastBurn", PAGE_CONDITIONS[0], Fraction(16), 60, 4, Fraction(0)),
            Burn("FastBurn", PAGE_CONDITIONS[1], Fraction(8), 360),
        ),
    ),
    "SlowBurn": (
        TICKET_STEP,
        (
            Burn("SlowBurn", TICKET_CONDITIONS[0], Fraction(4), 2880, 4, Fraction(0)),
            Burn("SlowBurn", TICKET_CONDITIONS[1], Fraction(2), 4320),
        ),
    ),
}


def burn_case(
    group: Group, slo: SLO, roles: list[Role], burn: Burn, step: int
) -> dict[str, Any]:
    """Check the alert silent before the burn and a step before it fires, firing
    when the pair passes its threshold over both windows, and resolved after."""
    events = events_per_second(slo, (NORMAL, burn.factor))
    lead_events = events * burn.lead_volume
    lead = Phase(
        burn.lead_minutes, lead_events, errors_at(slo, lead_events, burn.lead_errors)
    )
    hot = errors_at(slo, events, burn.factor)
    calm = errors_at(slo, events, NORMAL)

    longest = parse_seconds(burn.pair.long_window) // 60
    fires = _first(slo, roles, [lead, Phase(2 * longest, events, hot)], burn, step)
    hot_phase = Phase(fires - lead.minutes + step, events, hot)
    tail = Phase(2 * longest, events, calm)
    resolved = _resolved(slo, roles, [lead, hot_phase, tail], burn, step, fires)
    tail = Phase(resolved - lead.minutes - hot_phase.minutes + step, events, calm)

    traffic = Traffic(roles, [lead, hot_phase, tail])
    value = _holding(slo, traffic, burn, fires)[burn.pair]
    alert = _alert(group, slo, burn.speed)
    calm_at = lead.minutes // step * step
    return _case(
        f"SLO {slo.name}: {alert.name} fires at {decimal_text(burn.factor)} times "
        f"the budget over {burn.pair.long_window} and {burn.pair.short_window}, "
        "and resolves",
        traffic,
        [],
        [
            silent(alert, calm_at),
            silent(alert, fires - step),
            firing(alert, fires, dict(slo_labels(slo)), value),
            silent(alert, resolved),
        ],
    )


def _first(
    slo: SLO, roles: list[Role], phases: list[Phase], burn: Burn, step: int
) -> int:
    """Return the first evaluation in the burn at which the alert fires, by its pair.

    The scan starts at the last evaluation of the lead, where the alert must be
    silent, and stops at the first evaluation where it fires.
    """
    traffic = Traffic(roles, phases)
    start = phases[0].minutes
    for minute in range(start // step * step, traffic.last + 1, step):
        holding = _holding(slo, traffic, burn, minute)
        if holding:
            if minute > start and list(holding) == [burn.pair]:
                return minute
            break
    raise NotTestable(
        f"its {burn.speed} alert does not fire by its {burn.pair.long_window} "
        f"and {burn.pair.short_window} windows alone over the generated inputs"
    )


def _resolved(
    slo: SLO,
    roles: list[Role],
    phases: list[Phase],
    burn: Burn,
    step: int,
    fires: int,
) -> int:
    """Return the first evaluation after the burn at which the alert no longer fires."""
    traffic = Traffic(roles, phases)
    times = range(fires + step, traffic.last + 1, step)
    resolved = next((t for t in times if not _holding(slo, traffic, burn, t)), None)
    if resolved is None:
        raise NotTestable(f"its {burn.speed} alert does not resolve over the inputs")
    return resolved


def _holding(
    slo: SLO, traffic: Traffic, burn: Burn, minute: int
) -> dict[BurnRateAlert, float]:
    """Return the pairs of the alert that hold at the minute, with the long-window ratio."""
    found: dict[BurnRateAlert, float] = {}
    for condition, threshold, long, short in _pairs(slo, burn.speed):
        long_ratio = traffic.error_ratio(minute, long)
        short_ratio = traffic.error_ratio(minute, short)
        if long_ratio is None or short_ratio is None:
            continue
        if long_ratio > threshold and short_ratio > threshold:
            found[condition] = long_ratio
    return found


@functools.cache
def _pairs(slo: SLO, speed: str) -> tuple[tuple[BurnRateAlert, float, int, int], ...]:
    """Return each pair of the alert with its threshold and windows in minutes."""
    conditions = PAGE_CONDITIONS if speed == "FastBurn" else TICKET_CONDITIONS
    return tuple(
        (
            condition,
            float(burn_threshold(slo, condition)),
            parse_seconds(condition.long_window) // 60,
            parse_seconds(condition.short_window) // 60,
        )
        for condition in conditions
    )


def period_case(slo: SLO, roles: list[Role], step: int) -> dict[str, Any]:
    """Three error ratios over a whole period; check it and the budget series."""
    period = parse_seconds(slo.period) // 60
    end = math.ceil((period + 720) / step) * step
    # Rates change half a step after an evaluation, so no 5m window spans a change.
    first = end // 2 // step * step + step // 2
    second = (end - 2160) // step * step + step // 2
    traffic = Traffic(
        roles,
        [
            Phase(first, EVENTS, LOW),
            Phase(second - first, EVENTS, HIGH),
            Phase(end - second, EVENTS, MIDDLE),
        ],
    )
    return _case(
        f"SLO {slo.name}: error ratios over 1d, 3d and {slo.period}, and the budget",
        traffic,
        period_expressions(slo, traffic, end, step),
    )


def period_expressions(
    slo: SLO, traffic: Traffic, end: int, step: int
) -> list[dict[str, Any]]:
    period = parse_seconds(slo.period) // 60
    found = [_window_sample(slo, traffic, end, window) for window in LONG_WINDOWS]
    ratios = [
        r
        for t in range(0, end + 1, step)
        if t >= end - period and (r := traffic.error_ratio(t, 5)) is not None
    ]
    average = compensated_sum(ratios) / len(ratios)
    budget = float(decimal_text(slo.error_budget))
    current = traffic.error_ratio(end, 5)
    assert current is not None
    burned = average / budget
    found += [
        _expect(slo, f"{ERROR_RATIO}{slo.period}", end, average, slo.period),
        _expect(slo, "slo:objective:ratio", end, float(decimal_text(slo.objective))),
        _expect(slo, "slo:error_budget:ratio", end, budget),
        _expect(slo, "slo:time_period:days", end, float(period_days(slo))),
        _expect(slo, "slo:current_burn_rate:ratio", end, current / budget, "5m"),
        _expect(slo, "slo:period_burn_rate:ratio", end, burned, slo.period),
        _expect(
            slo, "slo:period_error_budget_remaining:ratio", end, 1 - burned, slo.period
        ),
    ]
    return found


def compensated_sum(values: list[float]) -> float:
    """Sum as sum_over_time does: Kahan's compensated sum, with Neumaier's swap."""
    total, compensation = 0.0, 0.0
    for value in values:
        step = total + value
        if abs(total) >= abs(value):
            compensation += (total - step) + value
        else:
            compensation += (value - step) + total
        total = step
    return total + compensation


def slo_test_files(plan: SloPlan) -> list[tuple[str, int, list[dict[str, Any]]]]:
    """Return (file suffix, evaluation step in minutes, tests) of the plan's files."""
    return [
        (".page.test.yml", PAGE_STEP, plan.page),
        (".ticket.test.yml", TICKET_STEP, plan.ticket),
        (".windows.test.yml", plan.windows_step, plan.windows),
    ]
