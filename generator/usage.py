"""The index of the alerts, recording rules and panels that read each metric.

A recording rule's users count as users of the metrics it reads, so an alert
on `job:foo:rate5m` is listed under `foo`. The catalogue, the runbooks and
`promspec diff` read this index.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from promspec.memo import by_identity
from promspec.model import Metric, PanelType, Spec
from promspec.promql import PromQLSyntaxError, parse, parse_panel_query, selector_keys


class Users(NamedTuple):
    """The readers of one metric: alert names, record names and "Dashboard / Panel" titles."""

    alerts: tuple[str, ...] = ()
    recording_rules: tuple[str, ...] = ()
    panels: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.alerts or self.recording_rules or self.panels)


def metric_users(spec: Spec) -> dict[str, Users]:
    """Return the users of every metric, keyed by the metric's name."""
    owners, records = _indexes(spec)
    found: dict[str, dict[str, set[str]]] = {
        metric.name: {"alerts": set(), "rules": set(), "panels": set()}
        for metric in spec.metrics
    }
    for record, metrics in records.items():
        for name in metrics:
            found[name]["rules"].add(record)
    for alert in spec.alerts:
        for name in _read_metrics(alert.expr, owners, records, panel=False):
            found[name]["alerts"].add(alert.name)
    for title, expr in _panel_queries(spec):
        for name in _read_metrics(expr, owners, records, panel=True):
            found[name]["panels"].add(title)
    return {
        name: Users(
            *(tuple(sorted(kinds[key])) for key in ("alerts", "rules", "panels"))
        )
        for name, kinds in found.items()
    }


def expression_metrics(spec: Spec, expr: str, panel: bool = False) -> list[str]:
    """Return the names of the metrics that an expression reads, through records too."""
    owners, records = _indexes(spec)
    return sorted(_read_metrics(expr, owners, records, panel))


# Built once per spec: the catalogue and every runbook page of a run read them.
@by_identity
def _indexes(spec: Spec) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Return the sample owners and record metrics of a spec."""
    owners = _sample_owners(spec.metrics)
    return owners, _record_metrics(spec, owners)


def _sample_owners(metrics: Iterable[Metric]) -> dict[str, str]:
    """Map every sample name, and the family name, to the metric's name."""
    return {
        sample: metric.name
        for metric in metrics
        for sample in (metric.family, *metric.sample_names)
    }


def _record_metrics(spec: Spec, owners: dict[str, str]) -> dict[str, set[str]]:
    """Map each record name to the metrics it reads, through other records too."""
    direct = {
        rule.key: selected_names(rule.expr, False) for rule in spec.recording_rules
    }
    resolved: dict[str, set[str]] = {}

    def resolve(record: str, seen: frozenset[str]) -> set[str]:
        if record not in resolved:
            names: set[str] = set()
            for name in direct.get(record, set()):
                if _bare(name) in owners:
                    names.add(owners[_bare(name)])
                elif name in direct and name not in seen:
                    names |= resolve(name, seen | {name})
            resolved[record] = names
        return resolved[record]

    for record in direct:
        resolve(record, frozenset({record}))
    return resolved


def _read_metrics(
    expr: str, owners: dict[str, str], records: dict[str, set[str]], panel: bool
) -> set[str]:
    names: set[str] = set()
    for name in selected_names(expr, panel):
        if _bare(name) in owners:
            names.add(owners[_bare(name)])
        names |= records.get(name, set())
    return names


def _bare(key: str) -> str:
    """Return a selector key's series name, without the sloth_id it may carry."""
    return key.partition("{")[0]


def selected_names(expr: str, panel: bool) -> set[str]:
    """Return the series names that an expression selects; none when it does not parse.

    A selector that fixes sloth_id gives `name{sloth_id="..."}`, the key of
    one SLO's recording rule (RecordingRule.key).
    """
    try:
        tree = parse_panel_query(expr) if panel else parse(expr)
    except PromQLSyntaxError:
        return set()
    return set(selector_keys(tree))


def _panel_queries(spec: Spec) -> Iterable[tuple[str, str]]:
    """Yield ("Dashboard / Panel", expression) of every query on every dashboard.

    A panel under a row, as on the SLO dashboard, is named by its row, so
    that one SLO's panels are one entry.
    """
    dashboards = [group.dashboard for group in spec.groups] + [spec.slo_dashboard]
    for dashboard in dashboards:
        if dashboard is None:
            continue
        row = ""
        for panel in dashboard.panels:
            if panel.type is PanelType.ROW:
                row = panel.title
            title = f"{dashboard.title} / {row or panel.title}"
            for query in panel.queries:
                yield title, query.expr
