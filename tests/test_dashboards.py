"""Tests of the Grafana dashboard renderer, on small specs built by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from promspec.model import Dashboard, Group, Panel, PanelType, Query, Spec
from promspec.render_dashboards import GRID_COLUMNS, SCHEMA_VERSION, render_dashboards
from promspec.stamp import stamp

REPO = Path(__file__).resolve().parent.parent
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def make_panel(
    title: str = "Request Rate",
    panel_type: PanelType = PanelType.TIMESERIES,
    unit: str = "reqps",
    queries: tuple[Query, ...] = (Query("sum(rate(app_requests_total[5m]))"),),
    **fields: Any,
) -> Panel:
    return Panel(title=title, type=panel_type, unit=unit, queries=queries, **fields)


def make_spec(*panels: Panel, uid: str = "app-http", group: str = "http") -> Spec:
    dashboard = Dashboard(title="HTTP", uid=uid, panels=panels or (make_panel(),))
    groups = (
        Group(name=group, description="HTTP server", metrics=(), dashboard=dashboard),
        Group(name="quiet", description="No dashboard", metrics=()),
    )
    return Spec(
        path="specs/app.yaml",
        source_name="app.yaml",
        version=1,
        namespace="app",
        groups=groups,
        module="app_metrics",
    )


def render_one(spec: Spec) -> dict[str, Any]:
    (text,) = render_dashboards(spec).values()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def overlaps(a: dict[str, int], b: dict[str, int]) -> bool:
    return (
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def assert_grid_is_sound(dashboard: dict[str, Any]) -> None:
    positions = [panel["gridPos"] for panel in dashboard["panels"]]
    for position in positions:
        assert position["x"] >= 0, position
        assert position["x"] + position["w"] <= GRID_COLUMNS, position
    for i, first in enumerate(positions):
        for second in positions[i + 1 :]:
            assert not overlaps(first, second), (first, second)


def assert_uses_datasource_variable(dashboard: dict[str, Any]) -> None:
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            assert "targets" not in panel, panel["title"]  # a row runs no query
            continue
        assert panel["datasource"] == DATASOURCE, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE, (panel["title"], target)


MIXED_WIDTHS = (12, 12, 8, 10, 8, 24, 6, 20, 18, 7, 1)


def mixed_width_spec() -> Spec:
    panels = tuple(
        make_panel(title=f"Panel {i}", width=width, height=4 + i % 3)
        for i, width in enumerate(MIXED_WIDTHS)
    )
    return make_spec(*panels)


def test_one_file_per_dashboard_group() -> None:
    files = render_dashboards(make_spec())

    assert list(files) == ["grafana/dashboards/app/http.json"]


def test_output_is_json_with_newline() -> None:
    (text,) = render_dashboards(make_spec()).values()

    assert isinstance(json.loads(text), dict)
    assert text.endswith("}\n")


def test_dashboard_header_fields() -> None:
    dashboard = render_one(make_spec())

    assert "id" not in dashboard
    assert dashboard["uid"] == "app-http"
    assert dashboard["title"] == "HTTP"
    assert dashboard["tags"] == ["app", "http"]
    assert dashboard["schemaVersion"] == SCHEMA_VERSION
    assert dashboard["time"] == {"from": "now-6h", "to": "now"}
    assert dashboard["timezone"] == "browser"
    assert isinstance(dashboard["editable"], bool)
    assert dashboard["refresh"]


def test_description_carries_stamp() -> None:
    spec = make_spec()

    dashboard = render_one(spec)

    assert dashboard["description"].startswith("HTTP server")
    assert dashboard["description"].endswith(stamp(spec))


def test_dashboard_tags_are_merged_and_sorted() -> None:
    dashboard = Dashboard(
        title="HTTP", uid="app-http", panels=(make_panel(),), tags=("zeta", "app")
    )
    group = Group(name="http", description="", metrics=(), dashboard=dashboard)
    spec = Spec(
        path="app.yaml",
        source_name="app.yaml",
        version=1,
        namespace="app",
        groups=(group,),
        module="app_metrics",
    )

    rendered = render_one(spec)

    assert rendered["tags"] == ["app", "http", "zeta"]
    assert rendered["description"] == stamp(spec)


def test_datasource_variable_is_declared() -> None:
    (variable,) = render_one(make_spec())["templating"]["list"]

    assert variable["type"] == "datasource"
    assert variable["name"] == "datasource"
    assert variable["query"] == "prometheus"


def test_panels_and_targets_use_datasource_variable() -> None:
    panels = tuple(
        make_panel(title=kind.value, panel_type=kind, queries=(Query("a"), Query("b")))
        for kind in PanelType
    )

    assert_uses_datasource_variable(render_one(make_spec(*panels)))


def test_panel_ids_follow_spec_order() -> None:
    dashboard = render_one(mixed_width_spec())

    ids = [panel["id"] for panel in dashboard["panels"]]

    assert ids == list(range(1, len(MIXED_WIDTHS) + 1))
    assert len(set(ids)) == len(ids)


def test_mixed_widths_never_overlap() -> None:
    dashboard = render_one(mixed_width_spec())

    assert_grid_is_sound(dashboard)


def test_panel_wraps_below_tallest_neighbour() -> None:
    spec = make_spec(
        make_panel(title="short", width=12, height=4),
        make_panel(title="tall", width=12, height=9),
        make_panel(title="next row", width=6, height=4),
    )

    short, tall, next_row = (p["gridPos"] for p in render_one(spec)["panels"])

    assert short == {"x": 0, "y": 0, "w": 12, "h": 4}
    assert tall == {"x": 12, "y": 0, "w": 12, "h": 9}
    assert next_row == {"x": 0, "y": 9, "w": 6, "h": 4}


def test_panels_fill_row_before_wrapping() -> None:
    spec = make_spec(*(make_panel(title=f"p{i}", width=8) for i in range(4)))

    positions = [p["gridPos"] for p in render_one(spec)["panels"]]

    assert [(p["x"], p["y"]) for p in positions] == [(0, 0), (8, 0), (16, 0), (0, 8)]


@pytest.mark.parametrize(("width", "height"), [(0, 8), (25, 8), (12, 0)])
def test_panel_size_outside_grid_rejected(width: int, height: int) -> None:
    spec = make_spec(make_panel(title="Odd", width=width, height=height))

    with pytest.raises(ValueError, match="panel 'Odd'"):
        render_dashboards(spec)


def test_units_reach_field_config() -> None:
    spec = make_spec(
        make_panel(title="latency", unit="s"),
        make_panel(title="size", panel_type=PanelType.HEATMAP, unit="bytes"),
        make_panel(title="share", panel_type=PanelType.STAT, unit="percentunit"),
    )

    units = [p["fieldConfig"]["defaults"]["unit"] for p in render_one(spec)["panels"]]

    assert units == ["s", "bytes", "percentunit"]


def test_gauge_ratio_has_bounds() -> None:
    spec = make_spec(make_panel(panel_type=PanelType.GAUGE, unit="percentunit"))

    (panel,) = render_one(spec)["panels"]

    assert panel["fieldConfig"]["defaults"]["min"] == 0
    assert panel["fieldConfig"]["defaults"]["max"] == 1


def test_heatmap_reads_prebucketed_series() -> None:
    query = Query("sum by (le) (rate(app_size_bytes_bucket[$__rate_interval]))", "x")
    spec = make_spec(
        make_panel(panel_type=PanelType.HEATMAP, unit="bytes", queries=(query,))
    )

    (panel,) = render_one(spec)["panels"]
    (target,) = panel["targets"]

    assert panel["type"] == "heatmap"
    assert target["format"] == "heatmap"
    assert target["legendFormat"] == "{{le}}"
    assert target["range"] is True
    assert panel["options"]["calculate"] is False
    assert panel["options"]["yAxis"]["unit"] == "bytes"
    assert panel["options"]["color"]["mode"] == "scheme"
    assert panel["options"]["color"]["scheme"]


def test_timeseries_legend_and_tooltip() -> None:
    (panel,) = render_one(make_spec())["panels"]
    (target,) = panel["targets"]

    assert panel["options"]["legend"]["displayMode"] == "list"
    assert panel["options"]["legend"]["placement"] == "bottom"
    assert panel["options"]["legend"]["showLegend"] is True
    assert panel["options"]["tooltip"]["mode"] == "multi"
    assert target["range"] is True
    assert target["instant"] is False


@pytest.mark.parametrize("panel_type", [PanelType.STAT, PanelType.TABLE])
def test_stat_and_table_are_instant(panel_type: PanelType) -> None:
    spec = make_spec(make_panel(panel_type=panel_type, unit="ops"))

    (target,) = render_one(spec)["panels"][0]["targets"]

    assert target["instant"] is True
    assert target["range"] is False


def test_table_query_uses_table_format() -> None:
    spec = make_spec(make_panel(panel_type=PanelType.TABLE, unit="ops"))

    (panel,) = render_one(spec)["panels"]

    assert panel["targets"][0]["format"] == "table"
    assert panel["type"] == "table"


def test_ref_ids_follow_query_order() -> None:
    queries = tuple(Query(f"metric_{i}") for i in range(28))
    spec = make_spec(make_panel(queries=queries))

    targets = render_one(spec)["panels"][0]["targets"]
    ref_ids = [target["refId"] for target in targets]

    assert ref_ids[:3] == ["A", "B", "C"]
    assert ref_ids[25:] == ["Z", "AA", "AB"]
    assert len(set(ref_ids)) == len(ref_ids)


def test_empty_legend_becomes_auto() -> None:
    queries = (Query("up", legend=""), Query("up", legend="{{instance}}"))
    spec = make_spec(make_panel(queries=queries))

    targets = render_one(spec)["panels"][0]["targets"]

    assert targets[0]["legendFormat"] == "__auto"
    assert targets[1]["legendFormat"] == "{{instance}}"


def test_panel_description_only_when_given() -> None:
    spec = make_spec(
        make_panel(title="plain"), make_panel(title="noted", description="Why")
    )

    plain, noted = render_one(spec)["panels"]

    assert "description" not in plain
    assert noted["description"] == "Why"


def test_uid_comes_from_dashboard() -> None:
    first = render_one(make_spec(uid="app-http"))
    second = render_one(make_spec(uid="app-http"))

    assert first["uid"] == "app-http"
    assert second["uid"] == first["uid"]


@pytest.mark.parametrize("uid", ["", "a" * 41, "app http", "app/http"])
def test_invalid_uid_rejected(uid: str) -> None:
    with pytest.raises(ValueError, match="invalid dashboard uid"):
        render_dashboards(make_spec(uid=uid))


def test_rendering_twice_is_identical() -> None:
    spec = mixed_width_spec()

    assert render_dashboards(spec) == render_dashboards(spec)


def test_spec_strings_stay_literal() -> None:
    title = 'Say "hi" to {{job}} \\ $x'
    expr = 'sum(rate(a{path="/x\\\\y"}[$__rate_interval]))\n  / 2'
    legend = '{{path}} "quoted"'
    spec = make_spec(
        make_panel(
            title=title, description="line 1\nline 2", queries=(Query(expr, legend),)
        )
    )

    (panel,) = render_one(spec)["panels"]
    (target,) = panel["targets"]

    assert panel["title"] == title
    assert panel["description"] == "line 1\nline 2"
    assert target["expr"] == expr
    assert target["legendFormat"] == legend


COMPOZY_GROUPS = ["auth", "autoload", "database", "http", "webhook", "worker"]


@pytest.fixture(scope="module")
def compozy_dashboards() -> dict[str, dict[str, Any]]:
    build = pytest.importorskip("promspec.build")
    spec = build.load_spec(str(REPO / "specs" / "compozy.yaml"))
    files = render_dashboards(spec)
    return {path: json.loads(text) for path, text in files.items()}


def test_compozy_has_six_dashboards_and_slos(
    compozy_dashboards: dict[str, dict[str, Any]],
) -> None:
    names = sorted([*COMPOZY_GROUPS, "slos"])
    expected = [f"grafana/dashboards/compozy/{name}.json" for name in names]

    assert sorted(compozy_dashboards) == expected


@pytest.mark.parametrize("group", COMPOZY_GROUPS)
def test_compozy_dashboard_is_sound(
    compozy_dashboards: dict[str, dict[str, Any]], group: str
) -> None:
    dashboard = compozy_dashboards[f"grafana/dashboards/compozy/{group}.json"]
    ids = [panel["id"] for panel in dashboard["panels"]]

    assert dashboard["uid"] == f"compozy-{group}"
    assert len(dashboard["uid"]) <= 40
    assert dashboard["panels"]
    assert ids == list(range(1, len(ids) + 1))
    assert_grid_is_sound(dashboard)
    assert_uses_datasource_variable(dashboard)
    for panel in dashboard["panels"]:
        assert panel["fieldConfig"]["defaults"]["unit"], panel["title"]
        assert panel["targets"], panel["title"]


def test_compozy_heatmaps_are_prebucketed(
    compozy_dashboards: dict[str, dict[str, Any]],
) -> None:
    heatmaps = [
        panel
        for dashboard in compozy_dashboards.values()
        for panel in dashboard["panels"]
        if panel["type"] == "heatmap"
    ]

    assert len(heatmaps) == 5
    for panel in heatmaps:
        assert panel["options"]["calculate"] is False, panel["title"]
        assert panel["targets"][0]["format"] == "heatmap", panel["title"]
