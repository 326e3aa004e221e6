"""A PrometheusRule resource per spec, for clusters run by prometheus-operator.

It contains the same rule groups as the rule files under prometheus/, so that a
team applies it with kubectl or a GitOps tool instead of mounting rule files.
"""

from __future__ import annotations

from typing import Any

from promspec.model import Spec
from promspec.render_rules import dump_yaml, rule_groups
from promspec.stamp import stamp

API_VERSION = "monitoring.coreos.com/v1"
KIND = "PrometheusRule"


def rule_resource_path(spec: Spec) -> str:
    return f"kubernetes/{spec.namespace}/prometheusrule.yaml"


def render_kubernetes(spec: Spec) -> dict[str, str]:
    """Return {path: text} of the spec's PrometheusRule; none when it has no rules."""
    groups = [data for _, data in rule_groups(spec)]
    if not groups:
        return {}
    document = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": _metadata(spec),
        "spec": {"groups": groups},
    }
    return {rule_resource_path(spec): f"# {stamp(spec)}\n" + dump_yaml(document)}


def _metadata(spec: Spec) -> dict[str, Any]:
    meta = spec.rule_resource
    data: dict[str, Any] = {"name": meta.name}
    if meta.namespace:
        data["namespace"] = meta.namespace
    labels = {"app.kubernetes.io/managed-by": "promspec", **dict(meta.labels)}
    data["labels"] = dict(sorted(labels.items()))
    return data
