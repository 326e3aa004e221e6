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
from promspec.model import Group, Location, Spec

GRID_COLUMNS = 24
DATASOURCE_UID = "${datasource}"
_NOWHERE = Location("", 0, 0)


def lint_dashboards(spec: Spec) -> list[Diagnostic]:
    """Render every dashboard of the spec and check the JSON."""
    from promspec.render_dashboards import render_dashboards

    rendered = render_dashboards(spec)
    found = []
    for group in spec.groups:
        path = f"grafana/dashboards/{spec.namespace}/{group.name}.json"
        if group.dashboard is not None and path in rendered:
            found += check_dashboard(group, json.loads(rendered[path]))
    return found


def check_dashboard(group: Group, dashboard: dict[str, Any]) -> list[Diagnostic]:
    """Check one dashboard's JSON model; group gives the spec positions."""
    found = _datasource_variable(group, dashboard)
    panels = dashboard.get("panels", [])
    for index, panel in enumerate(panels):
        found += _panel_datasource(group, index, panel)
    return found + _panel_ids(group, panels) + _grid(group, panels)


def _where(group: Group, index: int) -> tuple[Location, str]:
    dashboard = group.dashboard
    field = f"groups.{group.name}.dashboard.panels[{index}]"
    if dashboard is None or index >= len(dashboard.panels):
        return _NOWHERE, field
    return dashboard.panels[index].location or _NOWHERE, field


def _datasource_variable(group: Group, dashboard: dict[str, Any]) -> list[Diagnostic]:
    variables = dashboard.get("templating", {}).get("list", [])
    if any(
        v.get("name") == "datasource" and v.get("type") == "datasource"
        for v in variables
    ):
        return []
    location = group.dashboard.location if group.dashboard else None
    return [
        finding(
            "dashboards/datasource",
            location or _NOWHERE,
            f"groups.{group.name}.dashboard",
            'the dashboard has no "datasource" variable, so it works with one '
            "Prometheus only",
            "this is a bug in promspec's dashboard renderer; please report it with the spec",
        )
    ]


def _targets_and_panel(panel: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield panel
    yield from panel.get("targets", [])


def _panel_datasource(
    group: Group, index: int, panel: dict[str, Any]
) -> list[Diagnostic]:
    for item in _targets_and_panel(panel):
        if (item.get("datasource") or {}).get("uid") != DATASOURCE_UID:
            location, field = _where(group, index)
            return [
                finding(
                    "dashboards/datasource",
                    location,
                    field,
                    f'panel "{panel.get("title", "")}" does not read from the '
                    f"{DATASOURCE_UID} variable",
                    "this is a bug in promspec's dashboard renderer; please report it with the spec",
                )
            ]
    return []


def _panel_ids(group: Group, panels: list[dict[str, Any]]) -> list[Diagnostic]:
    seen: dict[Any, int] = {}
    found = []
    for index, panel in enumerate(panels):
        panel_id = panel.get("id")
        if panel_id in seen:
            location, field = _where(group, index)
            found.append(
                finding(
                    "dashboards/panel-id",
                    location,
                    field,
                    f"panel id {panel_id} is also the id of panel {seen[panel_id] + 1}",
                    "this is a bug in promspec's dashboard renderer; please report it with the spec",
                )
            )
        seen.setdefault(panel_id, index)
    return found


def _grid(group: Group, panels: list[dict[str, Any]]) -> list[Diagnostic]:
    found = []
    placed: list[tuple[int, dict[str, int]]] = []
    for index, panel in enumerate(panels):
        box = panel.get("gridPos", {})
        problem = _outside(box) or _overlap(box, placed)
        if problem:
            location, field = _where(group, index)
            found.append(
                finding(
                    "dashboards/grid",
                    location,
                    field,
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
