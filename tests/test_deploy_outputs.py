"""The PrometheusRule against the operator's CRD schema, and Grafana provisioning."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from promspec.pipeline import load_specs, render_all

FIXTURE = (
    Path(__file__).parent
    / "fixtures"
    / "kubernetes"
    / "monitoring.coreos.com_prometheusrules.yaml"
)
SPECS = ["specs/compozy.yaml", "tests/specs/good/shop.yaml"]

# The keys of a dashboard provider file, as Grafana's provisioning
# documentation lists them (grafana.com/docs/grafana/latest/administration/
# provisioning/, section "Dashboards").
PROVIDER_FILE_KEYS = {"apiVersion", "providers"}
PROVIDER_KEYS = {
    "name",
    "orgId",
    "folder",
    "folderUid",
    "type",
    "disableDeletion",
    "updateIntervalSeconds",
    "allowUiUpdates",
    "options",
}
PROVIDER_OPTION_KEYS = {"path", "foldersFromFilesStructure"}


def crd_schema() -> dict[str, Any]:
    """Return the CRD's v1 schema, closed as the API server's pruning closes it.

    The API server drops fields that a structural schema does not declare, so
    a field the operator does not know would vanish silently; the test treats
    it as an error instead.
    """
    crd = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    schema = copy.deepcopy(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"])
    _close(schema)
    return dict(schema)


def _close(node: Any) -> None:
    if isinstance(node, dict):
        pattern = node.get("pattern")
        if isinstance(pattern, str) and pattern.startswith("^(?i)"):
            # Go's RE2 takes inline flags anywhere; Python's re only at the start.
            node["pattern"] = "(?i)^" + pattern.removeprefix("^(?i)")
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)


def rendered(spec: str) -> dict[str, str]:
    return render_all(load_specs([spec]))


def resource(files: dict[str, str], namespace: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        files[f"kubernetes/{namespace}/prometheusrule.yaml"]
    )
    return loaded


@pytest.mark.parametrize("spec", SPECS)
def test_prometheusrule_matches_crd(spec: str, in_root: Path) -> None:
    files = rendered(spec)
    namespace = load_specs([spec])[0].namespace

    document = resource(files, namespace)

    jsonschema.validate(document, crd_schema())
    assert document["apiVersion"] == "monitoring.coreos.com/v1"
    assert document["kind"] == "PrometheusRule"


def test_crd_check_rejects_unknown_field(in_root: Path) -> None:
    document = resource(rendered(SPECS[0]), "compozy")
    document["spec"]["groups"][0]["rules"][0]["exprs"] = "up"

    with pytest.raises(jsonschema.ValidationError) as caught:
        jsonschema.validate(document, crd_schema())

    assert "'exprs' was unexpected" in caught.value.message


def test_crd_check_rejects_bad_duration(in_root: Path) -> None:
    document = resource(rendered(SPECS[0]), "compozy")
    alert = next(r for r in document["spec"]["groups"][0]["rules"] if "alert" in r)
    alert["for"] = "5 minutes"

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, crd_schema())


def test_prometheusrule_has_rule_file_groups(in_root: Path) -> None:
    files = rendered(SPECS[0])

    groups = resource(files, "compozy")["spec"]["groups"]
    rule_files = sorted(p for p in files if p.endswith(".rules.yml"))
    from_files = [g for p in rule_files for g in yaml.safe_load(files[p])["groups"]]

    assert sorted(g["name"] for g in groups) == sorted(g["name"] for g in from_files)
    assert sorted(groups, key=lambda g: g["name"]) == sorted(
        from_files, key=lambda g: g["name"]
    )


def test_prometheusrule_metadata_from_spec(in_root: Path) -> None:
    metadata = resource(rendered(SPECS[0]), "compozy")["metadata"]

    assert metadata == {
        "name": "compozy-rules",
        "namespace": "monitoring",
        "labels": {"app.kubernetes.io/managed-by": "promspec", "release": "prometheus"},
    }


def test_prometheusrule_default_metadata(in_root: Path) -> None:
    metadata = resource(rendered(SPECS[1]), "shop")["metadata"]

    assert metadata == {
        "name": "shop-rules",
        "labels": {"app.kubernetes.io/managed-by": "promspec"},
    }


@pytest.mark.parametrize("spec", SPECS)
def test_provider_uses_documented_keys(spec: str, in_root: Path) -> None:
    namespace = load_specs([spec])[0].namespace
    text = rendered(spec)[f"grafana/provisioning/dashboards/{namespace}.yaml"]

    document = yaml.safe_load(text)

    assert set(document) <= PROVIDER_FILE_KEYS
    assert document["apiVersion"] == 1
    for provider in document["providers"]:
        assert set(provider) <= PROVIDER_KEYS
        assert set(provider["options"]) <= PROVIDER_OPTION_KEYS
        assert provider["type"] == "file"


def test_provider_points_at_dashboard_folder(in_root: Path) -> None:
    files = rendered(SPECS[0])

    provider = yaml.safe_load(files["grafana/provisioning/dashboards/compozy.yaml"])[
        "providers"
    ][0]

    assert provider["folder"] == "Compozy"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards/compozy"
    assert provider["options"]["foldersFromFilesStructure"] is False
    assert any(p.startswith("grafana/dashboards/compozy/") for p in files)


def test_provider_defaults_from_namespace(in_root: Path) -> None:
    provider = yaml.safe_load(
        rendered(SPECS[1])["grafana/provisioning/dashboards/shop.yaml"]
    )["providers"][0]

    assert provider["name"] == "shop"
    assert provider["folder"] == "shop"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards/shop"


def test_prefixed_kubernetes_labels_pass(tmp_path: Path) -> None:
    spec = tmp_path / "t.yaml"
    spec.write_text(
        "version: 1\nnamespace: t\nrunbook_base_url: https://r.example\n"
        "kubernetes:\n  labels:\n    app.kubernetes.io/part-of: shop\n"
        "    team/platform: monitoring\n"
        "groups:\n  g:\n    metrics:\n      up_things:\n        type: gauge\n"
        "        description: Things up\n    recording_rules:\n"
        "      - record: job:t_up_things:sum\n        expr: sum by (job) (t_up_things)\n",
        encoding="utf-8",
    )

    document = resource(render_all(load_specs([str(spec)])), "t")

    jsonschema.validate(document, crd_schema())
    assert document["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "promspec",
        "app.kubernetes.io/part-of": "shop",
        "team/platform": "monitoring",
    }


def test_prometheusrule_groups_pass_promtool(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    groups = resource(rendered(SPECS[0]), "compozy")["spec"]["groups"]
    rule_file = tmp_path / "from-resource.rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": groups}), encoding="utf-8")

    result = subprocess.run(
        [promtool, "check", "rules", str(rule_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
