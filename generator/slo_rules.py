"""The recording rules and alerts that an SLO stands for.

The names and labels follow sloth's conventions, so that dashboards made for
sloth's rules read these too. The rules are `slo:sli_error:ratio_rate<window>`
with the labels sloth_id, sloth_service, sloth_slo and sloth_window, then the
objective, the error budget and the budget that remains. The alerts are the
Google SRE workbook's multi-window, multi-burn-rate alerts: a fast burn that
pages and a slow burn that opens a ticket.
"""

from __future__ import annotations

from promspec.model import (
    PAGE_CONDITIONS,
    SLO,
    SLO_WINDOWS,
    TICKET_CONDITIONS,
    Alert,
    BurnRateAlert,
    Matcher,
    RecordingRule,
    Selector,
    decimal_text,
)
from promspec.rule_inputs import parse_seconds
from promspec.shapes import le_text, selector_text

ERROR_RATIO = "slo:sli_error:ratio_rate"
SLO_LABELS = ("sloth_id", "sloth_service", "sloth_slo")


def slo_labels(slo: SLO) -> tuple[tuple[str, str], ...]:
    return (
        ("sloth_id", slo.id),
        ("sloth_service", slo.service),
        ("sloth_slo", slo.name),
    )


def recorded(slo: SLO, record: str) -> str:
    """Select one of the SLO's recorded series by its sloth_id."""
    return f'{record}{{sloth_id="{slo.id}"}}'


def slo_recording_rules(slo: SLO) -> tuple[RecordingRule, ...]:
    """Return the error ratios over every window and the period, then the budget series."""
    rules = [_window_rule(slo, window) for window in SLO_WINDOWS]
    rules.append(_period_rule(slo))
    rules += [
        _rule(slo, record, expr, description)
        for record, expr, description in _budget_series(slo)
    ]
    return tuple(rules)


def _rule(
    slo: SLO,
    record: str,
    expr: str,
    description: str,
    window: str = "",
) -> RecordingRule:
    labels = slo_labels(slo) + ((("sloth_window", window),) if window else ())
    location = slo.where("errors" if slo.errors else "latency.metric")
    return RecordingRule(
        record,
        expr,
        description,
        tuple(sorted(labels)),
        slo.location,
        location,
        slo=slo.name,
    )


def _window_rule(slo: SLO, window: str) -> RecordingRule:
    return _rule(
        slo,
        f"{ERROR_RATIO}{window}",
        error_ratio(slo, window),
        f"Share of failed events of SLO {slo.name} over the last {window}",
        window,
    )


def error_ratio(slo: SLO, window: str) -> str:
    """Write the indicator's error ratio over a window; no traffic gives no result."""
    if slo.latency is not None:
        bucket = _with_le(slo.latency, le_text(slo.below))
        good = f"sum(rate({selector_text(bucket, '_bucket')}[{window}]))"
        total = f"sum(rate({selector_text(slo.latency, '_count')}[{window}]))"
        return f"1 - (\n  {good}\n  / ({total} > 0)\n)"
    assert slo.errors is not None and slo.total is not None
    errors = f"sum(rate({selector_text(slo.errors)}[{window}]))"
    total = f"sum(rate({selector_text(slo.total)}[{window}]))"
    # An error counter that has never been incremented has no series; `or`
    # reads it as zero wherever there is traffic.
    return f"({errors} or 0 * {total})\n/ ({total} > 0)"


def _with_le(selector: Selector, le: str) -> Selector:
    return Selector(selector.metric, (*selector.matchers, Matcher("le", le)))


def _period_rule(slo: SLO) -> RecordingRule:
    """Average the 5m error ratio over the period: cheap, and empty windows left out."""
    five = recorded(slo, f"{ERROR_RATIO}5m")
    expr = (
        f"sum_over_time({five}[{slo.period}])\n/\ncount_over_time({five}[{slo.period}])"
    )
    return _rule(
        slo,
        f"{ERROR_RATIO}{slo.period}",
        expr,
        f"Share of failed events of SLO {slo.name} over its {slo.period} period",
        slo.period,
    )


def period_days(slo: SLO) -> int:
    return parse_seconds(slo.period) // 86400


def burn_rate(slo: SLO, ratio_record: str) -> str:
    """Divide one of the SLO's recorded error ratios by its error budget."""
    on = f"on ({', '.join(SLO_LABELS)}) group_left"
    budget = recorded(slo, "slo:error_budget:ratio")
    return f"{recorded(slo, ratio_record)}\n/ {on}\n{budget}"


def _budget_series(slo: SLO) -> list[tuple[str, str, str]]:
    """Return (record, expr, description) of the objective and budget series."""
    return [
        (
            "slo:objective:ratio",
            f"vector({decimal_text(slo.objective)})",
            "The objective, as a share of good events",
        ),
        (
            "slo:error_budget:ratio",
            f"vector({decimal_text(slo.error_budget)})",
            "The share of events allowed to fail",
        ),
        (
            "slo:time_period:days",
            f"vector({period_days(slo)})",
            "The period in days",
        ),
        (
            "slo:current_burn_rate:ratio",
            burn_rate(slo, f"{ERROR_RATIO}5m"),
            "How many times faster than allowed the budget burns, over 5m",
        ),
        (
            "slo:period_burn_rate:ratio",
            burn_rate(slo, f"{ERROR_RATIO}{slo.period}"),
            "How many times faster than allowed the budget burned over the period",
        ),
        (
            "slo:period_error_budget_remaining:ratio",
            f"1 - {recorded(slo, 'slo:period_burn_rate:ratio')}",
            "The share of the period's error budget left; below 0 when overspent",
        ),
    ]


def slo_alerts(slo: SLO, runbook_base_url: str) -> tuple[Alert, ...]:
    """Return the fast-burn alert (a page) and the slow-burn alert (a ticket)."""
    return (
        _alert(slo, "FastBurn", PAGE_CONDITIONS, slo.page_severity, runbook_base_url),
        _alert(
            slo, "SlowBurn", TICKET_CONDITIONS, slo.ticket_severity, runbook_base_url
        ),
    )


def alert_name(slo: SLO, speed: str) -> str:
    return f"{slo.alert}ErrorBudget{speed}"


def _alert(
    slo: SLO,
    speed: str,
    conditions: tuple[BurnRateAlert, ...],
    severity: str,
    runbook_base_url: str,
) -> Alert:
    name = alert_name(slo, speed)
    runbook = f"{runbook_base_url.rstrip('/')}/{name}.md" if runbook_base_url else ""
    return Alert(
        name,
        burn_rate_expr(slo, conditions),
        severity,
        _summary(slo, speed),
        _description(slo, conditions),
        runbook,
        labels=tuple(sorted(slo.labels)),
        location=slo.location,
        expr_location=slo.location,
        impact=slo.impact,
        mitigation=slo.mitigation,
        slo=slo.name,
    )


def burn_threshold(slo: SLO, condition: BurnRateAlert) -> str:
    """Return the error ratio at which the budget burns `factor` times too fast."""
    return decimal_text(condition.factor * slo.error_budget)


def burn_rate_expr(slo: SLO, conditions: tuple[BurnRateAlert, ...]) -> str:
    """Fire while the error ratio passes the threshold over both windows of a pair."""
    pairs = []
    for condition in conditions:
        threshold = burn_threshold(slo, condition)
        sides = [
            f"max without (sloth_window) "
            f"({recorded(slo, ERROR_RATIO + window)} > {threshold})"
            for window in (condition.long_window, condition.short_window)
        ]
        pairs.append(f"(\n  {sides[0]}\n  and\n  {sides[1]}\n)")
    return "\nor\n".join(pairs)


def _summary(slo: SLO, speed: str) -> str:
    pace = "fast" if speed == "FastBurn" else "steadily"
    return (
        f"SLO {slo.name} ({slo.objective_percent}% over {slo.period}) "
        f"burns its error budget {pace}"
    )


def _description(slo: SLO, conditions: tuple[BurnRateAlert, ...]) -> str:
    allowed = f"{decimal_text(slo.error_budget * 100)}%"
    days = period_days(slo)
    first, *rest = conditions
    text = (
        f"{slo.description}. Over {first.long_window} and {first.short_window} the "
        f"error ratio passed {decimal_text(first.factor)}x the allowed {allowed}, "
        f"which spends the {slo.period} budget in {_days(float(days / first.factor))}"
    )
    for c in rest:
        text += (
            f"; or over {c.long_window} and {c.short_window} it passed "
            f"{decimal_text(c.factor)}x, which spends it in {_days(float(days / c.factor))}"
        )
    return text + "."


def _days(days: float) -> str:
    if days < 1:
        return f"{round(days * 24)} hours"
    return "1 day" if round(days, 1) == 1 else f"{round(days, 1):g} days"
