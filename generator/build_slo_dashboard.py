"""Build the SLO dashboard of a spec: one row of panels per SLO.

The panels read the series that `slo_rules.py` records, each selected by its
sloth_id, so they show the numbers that the burn-rate alerts act on.
"""

from __future__ import annotations

from promspec.build_dashboards import UID
from promspec.loader import YamlMap
from promspec.model import (
    PAGE_CONDITIONS,
    SLO,
    SLO_WINDOWS,
    Dashboard,
    Group,
    Location,
    Panel,
    PanelType,
    Query,
    Threshold,
)
from promspec.reader import Reader, where
from promspec.slo_rules import ERROR_RATIO, burn_rate, recorded

# The file's name without .json, beside the groups' dashboards.
SLO_DASHBOARD_NAME = "slos"
# The fast-burn page's short window and the long windows of its two conditions.
BURN_RATE_WINDOWS = ("5m", "1h", "6h")


def slo_dashboard_uid(namespace: str) -> str:
    return f"{namespace}-{SLO_DASHBOARD_NAME}".replace("_", "-")


def build_slo_dashboard(namespace: str, groups: list[Group]) -> Dashboard | None:
    """Return the dashboard of every SLO in the groups, or None when there is none."""
    owned = [
        (f"groups.{group.name}.slos[{index}]", slo)
        for group in groups
        for index, slo in enumerate(group.slos)
    ]
    if not owned:
        return None
    panels = tuple(panel for field, slo in owned for panel in slo_row(slo, field))
    title = f"{namespace.replace('_', ' ').title()} SLOs"
    uid = slo_dashboard_uid(namespace)
    return Dashboard(title, uid, panels, ("slo",), owned[0][1].location)


def slo_row(slo: SLO, field: str) -> tuple[Panel, ...]:
    """Return the row that heads one SLO, then its panels; field is the SLO's path."""
    row = Panel(
        row_title(slo), PanelType.ROW, "", (), width=24, height=1, field_path=field
    )
    panels = (
        _objective(slo, field),
        _period(slo, field),
        _indicator(slo, field),
        _budget_remaining(slo, field),
        _burn_rate(slo, field),
        _error_ratios(slo, field),
    )
    return (row, *panels)


def row_title(slo: SLO) -> str:
    return f"{slo.name} ({slo.objective_percent}% over {slo.period})"


def _query(slo: SLO, field: str, expr: str, legend: str = "") -> Query:
    return Query(expr, legend, slo.location, field)


def _percent_decimals(slo: SLO) -> int:
    """Return how many decimals the objective has in percent: 1 for 99.9."""
    return len(slo.objective_percent.partition(".")[2])


def _objective(slo: SLO, field: str) -> Panel:
    return Panel(
        title="Objective",
        type=PanelType.STAT,
        location=slo.location,
        field_path=field,
        unit="percentunit",
        queries=(_query(slo, field, recorded(slo, "slo:objective:ratio")),),
        description=slo.description,
        width=4,
        height=6,
        thresholds=(Threshold(None, "text"),),
        decimals=_percent_decimals(slo),
    )


def _period(slo: SLO, field: str) -> Panel:
    return Panel(
        title="Period in days",
        type=PanelType.STAT,
        location=slo.location,
        field_path=field,
        unit="none",
        queries=(_query(slo, field, recorded(slo, "slo:time_period:days")),),
        description="The rolling window over which the objective applies",
        width=4,
        height=6,
        thresholds=(Threshold(None, "text"),),
    )


def _indicator(slo: SLO, field: str) -> Panel:
    ratio = recorded(slo, f"{ERROR_RATIO}{slo.period}")
    return Panel(
        title=f"SLI over {slo.period}",
        type=PanelType.STAT,
        location=slo.location,
        field_path=field,
        unit="percentunit",
        queries=(_query(slo, field, f"1 - {ratio}"),),
        description=f"Share of good events over the last {slo.period}; "
        f"green at or above the objective of {slo.objective_percent}%",
        width=8,
        height=6,
        thresholds=(Threshold(None, "red"), Threshold(float(slo.objective), "green")),
        decimals=_percent_decimals(slo) + 2,
    )


def _budget_remaining(slo: SLO, field: str) -> Panel:
    expr = recorded(slo, "slo:period_error_budget_remaining:ratio")
    return Panel(
        title="Error budget remaining",
        type=PanelType.STAT,
        location=slo.location,
        field_path=field,
        unit="percentunit",
        queries=(_query(slo, field, expr),),
        description=f"Share of the {slo.period} error budget left; "
        "red below 0, once the budget is spent",
        width=8,
        height=6,
        thresholds=(Threshold(None, "red"), Threshold(0, "green")),
        decimals=1,
    )


def _burn_rate(slo: SLO, field: str) -> Panel:
    queries = tuple(
        _query(slo, field, burn_rate(slo, f"{ERROR_RATIO}{window}"), window)
        for window in BURN_RATE_WINDOWS
    )
    factors = sorted(float(condition.factor) for condition in PAGE_CONDITIONS)
    lines = [Threshold(factor, "orange") for factor in factors[:-1]]
    return Panel(
        title="Burn rate",
        type=PanelType.TIMESERIES,
        location=slo.location,
        field_path=field,
        unit="short",
        queries=queries,
        description=_burn_rate_description(),
        width=12,
        height=8,
        thresholds=(Threshold(None, "green"), *lines, Threshold(factors[-1], "red")),
    )


def _burn_rate_description() -> str:
    pairs = " or ".join(
        f"{float(c.factor):g} over {c.long_window} and {c.short_window}"
        for c in PAGE_CONDITIONS
    )
    return (
        "How many times faster than the objective allows the error budget burns. "
        f"The fast-burn alert pages when the burn rate passes {pairs}."
    )


def _error_ratios(slo: SLO, field: str) -> Panel:
    queries = tuple(
        _query(slo, field, recorded(slo, f"{ERROR_RATIO}{window}"), window)
        for window in SLO_WINDOWS
    )
    budget = float(slo.error_budget)
    return Panel(
        title="Error ratio",
        type=PanelType.TIMESERIES,
        location=slo.location,
        field_path=field,
        unit="percentunit",
        queries=queries,
        description="Share of failed events over each alert window; "
        f"the red line is the error budget, {budget:.4g} of the events",
        width=12,
        height=8,
        thresholds=(Threshold(None, "green"), Threshold(budget, "red")),
    )


def check_slo_dashboard(
    reader: Reader, groups_node: YamlMap, groups: list[Group], namespace: str
) -> None:
    """Report a group dashboard that the SLO dashboard would overwrite or share a uid with."""
    if not any(group.slos for group in groups):
        return
    uid = slo_dashboard_uid(namespace)
    if not UID.match(uid):
        _report_long_uid(reader, groups, uid)
    for group in groups:
        if group.dashboard is None:
            continue
        if group.name == SLO_DASHBOARD_NAME:
            _report_file(reader, groups_node, group.name, namespace)
        elif group.dashboard.uid == uid:
            node = groups_node[group.name]["dashboard"]
            _report_uid(reader, node, f"groups.{group.name}.dashboard", uid, namespace)


def _report_file(
    reader: Reader, groups_node: YamlMap, name: str, namespace: str
) -> None:
    path = f"grafana/dashboards/{namespace}/{name}.json"
    reader.report(
        groups_node.key_locations[name],
        f"groups.{name}",
        f'the dashboard of group "{name}" and the SLO dashboard are both written '
        f"to {path}",
        f'rename the group, such as "{name}_overview"',
    )


def _report_uid(
    reader: Reader, node: YamlMap, field: str, uid: str, namespace: str
) -> None:
    group = field.split(".")[1]
    reader.report(
        where(node, "uid"),
        f"{field}.uid",
        f'dashboard uid "{uid}" is also the uid of the SLO dashboard',
        f'set a different `uid:`, such as "{namespace}-{group}"'.replace("_", "-"),
    )


def _report_long_uid(reader: Reader, groups: list[Group], uid: str) -> None:
    slo = next(slo for group in groups for slo in group.slos)
    reader.report(
        slo.location or Location(reader.path, 1, 1),
        "namespace",
        f'the SLO dashboard uid "{uid}" is longer than the 40 characters Grafana accepts',
        f"shorten the namespace to at most {40 - len(SLO_DASHBOARD_NAME) - 1} characters",
    )
