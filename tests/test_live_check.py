"""promspec live-check: an exposition compared with the spec, one difference at a time.

The expositions are scraped from the module that promspec generates for the
shop spec, then edited to differ from the spec in exactly one way.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.openmetrics.exposition import (
    generate_latest as generate_openmetrics,
)
from promspec.build import load_spec
from promspec.cli import app
from promspec.errors import ExitCode
from promspec.live_check import compare, parse_exposition
from promspec.render_module import render_module
from typer.testing import CliRunner

SHOP = "tests/specs/good/shop.yaml"
EXTRA_FAMILY = (
    "# HELP shop_extra Not in the spec\n# TYPE shop_extra gauge\nshop_extra 1.0\n"
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def shop_module(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    spec = load_spec(str(Path(__file__).parent / "specs/good/shop.yaml"))
    folder = tmp_path_factory.mktemp("module")
    for path, text in render_module(spec).items():
        target = folder / Path(path).name
        target.write_text(text)
    module_spec = importlib.util.spec_from_file_location("shop_metrics", target)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture
def registry(shop_module: ModuleType) -> CollectorRegistry:
    """Return a registry with every shop metric recorded at least once."""
    registry = CollectorRegistry()
    metrics = shop_module.ShopMetrics(registry)
    metrics.orders_placed.inc(channel="web", region="de")
    metrics.order_value_dollars.observe(42, channel="app")
    metrics.order_queue_depth.set_callback(lambda: 3)
    metrics.packing_seconds.observe(1.5)
    return registry


@pytest.fixture
def text(registry: CollectorRegistry) -> str:
    return generate_latest(registry).decode()


@pytest.fixture
def openmetrics(registry: CollectorRegistry) -> str:
    return generate_openmetrics(registry).decode()


def mismatches(exposition: str) -> list[tuple[str, str, str]]:
    report = compare(parse_exposition(exposition), [load_spec(SHOP)])
    return [(m.family, m.kind, m.message) for m in report.mismatches]


def without_family(exposition: str, name: str) -> str:
    lines = exposition.splitlines(keepends=True)
    return "".join(line for line in lines if name not in line)


def test_text_format_matches(in_root: Path, text: str) -> None:
    assert mismatches(text) == []


def test_openmetrics_matches(in_root: Path, openmetrics: str) -> None:
    assert mismatches(openmetrics) == []


def test_missing_family(in_root: Path, text: str) -> None:
    assert mismatches(without_family(text, "shop_packing_seconds")) == [
        ("shop_packing_seconds", "missing", "missing family: summary of group orders")
    ]


def test_unexpected_family(in_root: Path, text: str) -> None:
    assert mismatches(text + EXTRA_FAMILY) == [
        ("shop_extra", "unexpected", "unexpected family: the spec does not define it")
    ]


def test_family_outside_namespace_is_ignored(in_root: Path, text: str) -> None:
    extra = EXTRA_FAMILY.replace("shop_extra", "process_open_fds")
    report = compare(parse_exposition(text + extra), [load_spec(SHOP)])

    assert report.mismatches == []
    assert report.ignored == ["process_open_fds"]


def test_wrong_type(in_root: Path, text: str) -> None:
    edited = text.replace(
        "# TYPE shop_order_queue_depth gauge", "# TYPE shop_order_queue_depth untyped"
    )

    assert mismatches(edited) == [
        ("shop_order_queue_depth", "type", "type: expected 'gauge', found 'unknown'")
    ]


def test_wrong_help(in_root: Path, text: str) -> None:
    edited = text.replace(
        "# HELP shop_order_queue_depth Orders", "# HELP shop_order_queue_depth Parcels"
    )

    assert mismatches(edited) == [
        (
            "shop_order_queue_depth",
            "help",
            "help: expected 'Orders waiting to be packed', found 'Parcels waiting to be packed'",
        )
    ]


def test_missing_unit(in_root: Path, openmetrics: str) -> None:
    edited = openmetrics.replace("# UNIT shop_order_value_dollars dollars\n", "")

    assert mismatches(edited) == [
        ("shop_order_value_dollars", "unit", "unit: expected 'dollars', found ''")
    ]


def test_text_format_skips_units(in_root: Path, text: str) -> None:
    assert parse_exposition(text).has_units is False


def test_wrong_label_names(in_root: Path, text: str) -> None:
    edited = text.replace('region="de"', 'country="de"')

    assert mismatches(edited) == [
        (
            "shop_orders_placed",
            "label_names",
            "label_names: expected 'channel, region', found 'channel, country'",
        )
    ]


def test_label_value_outside_enum(in_root: Path, text: str) -> None:
    edited = text.replace('channel="web"', 'channel="tablet"')

    message = "label_value: channel='tablet' is not allowed; expected web, app"
    assert mismatches(edited) == [
        ("shop_order_value_dollars", "label_value", message),
        ("shop_orders_placed", "label_value", message),
    ]


def test_wrong_buckets(in_root: Path, text: str) -> None:
    edited = without_family(text, 'le="50.0"')

    assert mismatches(edited) == [
        (
            "shop_order_value_dollars",
            "buckets",
            "buckets: expected '10, 50, 100, 500, +Inf', found '10, 100, 500, +Inf'",
        )
    ]


def test_cli_reports_no_mismatch(in_root: Path, tmp_path: Path, text: str) -> None:
    saved = tmp_path / "metrics.prom"
    saved.write_text(text)

    code, stdout, _ = invoke("live-check", str(saved), SHOP)

    assert code == ExitCode.OK
    assert stdout == (
        f"{saved}: 4 families match the spec; "
        "units not compared: the text format 0.0.4 carries none\n"
    )


def test_cli_text_report_exits_1(in_root: Path, tmp_path: Path, text: str) -> None:
    saved = tmp_path / "metrics.prom"
    saved.write_text(text + EXTRA_FAMILY)

    code, stdout, _ = invoke("live-check", str(saved), SHOP)

    assert code == ExitCode.FAILED
    assert stdout.splitlines()[0] == (
        "shop_extra: unexpected family: the spec does not define it"
    )
    assert stdout.splitlines()[1].startswith(
        f"{saved}: 1 mismatch (4 families compared)"
    )


def test_cli_json_report(in_root: Path, tmp_path: Path, openmetrics: str) -> None:
    saved = tmp_path / "metrics.om"
    saved.write_text(without_family(openmetrics, "shop_packing_seconds"))

    code, stdout, _ = invoke("live-check", str(saved), SHOP, "--format", "json")

    assert code == ExitCode.FAILED
    document = json.loads(stdout)
    assert document["ok"] is False
    assert document["units_compared"] is True
    assert document["mismatches"] == [
        {
            "family": "shop_packing_seconds",
            "kind": "missing",
            "message": "missing family: summary of group orders",
        }
    ]


def test_cli_group_limits_missing(in_root: Path, tmp_path: Path, text: str) -> None:
    saved = tmp_path / "metrics.prom"
    saved.write_text(without_family(text, "shop_packing_seconds"))

    code, _, stderr = invoke("live-check", str(saved), SHOP, "--group", "nope")

    assert code == ExitCode.INVALID_SPEC
    assert stderr == "error: unknown group 'nope' in --group: use one of orders\n"


def test_cli_unreadable_file_exits_2(in_root: Path, tmp_path: Path) -> None:
    code, stdout, stderr = invoke("live-check", str(tmp_path / "none.prom"), SHOP)

    assert code == ExitCode.INVALID_SPEC
    assert stdout == ""
    assert stderr.startswith(f"error: cannot read {tmp_path / 'none.prom'}: ")


def test_cli_invalid_exposition_exits_2(in_root: Path, tmp_path: Path) -> None:
    saved = tmp_path / "metrics.prom"
    saved.write_text("shop_orders_placed_total{channel=web} 1\n")

    code, _, stderr = invoke("live-check", str(saved), SHOP)

    assert code == ExitCode.INVALID_SPEC
    assert stderr.startswith("error: invalid Prometheus text format exposition: ")


def test_cli_unreachable_url_exits_2(in_root: Path) -> None:
    code, _, stderr = invoke("live-check", "http://127.0.0.1:9/metrics", SHOP)

    assert code == ExitCode.INVALID_SPEC
    assert stderr.startswith("error: cannot read http://127.0.0.1:9/metrics: ")


def test_cli_invalid_format_exits_2(in_root: Path, tmp_path: Path, text: str) -> None:
    saved = tmp_path / "metrics.prom"
    saved.write_text(text)

    code, _, stderr = invoke("live-check", str(saved), SHOP, "--format", "xml")

    assert code == ExitCode.INVALID_SPEC
    assert stderr == "error: invalid --format 'xml': use text or json\n"


def test_int_label_and_missing_buckets(in_root: Path) -> None:
    exposition = (
        "# HELP compozy_http_requests_in_flight Requests being served right now\n"
        "# TYPE compozy_http_requests_in_flight gauge\n"
        'compozy_http_requests_in_flight{method="GET"} 0\n'
        "# HELP compozy_http_request_size_bytes Sizes of request bodies\n"
        "# TYPE compozy_http_request_size_bytes histogram\n"
        'compozy_http_request_size_bytes_count{method="GET",path="/"} 1\n'
        'compozy_http_request_size_bytes_sum{method="GET",path="/"} 1\n'
        "# HELP compozy_http_requests_total Requests served, by method, route and status code\n"
        "# TYPE compozy_http_requests_total counter\n"
        'compozy_http_requests_total{method="GET",path="/",status_code="ok"} 1\n'
    )

    report = compare(
        parse_exposition(exposition), [load_spec("specs/compozy.yaml")], ["http"]
    )

    assert [
        (m.family, m.message) for m in report.mismatches if m.kind != "missing"
    ] == [
        (
            "compozy_http_request_size_bytes",
            "buckets: expected '100, 1000, 10000, 100000, 1e+06, 1e+07, 1e+08, +Inf', found ''",
        ),
        (
            "compozy_http_requests",
            "label_value: status_code='ok' is not allowed; expected an integer",
        ),
    ]
