"""The generated promtool tests: they pass on the rendered rules and catch faults.

Each fault is edited by hand into a copy of the Compozy rule files, as a
careless maintainer would, and promtool must then fail the generated tests
with a message that names the faulty rule.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from promspec.build import load_spec
from promspec.cli import app
from promspec.go_template import (
    expand,
    go_float,
    humanize,
    humanize_duration,
    humanize_percentage,
)
from promspec.pipeline import render_all
from promspec.rule_inputs import bucket_quantile
from promspec.rule_tests import series_values
from typer.testing import CliRunner

Rule = dict[str, Any]


def write_output(folder: Path) -> None:
    files = render_all([load_spec("specs/compozy.yaml")])
    for relative, text in files.items():
        if relative.startswith("prometheus/"):
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text, encoding="utf-8")


def edit_rule(path: Path, name: str, change: Callable[[Rule], None]) -> None:
    """Apply `change` to the rule recorded or alerting as `name` in a rule file."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = document["groups"][0]["rules"]
    (rule,) = [r for r in rules if name in (r.get("record"), r.get("alert"))]
    change(rule)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def run_tests(
    promtool: str, folder: Path, group: str
) -> subprocess.CompletedProcess[str]:
    test_file = folder / "prometheus" / "tests" / "compozy" / f"{group}.test.yml"
    return subprocess.run(
        [promtool, "test", "rules", str(test_file)], capture_output=True, text=True
    )


def divide_by_itself(rule: Rule) -> None:
    rule["expr"] = rule["expr"].replace('{outcome="failure"}', "")


def drop_le(rule: Rule) -> None:
    rule["expr"] = rule["expr"].replace("sum by (job, le)", "sum by (job)")


def drop_for(rule: Rule) -> None:
    del rule["for"]


def test_generated_tests_pass_on_compozy(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    write_output(tmp_path)

    for group in ("http", "database", "auth", "webhook", "autoload", "worker"):
        result = run_tests(promtool, tmp_path, group)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("group", "name", "fault", "named"),
    [
        (
            "auth",
            "job:compozy_auth_failures_per_attempts:ratio_rate5m",
            divide_by_itself,
            'expr: "job:compozy_auth_failures_per_attempts:ratio_rate5m"',
        ),
        (
            "http",
            "job:compozy_http_request_duration_seconds:p95_5m",
            drop_le,
            'expr: "job:compozy_http_request_duration_seconds:p95_5m"',
        ),
        ("worker", "WorkerQueueBacklog", drop_for, "alertname: WorkerQueueBacklog"),
    ],
    ids=["ratio divided by itself", "quantile without le", "alert without for"],
)
def test_classic_fault_fails_its_tests(
    in_root: Path,
    tmp_path: Path,
    promtool: str,
    group: str,
    name: str,
    fault: Callable[[Rule], None],
    named: str,
) -> None:
    write_output(tmp_path)
    edit_rule(tmp_path / "prometheus" / "compozy" / f"{group}.rules.yml", name, fault)

    result = run_tests(promtool, tmp_path, group)

    assert result.returncode == 1
    assert named in result.stdout + result.stderr


def test_alert_without_for_fires_a_step_early(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    write_output(tmp_path)
    rules = tmp_path / "prometheus" / "compozy" / "auth.rules.yml"
    edit_rule(rules, "HighAuthFailureRate", drop_for)

    result = run_tests(promtool, tmp_path, "auth")
    output = result.stdout + result.stderr

    assert "alertname: HighAuthFailureRate, time: 14m" in output
    assert "exp:[], \n        got:[\n" in output


def test_series_values_written_as_runs() -> None:
    assert series_values([0.0, 60.0, 120.0, 180.0, 300.0, 420.0]) == "0+60x3 300+120x1"
    assert series_values([5.0, 5.0, 2.0]) == "5+0x1 2+0x0"


def test_bucket_quantile_interpolates_within_the_bucket() -> None:
    buckets = [(1.0, 0.0), (2.5, 16.0), (float("inf"), 16.0)]

    assert bucket_quantile(0.95, buckets) == 1.0 + 1.5 * 0.95


@pytest.mark.parametrize(
    ("function", "value", "text"),
    [
        (humanize, 2e7, "20M"),
        (humanize, 0.25, "250m"),
        (humanize, 1234.5, "1.234k"),
        (humanize_percentage, 0.9375, "93.75%"),
        (humanize_duration, 4.875, "4.875s"),
        (humanize_duration, 90.0, "1m 30s"),
        (humanize_duration, 0.5, "500ms"),
        (go_float, 200.0, "200"),
        (go_float, 0.75, "0.75"),
        (go_float, 2097152.0, "2.097152e+06"),
        (go_float, 123456.0, "123456"),
    ],
)
def test_template_functions_format_as_prometheus(
    function: Callable[[float], str], value: float, text: str
) -> None:
    assert function(value) == text


def test_annotation_expanded_with_labels_and_value() -> None:
    text = "{{ $value | humanizePercentage }} of {{ $labels.job }} fail"

    assert expand(text, {"job": "api"}, 0.75) == "75% of api fail"


def test_failing_case_fails_generate_and_keeps_output(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    text = Path("tests/specs/good/shop.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "shop.yaml"
    spec.write_text(text.replace("eval_time: 31m", "eval_time: 29m"), encoding="utf-8")
    out = tmp_path / "out"

    result = CliRunner().invoke(app, ["generate", str(spec), "--out", str(out)])

    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: the generated rules failed their tests:\n"
        "Unit Testing:  prometheus/tests/shop/orders.test.yml\n"
    )
    assert "alertname: NoOrders, time: 29m" in result.stderr
    assert not out.exists()


ABSENT_SPEC = """\
version: 1
namespace: shop
runbook_base_url: https://runbooks.shop.example
groups:
  orders:
    metrics:
      order_queue_depth:
        type: gauge
        labels:
          - channel: enum[web, app]
        description: "Orders waiting to be packed"
    alerts:
      - alert: QueueDepthMissing
        absent: { metric: 'shop_order_queue_depth{channel="web"}' }
        for: 3m
        severity: critical
        summary: "Nothing reports the {{ $labels.channel }} queue"
        description: "absent() returned {{ $value }}."
      - alert: LongQueue
        expr: shop_order_queue_depth{channel="app"} > 1000
        for: 2m
        severity: warning
        summary: "The {{ $labels.channel }} queue of {{ $labels.job }} is long"
        description: "{{ $value | humanize }} orders wait."
"""


def test_absent_and_gauge_alerts_get_passing_tests(
    tmp_path: Path, promtool: str
) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(ABSENT_SPEC, encoding="utf-8")
    out = tmp_path / "out"

    result = CliRunner().invoke(
        app, ["generate", "--strict", str(spec), "--out", str(out)]
    )
    tests = (out / "prometheus" / "tests" / "shop" / "orders.test.yml").read_text()

    assert result.exit_code == 0, result.stderr
    assert "promtool test rules: 1 test file passed" in result.stderr
    assert "description: absent() returned 1." in tests
    assert "description: 2.048k orders wait." in tests


def test_absent_alert_without_for_fails_its_test(tmp_path: Path, promtool: str) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(ABSENT_SPEC, encoding="utf-8")
    out = tmp_path / "out"
    CliRunner().invoke(app, ["generate", str(spec), "--out", str(out)])
    edit_rule(
        out / "prometheus" / "shop" / "orders.rules.yml", "QueueDepthMissing", drop_for
    )

    result = subprocess.run(
        [promtool, "test", "rules", str(out / "prometheus/tests/shop/orders.test.yml")],
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "alertname: QueueDepthMissing, time: 8m" in result.stdout + result.stderr
