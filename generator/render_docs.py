"""The metric catalogue and one runbook page per alert, as Markdown.

The pages are prose, so Jinja templates (`templates/*.md.j2`) lay them out;
this module prepares the facts: each metric's labels, buckets, series estimate
and users, and each alert's queries.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jinja2
from promspec.analysis.lint_cardinality import estimate
from promspec.errors import Diagnostic
from promspec.memo import by_identity
from promspec.model import (
    Alert,
    Group,
    Label,
    LabelKind,
    Location,
    Metric,
    RecordingRule,
    Spec,
)
from promspec.render_module import shipped_environment
from promspec.render_rules import rule_group_name
from promspec.slo_docs import rule_entries, slo_entries
from promspec.stamp import stamp
from promspec.usage import Users, expression_metrics, metric_users, selected_names


class MetricEntry(NamedTuple):
    """One metric of the catalogue, with what the page shows about it."""

    metric: Metric
    labels: list[str]  # "name: what values it takes", one per label
    buckets: str
    series: str
    users: Users
    recording_rules: list[str]  # an SLO's rules as one entry


def catalogue_path(spec: Spec) -> str:
    return f"docs/{spec.namespace}/metrics.md"


def runbook_path(spec: Spec, alert: Alert) -> str:
    return f"docs/{spec.namespace}/runbooks/{alert.name}.md"


def runbook_page_url(spec: Spec, alert: Alert) -> str:
    """Return the address of the alert's page under the spec's runbook_base_url."""
    return f"{spec.runbook_base_url.rstrip('/')}/{alert.name}.md"


def render_docs(spec: Spec) -> dict[str, str]:
    """Return {path: text} of the catalogue and of every alert's runbook page."""
    users = metric_users(spec)
    files = {catalogue_path(spec): _catalogue(spec, users)}
    for group in spec.groups:
        for alert in group.alerts:
            files[runbook_path(spec, alert)] = _runbook(spec, group, alert, users)
    return dict(sorted(files.items()))


def _catalogue(spec: Spec, users: dict[str, Users]) -> str:
    groups = [
        (
            group,
            [
                _entry(spec, metric, group, users[metric.name])
                for metric in group.metrics
            ],
        )
        for group in spec.groups
    ]
    slos = slo_entries(spec, catalogue_path(spec))
    return (
        _environment()
        .get_template("metrics.md.j2")
        .render(spec=spec, stamp=stamp(spec), groups=groups, slos=slos)
    )


def _entry(spec: Spec, metric: Metric, group: Group, users: Users) -> MetricEntry:
    row = estimate(metric, f"groups.{group.name}.metrics.{metric.key}")
    series = f"{row.series:,}" if row.series is not None else "unbounded"
    if row.unbounded:
        series += f" (no bound on {', '.join(row.unbounded)})"
    buckets = ", ".join(_number(bound) for bound in metric.buckets)
    return MetricEntry(
        metric,
        [_label_text(label) for label in metric.labels],
        buckets,
        series,
        users,
        rule_entries(spec, users.recording_rules),
    )


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _label_text(label: Label) -> str:
    if label.kind is LabelKind.ENUM:
        values = ", ".join(f"`{value}`" for value in label.values)
    elif label.max_values is not None:
        values = f"{label.kind.value}, at most {label.max_values} values"
    else:
        values = f"{label.kind.value}, unbounded"
    text = f"`{label.name}`: {values}"
    return f"{text}. {label.description}" if label.description else text


def _runbook(spec: Spec, group: Group, alert: Alert, users: dict[str, Users]) -> str:
    metrics = expression_metrics(spec, alert.expr)
    selected = selected_names(alert.expr, panel=False)
    rules, order = _records_by_name(spec)
    records = [
        rules[name] for name in sorted(selected & rules.keys(), key=order.__getitem__)
    ]
    panels = sorted({panel for name in metrics for panel in users[name].panels})
    return (
        _environment()
        .get_template("runbook.md.j2")
        .render(
            spec=spec,
            stamp=stamp(spec),
            group=group,
            alert=alert,
            rule_group=rule_group_name(spec, group, alert),
            metrics=metrics,
            records=records,
            panels=panels,
        )
    )


@by_identity
def _records_by_name(
    spec: Spec,
) -> tuple[dict[str, RecordingRule], dict[str, int]]:
    """Return the recording rules by name and their positions in the spec."""
    rules = {rule.key: rule for rule in spec.recording_rules}
    return rules, {name: index for index, name in enumerate(rules)}


def _cell(text: str) -> str:
    """Escape text for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


@functools.cache
def _environment() -> jinja2.Environment:
    environment = shipped_environment()
    environment.filters["cell"] = _cell
    return environment


def missing_runbook_pages(spec: Spec, files: dict[str, str]) -> list[Diagnostic]:
    """Report alerts whose runbook_url points under runbook_base_url at no page."""
    base = spec.runbook_base_url.rstrip("/")
    found = []
    for group in spec.groups:
        for index, alert in enumerate(group.alerts):
            if not base or not alert.runbook_url.startswith(f"{base}/"):
                continue
            page = alert.runbook_url.removeprefix(f"{base}/")
            path = f"docs/{spec.namespace}/runbooks/{page}"
            if path not in files:
                found.append(_missing_page(spec, group, index, alert, path))
    return found


def _missing_page(
    spec: Spec, group: Group, index: int, alert: Alert, path: str
) -> Diagnostic:
    locations = dict(alert.annotation_locations)
    return Diagnostic(
        locations.get("runbook_url") or alert.location or Location(spec.path, 1, 1),
        f"{group.item_field('alerts', index)}.runbook_url",
        f'runbook_url "{alert.runbook_url}" points at {path}, which promspec '
        "does not generate",
        f"remove runbook_url, so that it points at {runbook_page_url(spec, alert)}, "
        "or point it outside runbook_base_url",
    )
