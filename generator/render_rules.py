"""Prometheus rule files: one file and one rule group per spec group, and per SLO.

Recording rules come first in each rule group, so that an alert on a recorded
series reads the value computed in the same evaluation. Each SLO has a file
of its own, so that its tests evaluate its rules alone.
"""

from __future__ import annotations

from typing import Any

import yaml
from promspec.model import SLO, Alert, Group, RecordingRule, Spec
from promspec.stamp import stamp


def rule_file_path(spec: Spec, group: Group) -> str:
    return f"prometheus/{spec.namespace}/{group.name}.rules.yml"


def slo_rule_file_path(spec: Spec, slo: SLO) -> str:
    return f"prometheus/{spec.namespace}/slo-{slo.name}.rules.yml"


def render_rules(spec: Spec) -> dict[str, str]:
    """Return {path: text} for every group that has rules or alerts, and every SLO."""
    return {
        path: f"# {stamp(spec)}\n" + dump_yaml({"groups": [data]})
        for path, data in rule_groups(spec)
    }


def rule_groups(spec: Spec) -> list[tuple[str, dict[str, Any]]]:
    """Return the rule file path and rule group of every group and SLO of the spec."""
    found = []
    for group in spec.groups:
        rules = [rule for rule in group.recording_rules if not rule.slo]
        alerts = [alert for alert in group.alerts if not alert.slo]
        if rules or alerts:
            name = f"{spec.namespace}-{group.name}"
            found.append(
                (rule_file_path(spec, group), _rule_group(name, rules, alerts))
            )
        for slo in group.slos:
            rules = [rule for rule in group.recording_rules if rule.slo == slo.name]
            alerts = [alert for alert in group.alerts if alert.slo == slo.name]
            name = f"{spec.namespace}-slo-{slo.name}"
            found.append(
                (slo_rule_file_path(spec, slo), _rule_group(name, rules, alerts))
            )
    return found


def rule_group_name(spec: Spec, group: Group, alert: Alert) -> str:
    """Return the name of the rule group that contains the alert."""
    if alert.slo:
        return f"{spec.namespace}-slo-{alert.slo}"
    return f"{spec.namespace}-{group.name}"


def _rule_group(
    name: str, rules: list[RecordingRule], alerts: list[Alert]
) -> dict[str, Any]:
    """Return a rule group as Prometheus and the operator read it."""
    data = [recording_rule(rule) for rule in rules]
    data += [alerting_rule(alert) for alert in alerts]
    return {"name": name, "rules": data}


def recording_rule(rule: RecordingRule) -> dict[str, Any]:
    data: dict[str, Any] = {"record": rule.record, "expr": rule.expr}
    if rule.labels:
        data["labels"] = dict(rule.labels)
    return data


def alerting_rule(alert: Alert) -> dict[str, Any]:
    data: dict[str, Any] = {"alert": alert.name, "expr": alert.expr}
    if alert.for_:
        data["for"] = alert.for_
    data["labels"] = dict(
        sorted({**dict(alert.labels), "severity": alert.severity}.items())
    )
    data["annotations"] = {
        "description": alert.description,
        "runbook_url": alert.runbook_url,
        "summary": alert.summary,
    }
    return data


# libyaml's emitter, where PyYAML was built with it, writes the same text as
# PyYAML's own emitter in a fraction of the time. The golden tests compare it.
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _RuleDumper(_BaseDumper):  # type: ignore[misc,valid-type]
    """Keeps the conventional key order of a rule and writes multi-line text as blocks."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text and _block_safe(text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _block_safe(text: str) -> bool:
    """Tell whether a literal block keeps the text exactly: no trailing spaces or tabs."""
    return (
        not any(line != line.rstrip(" \t") for line in text.split("\n"))
        and "\r" not in text
    )


_RuleDumper.add_representer(str, _represent_str)

# A line width that no rule reaches, so that long expressions are never folded.
# libyaml takes a C int, so float("inf") would fail there.
_NO_FOLDING = 2**31 - 1


def dump_yaml(document: Any) -> str:
    return yaml.dump(
        document,
        Dumper=_RuleDumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=_NO_FOLDING,
        indent=2,
    )
