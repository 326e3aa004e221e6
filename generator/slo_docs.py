"""The facts that the metric catalogue shows about each SLO.

Each SLO has 14 recording rules, two alerts and a row on the SLO dashboard.
The catalogue gives each SLO a section, and names its rules as one entry in
the table of every metric that they read.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from typing import NamedTuple

from promspec.build_slo_dashboard import SLO_DASHBOARD_NAME, row_title
from promspec.model import SLO, Alert, Group, Spec, decimal_text
from promspec.render_dashboards import dashboard_path
from promspec.shapes import le_text, selector_text


class SLOEntry(NamedTuple):
    """One SLO of the catalogue, with what its section shows."""

    slo: SLO
    indicator: str  # Markdown: which events fail, and out of which
    error_budget: str  # in percent, such as 0.1
    rule_count: int
    alerts: tuple[Alert, ...]  # the fast-burn page, then the slow-burn ticket
    dashboard_link: str  # relative to the catalogue
    row: str  # the title of the SLO's row on the dashboard


def slo_entries(spec: Spec, catalogue: str) -> list[SLOEntry]:
    """Return the entries of every SLO; catalogue is the page's output path."""
    link = posixpath.relpath(
        dashboard_path(spec, SLO_DASHBOARD_NAME), posixpath.dirname(catalogue)
    )
    counts = _rule_counts(spec)
    return [
        SLOEntry(
            slo,
            indicator_text(slo),
            decimal_text(slo.error_budget * 100),
            counts[slo.name],
            _alerts(group, slo),
            link,
            row_title(slo),
        )
        for group in spec.groups
        for slo in group.slos
    ]


def indicator_text(slo: SLO) -> str:
    """Describe the events that fail and the events that count, with their selectors."""
    if slo.latency is not None:
        le = le_text(slo.below)
        return (
            f"observations of `{selector_text(slo.latency)}` above {le} fail; "
            f'the good ones are those in the bucket `le="{le}"`'
        )
    assert slo.errors is not None and slo.total is not None
    return (
        f"`{selector_text(slo.errors)}` counts the failed events "
        f"out of `{selector_text(slo.total)}`"
    )


def _alerts(group: Group, slo: SLO) -> tuple[Alert, ...]:
    return tuple(alert for alert in group.alerts if alert.slo == slo.name)


def _rule_counts(spec: Spec) -> Counter[str]:
    return Counter(rule.slo for rule in spec.recording_rules if rule.slo)


def rule_entries(spec: Spec, keys: tuple[str, ...]) -> list[str]:
    """Replace the keys of an SLO's recording rules with one entry for the SLO.

    The entry links to the SLO's section, such as
    "[SLO requests-availability](#slo-requests-availability) (14 rules)".
    """
    owners = {rule.key: rule.slo for rule in spec.recording_rules if rule.slo}
    counts = _rule_counts(spec)
    entries: list[str] = []
    for key in keys:
        slo = owners.get(key)
        entry = key if slo is None else _slo_rules_entry(slo, counts[slo])
        if entry not in entries:
            entries.append(entry)
    return entries


def _slo_rules_entry(name: str, count: int) -> str:
    return f"[SLO {name}](#slo-{name}) ({count} rules)"
