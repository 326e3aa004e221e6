"""Dashboard checks on the JSON that promspec renders: datasource, panel ids, grid.

The renderer sets the datasource variable, numbers the panels and lays them
out itself, so no spec can trip these checks. They guard the renderer, and
the tests trip them on edited dashboard JSON. The $__rate_interval check runs
with the PromQL checks, where panel queries are parsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from promspec.analysis.catalog import finding
from promspec.errors import Diagnostic
from promspec.model import Dashboard, Group, Location, Spec

GRID_COLUMNS = 24
DATASOURCE_UID = "${datasource}"
_NOWHERE = Location("", 0, 0)


def lint_dashboards(spec: Spec) -> list[Diagnostic]:
    """Render every dashboard of the spec and check the JSON."""
    from promspec.build_slo_dashboard import SLO_DASHBOARD_NAME
    from promspec.render_dashboards import dashboard_path, render_dashboards

    rendered = render_dashboards(spec)
    found = []
    for group in spec.groups:
        path = dashboard_path(spec, group.name)
        if group.dashboard is not None and path in rendered:
            found += check_dashboard(group, json.loads(rendered[path]))
    path = dashboard_path(spec, SLO_DASHBOARD_NAME)
    if spec.slo_dashboard is not None and path in rendered:
        model = spec.slo_dashboard
        field = model.panels[0].field_path  # the first SLO's
        found += check_model(model, field, json.loads(rendered[path]))
    return found


def check_dashboard(group: Group, dashboard: dict[str, Any]) -> list[Diagnostic]:
    """Check one group's dashboard JSON; group gives the spec positions."""
    return check_model(group.dashboard, f"groups.{group.name}.dashboard", dashboard)


def check_model(
    model: Dashboard | None, field: str, dashboard: dict[str, Any]
) -> list[Diagnostic]:
    """Check a dashboard's JSON; model and field give the spec positions."""
    found = _datasource_variable(model, field, dashboard)
    panels = dashboard.get("panels", [])
    for index, panel in enumerate(panels):
        found += _panel_datasource(model, field, index, panel)
    return found + _panel_ids(model, field, panels) + _grid(model, field, panels)


def _where(model: Dashboard | None, field: str, index: int) -> tuple[Location, str]:
    if model is None or index >= len(model.panels):
        return _NOWHERE, f"{field}.panels[{index}]"
    panel = model.panels[index]
    return panel.location or _NOWHERE, panel.field_path or f"{field}.panels[{index}]"


def _datasource_variable(
    model: Dashboard | None, field: str, dashboard: dict[str, Any]
) -> list[Diagnostic]:
    variables = dashboard.get("templating", {}).get("list", [])
    if any(
        v.get("name") == "datasource" and v.get("type") == "datasource"
        for v in variables
    ):
        return []
    location = model.location if model else None
    return [
        finding(
            "dashboards/datasource",
            location or _NOWHERE,
            field,
            'the dashboard has no "datasource" variable, so it works with one '
            "Prometheus only",
            "this is a bug in promspec's dashboard renderer; please report it with the spec",
        )
    ]


def _targets_and_panel(panel: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield panel
    yield from panel.get("targets", [])


def _panel_datasource(
    model: Dashboard | None, field: str, index: int, panel: dict[str, Any]
) -> list[Diagnostic]:
    if panel.get("type") == "row":
        return []  # a row runs no query
    for item in _targets_and_panel(panel):
        if (item.get("datasource") or {}).get("uid") != DATASOURCE_UID:
            location, panel_field = _where(model, field, index)
            return [
                finding(
                    "dashboards/datasource",
                    location,
                    panel_field,
                    f'panel "{panel.get("title", "")}" does not read from the '
                    f"{DATASOURCE_UID} variable",
                    "this is a bug in promspec's dashboard renderer; please report it with the spec",
                )
            ]
    return []


def _panel_ids(
    model: Dashboard | None, field: str, panels: list[dict[str, Any]]
) -> list[Diagnostic]:
    seen: dict[Any, int] = {}
    found = []
    for index, panel in enumerate(panels):
        panel_id = panel.get("id")
        if panel_id in seen:
            location, panel_field = _where(model, field, index)
            found.append(
                finding(
                    "dashboards/panel-id",
                    location,
                    panel_field,
                    f"panel id {panel_id} is also the id of panel {seen[panel_id] + 1}",
                    "this is a bug in promspec's dashboard renderer; please report it with the spec",
                )
            )
        seen.setdefault(panel_id, index)
    return found


def _grid(
    model: Dashboard | None, field: str, panels: list[dict[str, Any]]
) -> list[Diagnostic]:
    found = []
    placed: list[tuple[int, dict[str, int]]] = []
    for index, panel in enumerate(panels):
        box = panel.get("gridPos", {})
        problem = _outside(box) or _overlap(box, placed)
        if problem:
            location, panel_field = _where(model, field, index)
            found.append(
                finding(
                    "dashboards/grid",
                    location,
                    panel_field,
                    problem,
                    "set the panel's width to at most 24 columns; promspec lays panels out left to right",
                )
            )
        placed.append((index, box))
    return found


def _outside(box: dict[str, int]) -> str:
    x, width = box.get("x", 0), box.get("w", 0)
    if x < 0 or width < 1 or x + width > GRID_COLUMNS:
        return f"the panel spans columns {x} to {x + width}, past the {GRID_COLUMNS}-column grid"
    return ""


def _overlap(box: dict[str, int], placed: list[tuple[int, dict[str, int]]]) -> str:
    for index, other in placed:
        if _intersects(box, other):
            return f"the panel overlaps panel {index + 1}"
    return ""


def _intersects(a: dict[str, int], b: dict[str, int]) -> bool:
    def spans(start: str, size: str) -> bool:
        return a[start] < b[start] + b[size] and b[start] < a[start] + a[size]

    return spans("x", "w") and spans("y", "h")
