"""The SLO dashboard: one row per SLO, its queries, and the checks on its file and uid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from promspec.analysis.lint_dashboards import check_model
from promspec.analysis.run import lint_spec
from promspec.analysis.source import expressions
from promspec.build import load_spec_text
from promspec.build_slo_dashboard import row_title
from promspec.cli import app
from promspec.errors import SpecError
from promspec.model import SLO, Spec
from promspec.pipeline import load_specs
from promspec.promql import parse_panel_query
from promspec.render_dashboards import render_dashboards
from promspec.render_provisioning import render_provisioning
from promspec.usage import selected_names
from typer.testing import CliRunner

SLO_PATH = "grafana/dashboards/compozy/slos.json"

# A spec with one SLO and no group dashboard.
SLO_ONLY = """\
version: 1
namespace: shop_eu
runbook_base_url: https://runbooks.shop.example/alerts
groups:
  orders:
    metrics:
      orders:
        type: counter
        labels:
          - outcome: enum[ok, failed]
        description: "Orders placed"
    slos:
      - name: orders-success
        description: Orders are placed without an error
        objective: 99.95
        errors: 'shop_eu_orders_total{outcome="failed"}'
        total: shop_eu_orders_total
"""


@pytest.fixture(scope="module")
def compozy() -> Spec:
    root = Path(__file__).resolve().parent.parent
    return load_specs([str(root / "specs" / "compozy.yaml")])[0]


@pytest.fixture(scope="module")
def dashboard(compozy: Spec) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render_dashboards(compozy)[SLO_PATH])
    return loaded


def rows(dashboard: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return the panels under each row, keyed by the row's title."""
    found: dict[str, list[dict[str, Any]]] = {}
    current: list[dict[str, Any]] = []
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            current = found.setdefault(panel["title"], [])
        else:
            current.append(panel)
    return found


def panel_of(dashboard: dict[str, Any], slo: SLO, title: str) -> dict[str, Any]:
    (panel,) = [p for p in rows(dashboard)[row_title(slo)] if p["title"] == title]
    return panel


def test_slo_dashboard_header(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] == "compozy-slos"
    assert dashboard["title"] == "Compozy SLOs"
    assert dashboard["tags"] == ["compozy", "slo"]
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]


def test_every_slo_has_a_row(compozy: Spec, dashboard: dict[str, Any]) -> None:
    titles = {
        "Objective",
        "Period in days",
        "SLI over 30d",
        "Error budget remaining",
        "Burn rate",
        "Error ratio",
    }

    assert list(rows(dashboard)) == [row_title(slo) for slo in compozy.slos]
    assert len(compozy.slos) == 3
    for panels in rows(dashboard).values():
        assert {panel["title"] for panel in panels} == titles


def test_queries_select_own_sloth_id(compozy: Spec, dashboard: dict[str, Any]) -> None:
    records = {rule.key for rule in compozy.recording_rules if rule.slo}
    for slo in compozy.slos:
        for panel in rows(dashboard)[row_title(slo)]:
            for target in panel["targets"]:
                parse_panel_query(target["expr"])  # raises on invalid PromQL
                keys = selected_names(target["expr"], panel=True)
                assert keys, target["expr"]
                for key in keys:
                    assert key.endswith(f'{{sloth_id="{slo.id}"}}'), key
                    assert key in records, key


def test_indicator_is_one_minus_period_ratio(
    compozy: Spec, dashboard: dict[str, Any]
) -> None:
    slo = compozy.slos[0]
    panel = panel_of(dashboard, slo, "SLI over 30d")
    steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]

    assert panel["type"] == "stat"
    assert [t["expr"] for t in panel["targets"]] == [
        f'1 - slo:sli_error:ratio_rate30d{{sloth_id="{slo.id}"}}'
    ]
    assert steps == [
        {"color": "red", "value": None},
        {"color": "green", "value": 0.999},
    ]


def test_budget_remaining_red_below_zero(
    compozy: Spec, dashboard: dict[str, Any]
) -> None:
    slo = compozy.slos[0]
    panel = panel_of(dashboard, slo, "Error budget remaining")
    defaults = panel["fieldConfig"]["defaults"]

    assert panel["targets"][0]["expr"] == (
        f'slo:period_error_budget_remaining:ratio{{sloth_id="{slo.id}"}}'
    )
    assert defaults["unit"] == "percentunit"
    assert defaults["thresholds"]["steps"] == [
        {"color": "red", "value": None},
        {"color": "green", "value": 0},
    ]


def test_burn_rate_windows_and_lines(compozy: Spec, dashboard: dict[str, Any]) -> None:
    slo = compozy.slos[0]
    panel = panel_of(dashboard, slo, "Burn rate")
    defaults = panel["fieldConfig"]["defaults"]
    targets = panel["targets"]

    assert [t["legendFormat"] for t in targets] == ["5m", "1h", "6h"]
    for target in targets:
        window = target["legendFormat"]
        assert (
            f'slo:sli_error:ratio_rate{window}{{sloth_id="{slo.id}"}}'
            in (target["expr"])
        )
        assert f'slo:error_budget:ratio{{sloth_id="{slo.id}"}}' in target["expr"]
        assert target["range"] is True
    assert [s["value"] for s in defaults["thresholds"]["steps"]] == [None, 6, 14.4]
    assert defaults["custom"]["thresholdsStyle"] == {"mode": "line"}


def test_error_ratio_over_every_window(
    compozy: Spec, dashboard: dict[str, Any]
) -> None:
    slo = compozy.slos[1]  # requests-latency: a budget of 1%
    panel = panel_of(dashboard, slo, "Error ratio")
    windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]

    assert [t["legendFormat"] for t in panel["targets"]] == windows
    assert panel["targets"][0]["expr"] == (
        f'slo:sli_error:ratio_rate5m{{sloth_id="{slo.id}"}}'
    )
    assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {
        "color": "red",
        "value": 0.01,
    }


def test_objective_shows_its_decimals() -> None:
    spec = load_spec_text(SLO_ONLY, "shop.yaml")
    rendered = json.loads(
        render_dashboards(spec)["grafana/dashboards/shop_eu/slos.json"]
    )
    (slo,) = spec.slos

    assert rendered["uid"] == "shop-eu-slos"
    assert rendered["title"] == "Shop Eu SLOs"
    assert (
        panel_of(rendered, slo, "Objective")["fieldConfig"]["defaults"]["decimals"] == 2
    )


def test_panel_ids_and_grid_are_stable(dashboard: dict[str, Any]) -> None:
    ids = [panel["id"] for panel in dashboard["panels"]]
    boxes = [panel["gridPos"] for panel in dashboard["panels"]]

    assert ids == list(range(1, len(ids) + 1))
    assert boxes[0] == {"x": 0, "y": 0, "w": 24, "h": 1}
    assert boxes[7] == {"x": 0, "y": 15, "w": 24, "h": 1}


def test_lint_reads_slo_panels(compozy: Spec) -> None:
    fields = [e.field for e in expressions(compozy) if e.kind == "panel"]

    assert fields.count("groups.http.slos[0]") == 1 + 1 + 1 + 1 + 3 + 7
    assert "groups.worker.slos[0]" in fields


def test_lint_finds_nothing_on_slo_dashboard(
    compozy: Spec, dashboard: dict[str, Any]
) -> None:
    assert compozy.slo_dashboard is not None
    findings = lint_spec(compozy)

    assert [f for f in findings if ".slos[" in f.field] == []
    assert check_model(compozy.slo_dashboard, "slos", dashboard) == []


def test_lint_names_slo_of_broken_panel(
    compozy: Spec, dashboard: dict[str, Any]
) -> None:
    assert compozy.slo_dashboard is not None
    broken = json.loads(json.dumps(dashboard))
    del broken["panels"][9]["targets"][0]["datasource"]

    (finding,) = check_model(compozy.slo_dashboard, "slos", broken)

    assert finding.check == "dashboards/datasource"
    assert finding.field == "groups.http.slos[1]"
    assert finding.location == compozy.slos[1].location


def test_provisioning_covers_slo_only_spec() -> None:
    spec = load_spec_text(SLO_ONLY, "shop.yaml")

    (text,) = render_provisioning(spec).values()

    assert "path: /var/lib/grafana/dashboards/shop_eu" in text
    assert list(render_dashboards(spec)) == ["grafana/dashboards/shop_eu/slos.json"]


def test_no_slo_dashboard_without_slos() -> None:
    text = SLO_ONLY.split("    slos:")[0]
    spec = load_spec_text(text, "shop.yaml")

    assert spec.slo_dashboard is None
    assert render_dashboards(spec) == {}


def test_group_dashboard_with_slo_uid_rejected() -> None:
    text = SLO_ONLY + (
        "    dashboard:\n"
        "      title: Orders\n"
        "      uid: shop-eu-slos\n"
        "      panels:\n"
        "        - title: Orders\n"
        "          query: sum(rate(shop_eu_orders_total[$__rate_interval]))\n"
        "          unit: ops\n"
    )

    with pytest.raises(SpecError) as raised:
        load_spec_text(text, "shop.yaml")

    (diagnostic,) = raised.value.diagnostics
    assert str(diagnostic.location) == "shop.yaml:20:12"
    assert diagnostic.field == "groups.orders.dashboard.uid"
    assert diagnostic.message == (
        'dashboard uid "shop-eu-slos" is also the uid of the SLO dashboard'
    )
    assert diagnostic.fix == 'set a different `uid:`, such as "shop-eu-orders"'


OTHER = """\
version: 1
namespace: other
runbook_base_url: https://runbooks.other.example
groups:
  queue:
    metrics:
      queue_depth:
        type: gauge
        description: Jobs waiting
    dashboard:
      title: Queue
      uid: payments-slos
      panels:
        - title: Depth
          query: sum(other_queue_depth)
          unit: short
"""


def test_uid_shared_across_specs_is_an_error(in_root: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(OTHER, encoding="utf-8")
    out = tmp_path / "out"

    result = CliRunner().invoke(
        app,
        ["generate", str(other), "tests/specs/good/payments.yaml", "--out", str(out)],
    )

    assert result.exit_code == 2, result.stderr
    assert (
        "tests/specs/good/payments.yaml:28:9: error: the SLO dashboard's uid: "
        f'dashboard uid "payments-slos" is also a uid of {other}'
    ) in result.stderr
    assert not out.exists()
