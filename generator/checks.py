"""Cross-checks over a whole spec: name collisions, duplicate names, metric suggestions."""

from __future__ import annotations

from collections.abc import Iterator

from promspec.errors import Diagnostic
from promspec.model import Location, Metric, Spec

_NOWHERE = Location("", 0, 0)


def exposed_names(spec: Spec) -> Iterator[tuple[str, str, Location, str]]:
    """Yield (exposed name, field, location, what defines it) for every series name."""
    for group in spec.groups:
        for metric in group.metrics:
            field = f"groups.{group.name}.metrics.{metric.key}"
            for name in {metric.family, *metric.sample_names}:
                yield name, field, metric.location or _NOWHERE, f"metric {metric.key}"
        for index, rule in enumerate(group.recording_rules):
            if rule.slo:
                continue  # one per SLO, distinguished by sloth_id
            field = f"groups.{group.name}.recording_rules[{index}].record"
            yield rule.record, field, rule.location or _NOWHERE, "recording rule"


def name_collisions(spec: Spec) -> list[Diagnostic]:
    """Report two definitions that expose the same family or sample name."""
    first: dict[str, tuple[str, Location, str]] = {}
    found = []
    for name, field, location, owner in sorted(
        exposed_names(spec), key=lambda item: item[2]
    ):
        if name in first and first[name][0] != field:
            other_field, other_location, other_owner = first[name]
            found.append(
                Diagnostic(
                    location,
                    field,
                    f'{owner} exposes "{name}", which {other_owner} at line {other_location.line} '
                    f"({other_field}) exposes too",
                    "rename one of the two; Prometheus would mix their series",
                )
            )
        first.setdefault(name, (field, location, owner))
    return found


def duplicate_alerts(spec: Spec) -> list[Diagnostic]:
    seen: dict[str, Location] = {}
    found = []
    for group in spec.groups:
        for index, alert in enumerate(group.alerts):
            location = alert.location or _NOWHERE
            if alert.name in seen:
                found.append(
                    Diagnostic(
                        location,
                        f"{group.item_field('alerts', index)}.alert",
                        f'duplicate alert "{alert.name}", first defined at line '
                        f"{seen[alert.name].line}",
                        "give each alert its own name",
                    )
                )
            seen.setdefault(alert.name, location)
    return found


def duplicate_uids(spec: Spec) -> list[Diagnostic]:
    seen: dict[str, str] = {}
    found = []
    for group in spec.groups:
        if group.dashboard is None:
            continue
        uid = group.dashboard.uid
        if uid in seen:
            found.append(
                Diagnostic(
                    group.dashboard.location or _NOWHERE,
                    f"groups.{group.name}.dashboard.uid",
                    f'dashboard uid "{uid}" is also used by group {seen[uid]}',
                    "set a different `uid:` on one of the two dashboards",
                )
            )
        seen.setdefault(uid, group.name)
    return found


def known_names(spec: Spec) -> set[str]:
    """Return every series name a query can select: sample names and recorded names."""
    samples = {name for metric in spec.metrics for name in metric.sample_names}
    return samples | {rule.record for rule in spec.recording_rules}


def suggest_metric(spec: Spec, name: str) -> str:
    """Name the closest defined series: a missing namespace, `_total` or a wrong suffix."""
    import difflib  # imported here: only an unknown metric needs it

    known = known_names(spec)
    for candidate in (
        f"{spec.namespace}_{name}",
        f"{name}_total",
        f"{spec.namespace}_{name}_total",
    ):
        if candidate in known:
            return f'did you mean "{candidate}"?'
    wrong_suffix = _suffix_on_wrong_type(spec.metrics, name)
    if wrong_suffix:
        return wrong_suffix
    matches = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    if matches:
        return f'did you mean "{matches[0]}"?'
    return (
        "define the metric in the spec, or write the expression on metrics it defines"
    )


def _suffix_on_wrong_type(metrics: tuple[Metric, ...], name: str) -> str:
    for suffix in ("_bucket", "_sum", "_count"):
        family = name.removesuffix(suffix)
        metric = next((m for m in metrics if m.family == family), None)
        if name.endswith(suffix) and metric is not None:
            kinds = "histograms" if suffix == "_bucket" else "histograms and summaries"
            return (
                f'"{family}" is a {metric.type.value}, and only {kinds} have {suffix} series; '
                f'use "{metric.sample_names[0]}"'
            )
    return ""
