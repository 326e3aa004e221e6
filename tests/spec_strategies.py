"""Hypothesis strategies that build random valid specs, as the data of a YAML file.

The specs cover every metric type, label kind, unit and source, buckets,
multiprocess modes, recording rules, alerts and panels. Free text (HELP
texts, enum values, titles, annotations) mixes printable text with quotes,
triple quotes, backslashes, line breaks, `{{`, `}}`, `$`, non-ASCII and
control characters. Alert annotations and labels are Prometheus templates,
so they get no `{{` or `}}` outside the real template actions they hold.
Names follow fixed patterns that no naming check rejects, so every spec
passes the lint without errors.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Pieces of text that break naive quoting in Python, YAML, JSON or templates.
HOSTILE = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    "\\n",
    "\n",
    "\r\n",
    "\t",
    "{{",
    "}}",
    "{",
    "}",
    "$",
    "${datasource}",
    "#",
    ": ",
    "- ",
    "%s",
    "é",
    "日本",
    "😀",
    "\x00",
    "\x07",
    "\x1b[31m",
    "\u2028",
    "\x85",
    "\ufeff",
    "</script>",
    "*alias",
    "&anchor",
    "!!python/object:os.system",
]

_CHARACTERS = st.characters(blacklist_categories=("Cs",))
_PIECES = st.one_of(st.sampled_from(HOSTILE), st.text(_CHARACTERS, max_size=8))


def free_text(allow_braces: bool = True) -> st.SearchStrategy[str]:
    """Return text with at least one visible character after stripping."""
    pieces = _PIECES if allow_braces else _PIECES.filter(_no_braces)
    return st.builds(
        lambda words, anchor: "".join(words) + anchor,
        st.lists(pieces, max_size=6),
        st.sampled_from(["x", "é", "Q", "7", "$", '"', "\\"]),
    ).filter(lambda text: bool(text.strip()) and (allow_braces or _no_braces(text)))


def _no_braces(text: str) -> bool:
    return "{{" not in text and "}}" not in text


def template_text() -> st.SearchStrategy[str]:
    """Return annotation text: hostile text around real template actions."""
    return st.builds(
        lambda before, action, after: f"{before}{action}{after}",
        free_text(allow_braces=False),
        st.sampled_from(["", " {{ $labels.job }} ", " {{ $value }} "]),
        free_text(allow_braces=False),
    ).filter(lambda text: "{{{" not in text and "}}}" not in text)


GRAFANA_UNITS = ["short", "s", "bytes", "percentunit", "reqps", "none", "µs"]
PANEL_TYPES = ["timeseries", "heatmap", "stat", "gauge", "table"]
GAUGE_MODES = ["livesum", "liveall", "max", "min", "sum", "all", "mostrecent"]

_LABEL_NAMES = st.from_regex(r"\A[a-z][a-z0-9]{0,5}\Z").filter(
    lambda name: name not in ("le", "quantile", "job", "instance")
)


@st.composite
def label(draw: st.DrawFn, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["enum", "string", "int"]))
    if kind == "enum":
        values = draw(
            st.lists(free_text(), min_size=1, max_size=3, unique_by=str.strip)
        )
        return {"name": name, "values": values, "description": draw(free_text())}
    return {"name": name, "type": kind, "max_values": draw(st.integers(1, 50))}


@st.composite
def metric(draw: st.DrawFn, multiprocess: bool) -> dict[str, Any]:
    metric_type = draw(st.sampled_from(["counter", "gauge", "histogram", "summary"]))
    names = draw(st.lists(_LABEL_NAMES, max_size=3, unique=True))
    body: dict[str, Any] = {"type": metric_type, "description": draw(free_text())}
    if names:
        body["labels"] = [draw(label(name)) for name in names]
    unit = draw(st.sampled_from(["", "seconds", "bytes", "ratio"]))
    if unit:
        body["unit"] = unit
    if metric_type == "histogram" and draw(st.booleans()):
        bounds = st.floats(0.001, 1e6, allow_nan=False, allow_infinity=False)
        body["buckets"] = sorted(draw(st.sets(bounds, min_size=1, max_size=6)))
    callback = metric_type in ("counter", "gauge") and not multiprocess
    if callback and draw(st.booleans()):
        body["source"] = "callback"
    elif metric_type == "gauge" and draw(st.booleans()):
        body["multiprocess_mode"] = draw(st.sampled_from(GAUGE_MODES))
    return body


def exposed(namespace: str, key: str, body: dict[str, Any]) -> str:
    """Return the family name that promspec exposes for a metric written as key."""
    unit = body.get("unit", "")
    return f"{namespace}_{key}" + (f"_{unit}" if unit else "")


def series_query(family: str, body: dict[str, Any]) -> tuple[str, str]:
    """Return a query by job over the metric, and the suffix of its record name."""
    kind = body["type"]
    if kind == "counter":
        return f"sum by (job) (rate({family}_total[5m]))", "rate5m"
    if kind == "gauge":
        return f"max by (job) ({family})", "max"
    if kind == "histogram":
        rate = f"sum by (job, le) (rate({family}_bucket[5m]))"
        return f"histogram_quantile(0.9, {rate})", "p90_5m"
    return f"sum by (job) (rate({family}_count[5m]))", "rate5m"


@st.composite
def alert(draw: st.DrawFn, name: str, record: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "alert": name,
        "expr": f"{record} > {draw(st.integers(0, 1000))}",
        "severity": draw(st.sampled_from(["critical", "warning", "info"])),
        "summary": draw(template_text()),
        "description": draw(template_text()),
    }
    if draw(st.booleans()):
        body["for"] = draw(st.sampled_from(["1m", "5m", "30s"]))
    if draw(st.booleans()):
        body["labels"] = {"team": draw(free_text(allow_braces=False))}
    return body


@st.composite
def panel(draw: st.DrawFn, query: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": draw(free_text()),
        "query": query,
        "legend": "{{job}}",
        "unit": draw(st.sampled_from(GRAFANA_UNITS)),
        "type": draw(st.sampled_from(PANEL_TYPES)),
        "width": draw(st.integers(1, 24)),
    }
    if draw(st.booleans()):
        body["description"] = draw(free_text())
    return body


@st.composite
def group(
    draw: st.DrawFn, namespace: str, index: int, multiprocess: bool
) -> dict[str, Any]:
    metrics = draw(st.lists(metric(multiprocess), min_size=1, max_size=4))
    keys = [f"g{index}m{number}" for number in range(len(metrics))]
    body: dict[str, Any] = {
        "description": draw(free_text()),
        "metrics": dict(zip(keys, metrics, strict=True)),
    }
    rules, alerts, panels = [], [], []
    for key, metric_body in zip(keys, metrics, strict=True):
        query, operation = series_query(
            exposed(namespace, key, metric_body), metric_body
        )
        record = f"job:{exposed(namespace, key, metric_body)}:{operation}"
        if draw(st.booleans()):
            rules.append(
                {"record": record, "expr": query, "description": draw(free_text())}
            )
            if draw(st.booleans()):
                alerts.append(draw(alert(f"Alert{key.title()}", record)))
        if draw(st.booleans()):
            panels.append(draw(panel(query)))
    if rules:
        body["recording_rules"] = rules
    if alerts:
        body["alerts"] = alerts
    if panels:
        body["dashboard"] = {"title": draw(free_text()), "panels": panels}
    return body


@st.composite
def spec(draw: st.DrawFn) -> dict[str, Any]:
    """Return a random valid spec, as the data of its YAML file."""
    namespace = draw(st.from_regex(r"\A[a-z][a-z0-9]{0,6}\Z"))
    multiprocess = draw(st.booleans())
    count = draw(st.integers(1, 3))
    body: dict[str, Any] = {
        "version": 1,
        "namespace": namespace,
        "description": draw(free_text()),
        "runbook_base_url": "https://runbooks.example/alerts",
        "groups": {
            f"g{index}": draw(group(namespace, index, multiprocess))
            for index in range(count)
        },
    }
    if multiprocess:
        body["multiprocess"] = True
    return body


def every_hostile_piece() -> dict[str, Any]:
    """Return one fixed spec with every hostile piece in each kind of free text."""
    text = "x" + "".join(HOSTILE) + "x"
    template = text.replace("{{", "{").replace("}}", "}") + " {{ $labels.job }}"
    return {
        "version": 1,
        "namespace": "hostile",
        "description": text,
        "runbook_base_url": "https://runbooks.example/alerts",
        "groups": {
            "g0": {
                "description": text,
                "metrics": {
                    "g0m0": {
                        "type": "counter",
                        "description": text,
                        "labels": [{"name": "kind", "values": [text, "plain"]}],
                    },
                },
                "recording_rules": [
                    {
                        "record": "job:hostile_g0m0:rate5m",
                        "expr": "sum by (job) (rate(hostile_g0m0_total[5m]))",
                        "description": text,
                    }
                ],
                "alerts": [
                    {
                        "alert": "AlertG0M0",
                        "expr": "job:hostile_g0m0:rate5m > 1",
                        "severity": "info",
                        "summary": template,
                        "description": template,
                        "labels": {"team": template.removesuffix(" {{ $labels.job }}")},
                    }
                ],
                "dashboard": {
                    "title": text,
                    "panels": [
                        {
                            "title": text,
                            "description": text,
                            "query": "sum by (job) (rate(hostile_g0m0_total[5m]))",
                            "legend": "{{job}}",
                            "unit": "short",
                        }
                    ],
                },
            }
        },
    }
