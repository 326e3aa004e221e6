"""Rule test coverage: recording rules and alerts that get no generated tests."""

from __future__ import annotations

from promspec.analysis.catalog import finding
from promspec.errors import Diagnostic
from promspec.model import Alert, Group, Location, Spec
from promspec.rule_tests import plan_group
from promspec.slo_tests import SloPlan


def lint_tests(spec: Spec) -> list[Diagnostic]:
    """Report every rule and alert without tests, and the share that has them."""
    found = []
    for group in spec.groups:
        plan = plan_group(spec, group)
        for item, reason in plan.untested:
            if not item.slo:
                found.append(_untested(spec, group, item, reason))
        found += _untested_slos(group, plan.slos)
    share = coverage(spec)
    if found:
        found.append(
            finding(
                "tests/coverage",
                Location(spec.path, 1, 1),
                "",
                f"generated tests cover {share}",
                "write the uncovered rules as shapes, and give each raw alert `tests:` or a "
                "selector compared with a number",
            )
        )
    return found


def _untested_slos(group: Group, plans: dict[str, SloPlan]) -> list[Diagnostic]:
    """Report each SLO whose rules and alerts get no generated tests, once."""
    found = []
    for slo in group.slos:
        reason = plans[slo.name].untested
        if reason:
            found.append(
                finding(
                    "tests/untested-slo",
                    slo.location or Location("", 0, 0),
                    slo.field_path,
                    f"SLO {slo.name} has no generated tests: {reason}",
                    "select on labels that the spec declares, with values they take",
                )
            )
    return found


def coverage(spec: Spec) -> str:
    """Describe how many recording rules and alerts have tests, such as `9 of 10 (90%)`."""
    return share(*coverage_counts(spec))


def coverage_counts(spec: Spec) -> tuple[int, int]:
    """Return how many recording rules and alerts have tests, and how many there are."""
    total = len(spec.recording_rules) + len(spec.alerts)
    tested = sum(len(plan_group(spec, group).tested) for group in spec.groups)
    return tested, total


def share(tested: int, total: int) -> str:
    percent = 100 * tested // total if total else 100
    return f"{tested} of {total} recording rules and alerts ({percent}%)"


def _untested(spec: Spec, group: Group, item: object, reason: str) -> Diagnostic:
    if isinstance(item, Alert):
        field = _field(group, "alerts", item)
        return finding(
            "tests/untested-alert",
            item.location or Location(spec.path, 0, 0),
            field,
            f"alert {item.name} has no generated tests: {reason}",
            "add `tests:` with promtool test groups next to the alert, or compare "
            "one selector of a shaped recording rule or a gauge with a number",
        )
    return finding(
        "tests/untested-rule",
        getattr(item, "location", None) or Location(spec.path, 0, 0),
        _field(group, "recording_rules", item),
        f"recording rule {getattr(item, 'record', '')} has no generated tests: {reason}",
        "write it as a shape: rate, ratio, average, quantile, max or sum",
    )


def _field(group: Group, key: str, item: object) -> str:
    return group.item_field(key, list(getattr(group, key)).index(item))
