"""Grafana file provisioning: a dashboard provider per spec, in its own folder.

Grafana reads every YAML file in its provisioning/dashboards/ folder at start.
The provider points Grafana at the folder that contains the spec's dashboards,
so copying grafana/dashboards/NAMESPACE to the provider's path and the
provider file to provisioning/dashboards/ is the whole deployment.
"""

from __future__ import annotations

from typing import Any

from promspec.model import Spec
from promspec.render_rules import dump_yaml
from promspec.stamp import stamp

# Seconds between Grafana's scans of the folder for changed dashboard files.
UPDATE_INTERVAL_SECONDS = 30


def provider_path(spec: Spec) -> str:
    return f"grafana/provisioning/dashboards/{spec.namespace}.yaml"


def render_provisioning(spec: Spec) -> dict[str, str]:
    """Return {path: text} of the spec's provider file; none without dashboards."""
    dashboards = [group.dashboard for group in spec.groups] + [spec.slo_dashboard]
    if not any(dashboards):
        return {}
    document = {"apiVersion": 1, "providers": [_provider(spec)]}
    return {provider_path(spec): f"# {stamp(spec)}\n" + dump_yaml(document)}


def _provider(spec: Spec) -> dict[str, Any]:
    target = spec.provisioning
    return {
        "name": spec.namespace,
        "orgId": 1,
        "folder": target.folder,
        "type": "file",
        # The files are generated, so edits in Grafana's UI would be lost on the
        # next scan, and a removed file should remove its dashboard.
        "disableDeletion": False,
        "allowUiUpdates": False,
        "updateIntervalSeconds": UPDATE_INTERVAL_SECONDS,
        "options": {"path": target.path, "foldersFromFilesStructure": False},
    }
