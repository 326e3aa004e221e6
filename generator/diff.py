"""Compare two versions of a spec: what changed in its metrics, and what it breaks.

A change is breaking when a query written against the old spec can stop
returning the series it returned before. These are a metric removed, renamed
or given another type or unit, a label removed, an enum value removed, and a
histogram bucket bound removed. Added metrics, labels, values and bounds are listed but
do not break. Each change names the alerts, recording rules and panels of the
old spec that read the metric.

SLOs are compared by name. Removing one, or renaming its alerts, breaks
the silences, routes and dashboards that name its alerts or its sloth_id. A
new objective, period or indicator is listed as a change.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from promspec.errors import count
from promspec.model import SLO, Label, Metric, Spec
from promspec.usage import Users, metric_users


class Change(NamedTuple):
    """One difference between the old and the new version of a metric."""

    metric: str  # the metric's name in the old spec, or in the new one when added
    kind: str  # such as "removed", "label removed" or "buckets removed"
    detail: str
    breaking: bool
    users: Users = Users()


def diff_specs(old: Spec, new: Spec) -> list[Change]:
    """Return every change from old to new, breaking ones first, then by metric."""
    old_metrics = {metric.name: metric for metric in old.metrics}
    new_metrics = {metric.name: metric for metric in new.metrics}
    removed = [old_metrics[n] for n in sorted(set(old_metrics) - set(new_metrics))]
    added = [new_metrics[n] for n in sorted(set(new_metrics) - set(old_metrics))]
    renames = _renames(removed, added)
    changes = [_renamed(before, after) for before, after in renames]
    renamed_old = {before.name for before, _ in renames}
    renamed_new = {after.name for _, after in renames}
    changes += [_removed(m) for m in removed if m.name not in renamed_old]
    changes += [_added(m) for m in added if m.name not in renamed_new]
    for name in sorted(set(old_metrics) & set(new_metrics)):
        changes += metric_changes(old_metrics[name], new_metrics[name])
    users = metric_users(old)
    with_users = [c._replace(users=users.get(c.metric, Users())) for c in changes]
    with_users += slo_changes(old, new)
    return sorted(with_users, key=lambda c: (not c.breaking, c.metric, c.kind))


def slo_changes(old: Spec, new: Spec) -> list[Change]:
    """Return the SLOs removed, added or changed from old to new."""
    before = {slo.name: slo for group in old.groups for slo in group.slos}
    after = {slo.name: slo for group in new.groups for slo in group.slos}
    changes = [_slo_removed(before[name]) for name in sorted(set(before) - set(after))]
    changes += [
        Change(f"SLO {name}", "added", f"added ({_objective(after[name])})", False)
        for name in sorted(set(after) - set(before))
    ]
    for name in sorted(set(before) & set(after)):
        changes += _slo_edits(before[name], after[name])
    return changes


def _objective(slo: SLO) -> str:
    return f"{slo.objective_percent}% over {slo.period}"


def _alerts(slo: SLO) -> tuple[str, ...]:
    from promspec.slo_rules import alert_name

    return (alert_name(slo, "FastBurn"), alert_name(slo, "SlowBurn"))


def _slo_removed(slo: SLO) -> Change:
    detail = f'removed, and with it the series of sloth_id="{slo.id}"'
    return Change(f"SLO {slo.name}", "removed", detail, True, Users(_alerts(slo)))


def _slo_edits(before: SLO, after: SLO) -> list[Change]:
    name = f"SLO {before.name}"
    changes = []
    if _alerts(before) != _alerts(after):
        detail = f"alerts renamed to {' and '.join(_alerts(after))}"
        changes.append(
            Change(name, "alerts renamed", detail, True, Users(_alerts(before)))
        )
    if _objective(before) != _objective(after):
        detail = f"objective {_objective(before)} -> {_objective(after)}"
        changes.append(Change(name, "objective", detail, False))
    indicator = ("errors", "total", "latency", "below")
    if any(getattr(before, key) != getattr(after, key) for key in indicator):
        changes.append(Change(name, "indicator", "indicator changed", False))
    return changes


def _renames(removed: list[Metric], added: list[Metric]) -> list[tuple[Metric, Metric]]:
    """Pair each removed metric with an added one of the same type, unit and labels.

    NOTE: this is a guess from the shape alone: two metrics of one shape
    removed and added together may be paired the wrong way round.
    """
    pairs = []
    free = list(added)
    for before in removed:
        match = next((after for after in free if _same_shape(before, after)), None)
        if match is not None:
            pairs.append((before, match))
            free.remove(match)
    return pairs


def _same_shape(before: Metric, after: Metric) -> bool:
    return (
        before.type is after.type
        and before.unit == after.unit
        and before.label_names == after.label_names
    )


def _renamed(before: Metric, after: Metric) -> Change:
    return Change(before.name, "renamed", f"renamed to {after.name}", True)


def _removed(metric: Metric) -> Change:
    return Change(metric.name, "removed", "removed", True)


def _added(metric: Metric) -> Change:
    return Change(metric.name, "added", f"added ({metric.type.value})", False)


def metric_changes(before: Metric, after: Metric) -> list[Change]:
    """Return the changes of one metric that keeps its name."""
    name = before.name
    changes = []
    if before.type is not after.type:
        detail = f"type {before.type.value} -> {after.type.value}"
        changes.append(Change(name, "type", detail, True))
    if before.unit != after.unit:
        detail = f"unit {before.unit or '(none)'} -> {after.unit or '(none)'}"
        changes.append(Change(name, "unit", detail, True))
    changes += _label_changes(name, before.labels, after.labels)
    changes += _bucket_changes(name, before.buckets, after.buckets)
    return changes


def _label_changes(
    name: str, before: tuple[Label, ...], after: tuple[Label, ...]
) -> list[Change]:
    old_labels = {label.name: label for label in before}
    new_labels = {label.name: label for label in after}
    changes = [
        Change(name, "label removed", f"label {label} removed", True)
        for label in sorted(set(old_labels) - set(new_labels))
    ]
    changes += [
        Change(name, "label added", f"label {label} added", False)
        for label in sorted(set(new_labels) - set(old_labels))
    ]
    for label in sorted(set(old_labels) & set(new_labels)):
        changes += _value_changes(name, old_labels[label], new_labels[label])
    return changes


def _value_changes(name: str, before: Label, after: Label) -> list[Change]:
    """Report enum values removed (breaking) and added; only enums list values."""
    if not before.values or not after.values:
        return []
    removed_values = [v for v in before.values if v not in after.values]
    new = [v for v in after.values if v not in before.values]
    changes = []
    if removed_values:
        detail = f"label {before.name} loses values {', '.join(removed_values)}"
        changes.append(Change(name, "values removed", detail, True))
    if new:
        detail = f"label {before.name} gains values {', '.join(new)}"
        changes.append(Change(name, "values added", detail, False))
    return changes


def _bucket_changes(
    name: str, before: tuple[float, ...], after: tuple[float, ...]
) -> list[Change]:
    removed_bounds = [bound for bound in before if bound not in after]
    new = [bound for bound in after if bound not in before]
    changes = []
    if removed_bounds:
        detail = f"bucket bounds {_bounds(removed_bounds)} removed"
        changes.append(Change(name, "buckets removed", detail, True))
    if new:
        detail = f"bucket bounds {_bounds(new)} added"
        changes.append(Change(name, "buckets added", detail, False))
    return changes


def _bounds(bounds: list[float]) -> str:
    return ", ".join(f"{bound:g}" for bound in bounds)


def render_text(changes: list[Change], old: str, new: str, allow: bool) -> str:
    """Write one line per change, its users below, and a verdict."""
    lines = []
    for change in changes:
        label = "breaking" if change.breaking else "change"
        lines.append(f"{label}: {change.metric}: {change.detail}")
        if change.breaking:
            lines += [f"  breaks {line}" for line in _user_lines(change.users)]
    lines.append(_verdict(changes, old, new, allow))
    return "\n".join(lines)


def _user_lines(users: Users) -> list[str]:
    lines = []
    for noun, names in (
        ("alert", users.alerts),
        ("recording rule", users.recording_rules),
        ("panel", users.panels),
    ):
        lines += [f"{noun} {name}" for name in names]
    return lines


def _verdict(changes: list[Change], old: str, new: str, allow: bool) -> str:
    breaking = sum(1 for change in changes if change.breaking)
    head = f"{old} -> {new}: {count(len(changes), 'change')}, {breaking} breaking"
    if breaking and not allow:
        return f"{head}; pass --allow-breaking once the users above are updated"
    return head


def render_json(changes: list[Change], old: str, new: str, allow: bool) -> str:
    document = {
        "old": old,
        "new": new,
        "changes": [
            {
                "metric": change.metric,
                "kind": change.kind,
                "detail": change.detail,
                "breaking": change.breaking,
                "alerts": list(change.users.alerts),
                "recording_rules": list(change.users.recording_rules),
                "panels": list(change.users.panels),
            }
            for change in changes
        ],
        "breaking": sum(1 for change in changes if change.breaking),
        "failed": any(change.breaking for change in changes) and not allow,
    }
    return json.dumps(document, indent=2)
