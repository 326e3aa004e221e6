"""Render each group's dashboard as Grafana dashboard JSON, ready for file provisioning.

Every dashboard is built as plain data and serialised with sorted keys, so the
same spec gives the same bytes, and every string from the spec reaches the
file through `json.dumps` alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

from promspec.build_slo_dashboard import SLO_DASHBOARD_NAME
from promspec.model import Dashboard, Panel, PanelType, Query, Spec
from promspec.stamp import stamp

JSONObject = dict[str, Any]

# Grafana 13.2 saves the classic dashboard JSON model at schema version 42, and
# migrates a dashboard with a lower version every time it loads one.
# NOTE: Grafana's newer sources carry a migration to 43; move up once a release
# saves dashboards at 43.
SCHEMA_VERSION = 42

GRID_COLUMNS = 24  # the width of Grafana's dashboard grid

# Grafana rejects a dashboard uid that is longer than 40 characters or contains
# anything but letters, digits, '-' and '_'.
_UID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")

# The query settings that each panel type needs. Stat, gauge and table panels
# show one value per series, so they ask Prometheus for an instant vector.
_QUERY_SETTINGS: dict[PanelType, JSONObject] = {
    PanelType.TIMESERIES: {"range": True, "instant": False, "format": "time_series"},
    PanelType.HEATMAP: {"range": True, "instant": False, "format": "heatmap"},
    PanelType.STAT: {"range": False, "instant": True, "format": "time_series"},
    PanelType.GAUGE: {"range": False, "instant": True, "format": "time_series"},
    PanelType.TABLE: {"range": False, "instant": True, "format": "table"},
}

# Grafana draws a gauge from 0 to 100 unless the panel sets min and max, which
# would leave a ratio between 0 and 1 at the bottom of the arc.
_GAUGE_BOUNDS = {"percentunit": (0, 1), "percent": (0, 100)}

_SLO_DESCRIPTION = (
    "Each SLO's objective, the share of good events over its period, "
    "the error budget left, and how fast the budget burns"
)


def render_dashboards(spec: Spec) -> dict[str, str]:
    """Render one JSON file per group with a dashboard and one for the SLOs, by path."""
    files = {}
    for group in spec.groups:
        if group.dashboard is None:
            continue
        description = _description(spec, group.description)
        dashboard = _dashboard(spec, group.dashboard, description, group.name)
        files[dashboard_path(spec, group.name)] = _serialise(dashboard)
    if spec.slo_dashboard is not None:
        description = _description(spec, _SLO_DESCRIPTION)
        dashboard = _dashboard(spec, spec.slo_dashboard, description)
        files[dashboard_path(spec, SLO_DASHBOARD_NAME)] = _serialise(dashboard)
    return dict(sorted(files.items()))


def dashboard_path(spec: Spec, name: str) -> str:
    """Return the output path of a dashboard: a group's name, or the SLO dashboard's."""
    return f"grafana/dashboards/{spec.namespace}/{name}.json"


def _serialise(dashboard: JSONObject) -> str:
    return json.dumps(dashboard, indent=2, sort_keys=True) + "\n"


def _dashboard(
    spec: Spec, dashboard: Dashboard, description: str, *tags: str
) -> JSONObject:
    # No `id` key: Grafana assigns its own database id to a provisioned file.
    return {
        "uid": _checked_uid(dashboard.uid),
        "title": dashboard.title,
        "tags": sorted({spec.namespace, *tags, *dashboard.tags}),
        "description": description,
        # The file is generated, so a change belongs in the spec instead.
        "editable": False,
        "graphTooltip": 1,  # a crosshair shared by every panel
        "schemaVersion": SCHEMA_VERSION,
        "time": {"from": "now-6h", "to": "now"},
        "refresh": "1m",
        "timezone": "browser",
        "templating": {"list": [_datasource_variable()]},
        "panels": _panels(dashboard.panels),
    }


def _checked_uid(uid: str) -> str:
    if not _UID_PATTERN.fullmatch(uid):
        raise ValueError(
            f"invalid dashboard uid {uid!r}: Grafana accepts 1 to 40 letters, "
            "digits, '-' and '_'"
        )
    return uid


def _description(spec: Spec, text: str) -> str:
    if text:
        return f"{text}\n\n{stamp(spec)}"
    return stamp(spec)


def _datasource_variable() -> JSONObject:
    """Return the template variable that picks one Prometheus datasource."""
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "hide": 0,
        "includeAll": False,
        "multi": False,
        "refresh": 1,
        "regex": "",
    }


def _datasource_ref() -> JSONObject:
    return {"type": "prometheus", "uid": "${datasource}"}


def _panels(panels: tuple[Panel, ...]) -> list[JSONObject]:
    # Panel ids count from 1 in spec order, so they stay stable across runs.
    numbered = enumerate(zip(panels, _grid_positions(panels), strict=True), start=1)
    return [
        _panel(panel_id, panel, position) for panel_id, (panel, position) in numbered
    ]


def _grid_positions(panels: tuple[Panel, ...]) -> list[JSONObject]:
    """Place panels left to right, starting a new row where one would pass column 24."""
    positions = []
    x = y = row_height = 0
    for panel in panels:
        _check_size(panel)
        if x + panel.width > GRID_COLUMNS:
            x, y, row_height = 0, y + row_height, 0
        positions.append({"x": x, "y": y, "w": panel.width, "h": panel.height})
        x += panel.width
        row_height = max(row_height, panel.height)
    return positions


def _check_size(panel: Panel) -> None:
    if not 1 <= panel.width <= GRID_COLUMNS or panel.height < 1:
        raise ValueError(
            f"panel {panel.title!r} is {panel.width} wide and {panel.height} high: "
            f"the width must be 1 to {GRID_COLUMNS} grid columns, the height at least 1"
        )


def _panel(panel_id: int, panel: Panel, position: JSONObject) -> JSONObject:
    if panel.type is PanelType.ROW:
        return _row(panel_id, panel, position)
    targets = [_target(panel.type, i, query) for i, query in enumerate(panel.queries)]
    data: JSONObject = {
        "id": panel_id,
        "type": panel.type.value,
        "title": panel.title,
        "gridPos": position,
        "datasource": _datasource_ref(),
        "fieldConfig": {"defaults": _field_defaults(panel), "overrides": []},
        "options": _options(panel),
        "targets": targets,
    }
    if panel.description:
        data["description"] = panel.description
    if panel.type is PanelType.TABLE:
        data["transformations"] = [_hide_time_column()]
    return data


def _row(panel_id: int, panel: Panel, position: JSONObject) -> JSONObject:
    # An expanded row lists no panels of its own: the panels below it, up to
    # the next row, belong to it.
    return {
        "id": panel_id,
        "type": "row",
        "title": panel.title,
        "gridPos": position,
        "collapsed": False,
        "panels": [],
    }


def _field_defaults(panel: Panel) -> JSONObject:
    defaults: JSONObject = {"unit": panel.unit}
    bounds = _GAUGE_BOUNDS.get(panel.unit)
    if panel.type is PanelType.GAUGE and bounds is not None:
        defaults["min"], defaults["max"] = bounds
    if panel.decimals is not None:
        defaults["decimals"] = panel.decimals
    if panel.thresholds:
        defaults["thresholds"] = _thresholds(panel)
    if panel.thresholds and panel.type is PanelType.TIMESERIES:
        defaults["custom"] = {"thresholdsStyle": {"mode": "line"}}
    return defaults


def _thresholds(panel: Panel) -> JSONObject:
    steps = [{"value": step.value, "color": step.color} for step in panel.thresholds]
    return {"mode": "absolute", "steps": steps}


def _hide_time_column() -> JSONObject:
    # An instant query's Time column is the evaluation time, the same on every row.
    return {"id": "organize", "options": {"excludeByName": {"Time": True}}}


def _target(panel_type: PanelType, index: int, query: Query) -> JSONObject:
    target: JSONObject = {
        "datasource": _datasource_ref(),
        "editorMode": "code",  # the query builder could rewrite the expression
        "expr": query.expr,
        "legendFormat": query.legend or "__auto",
        "refId": _ref_id(index),
        **_QUERY_SETTINGS[panel_type],
    }
    if panel_type is PanelType.HEATMAP:
        # Each heatmap row is one bucket, named by its upper bound.
        target["legendFormat"] = "{{le}}"
    return target


def _ref_id(index: int) -> str:
    """Return the refId of the query at `index`: A to Z, then AA, AB and so on."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _options(panel: Panel) -> JSONObject:
    if panel.type is PanelType.TIMESERIES:
        return _timeseries_options()
    if panel.type is PanelType.HEATMAP:
        return _heatmap_options(panel.unit)
    if panel.type is PanelType.STAT:
        return _stat_options()
    if panel.type is PanelType.GAUGE:
        return _gauge_options()
    return {"showHeader": True}


def _timeseries_options() -> JSONObject:
    return {
        "legend": {
            "calcs": [],
            "displayMode": "list",
            "placement": "bottom",
            "showLegend": True,
        },
        "tooltip": {"mode": "multi", "sort": "desc"},
    }


def _heatmap_options(unit: str) -> JSONObject:
    # The series are histogram buckets already, so the panel must not bucket
    # them again (`calculate: false`). An exponential colour scale keeps the
    # sparse buckets visible beside the busy ones.
    return {
        "calculate": False,
        "color": {
            "mode": "scheme",
            "scheme": "Oranges",
            "scale": "exponential",
            "exponent": 0.5,
            "steps": 64,
            "reverse": False,
        },
        "yAxis": {"axisPlacement": "left", "unit": unit},
        "legend": {"show": True},
        "tooltip": {"mode": "single", "yHistogram": True},
    }


def _reduce_to_last_value() -> JSONObject:
    return {"calcs": ["lastNotNull"], "fields": "", "values": False}


def _stat_options() -> JSONObject:
    return {
        "reduceOptions": _reduce_to_last_value(),
        "colorMode": "value",
        "graphMode": "none",  # an instant query has no history to draw
        "textMode": "auto",
    }


def _gauge_options() -> JSONObject:
    return {
        "reduceOptions": _reduce_to_last_value(),
        "showThresholdLabels": False,
        "showThresholdMarkers": True,
    }
