"""Service level objectives: the rules and alerts that an SLO stands for, and their tests.

The generated SLO tests must pass on the rendered rules. They must also fail,
naming the rule or alert, when a careless maintainer breaks a rule by hand.
The faults are a window that reads the wrong range, a threshold off by ten,
a ratio without its traffic guard, and a period that takes the maximum.
"""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.utils import floatToGoString
from promspec.build import load_spec
from promspec.cli import app
from promspec.model import Matcher
from promspec.pipeline import render_all
from promspec.shapes import le_text
from promspec.slo_tests import (
    compensated_sum,
    errors_at,
    events_per_second,
    windows_step,
)
from typer.testing import CliRunner

Rule = dict[str, Any]
SLO_FILES = ("page", "ticket", "windows")


def write_prometheus_files(folder: Path) -> None:
    for relative, text in render_all([load_spec("specs/compozy.yaml")]).items():
        if relative.startswith("prometheus/"):
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text, encoding="utf-8")


def edit_slo_rule(folder: Path, name: str, change: Callable[[Rule], None]) -> None:
    """Apply `change` to the rule of requests-availability recorded or alerting as `name`."""
    path = folder / "prometheus" / "compozy" / "slo-requests-availability.rules.yml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = document["groups"][0]["rules"]
    (rule,) = [r for r in rules if name in (r.get("record"), r.get("alert"))]
    change(rule)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def run_slo_tests(
    promtool: str, folder: Path, files: tuple[str, ...] = SLO_FILES
) -> subprocess.CompletedProcess[str]:
    """Run the named test files of the requests-availability SLO."""
    tests = folder / "prometheus" / "tests" / "compozy"
    paths = [
        str(tests / f"slo-requests-availability.{name}.test.yml") for name in files
    ]
    return subprocess.run(
        [promtool, "test", "rules", *paths], capture_output=True, text=True
    )


def test_slo_tests_pass_on_compozy(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    write_prometheus_files(tmp_path)

    result = run_slo_tests(promtool, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr


def read_range(old: str, new: str) -> Callable[[Rule], None]:
    def change(rule: Rule) -> None:
        rule["expr"] = rule["expr"].replace(f"[{old}]", f"[{new}]")

    return change


def raise_threshold(rule: Rule) -> None:
    rule["expr"] = rule["expr"].replace("> 0.0144", "> 0.144")


def drop_guard(rule: Rule) -> None:
    rule["expr"] = rule["expr"].replace(" > 0)", ")")


def drop_zero_fill(rule: Rule) -> None:
    numerator, _, denominator = rule["expr"].partition("\n")
    rule["expr"] = numerator.split(" or ")[0].lstrip("(") + "\n" + denominator


def take_maximum(rule: Rule) -> None:
    rule["expr"] = rule["expr"].replace("sum_over_time", "max_over_time")


def swap_pairs(rule: Rule) -> None:
    rule["expr"] = rule["expr"].replace("ratio_rate6h", "ratio_rate2h")


@pytest.mark.parametrize(
    ("name", "change", "file"),
    [
        ("slo:sli_error:ratio_rate1h", read_range("1h", "5m"), "windows"),
        ("HttpAvailabilityErrorBudgetFastBurn", raise_threshold, "page"),
        ("slo:sli_error:ratio_rate5m", drop_guard, "windows"),
        ("slo:sli_error:ratio_rate30m", drop_zero_fill, "windows"),
        ("slo:sli_error:ratio_rate30d", take_maximum, "windows"),
        ("HttpAvailabilityErrorBudgetFastBurn", swap_pairs, "page"),
        ("slo:sli_error:ratio_rate3d", read_range("3d", "1d"), "windows"),
    ],
    ids=[
        "wrong window",
        "threshold x10",
        "no guard",
        "no zero fill",
        "max over period",
        "wrong pair",
        "3d as 1d",
    ],
)
def test_broken_slo_rule_fails_its_tests(
    in_root: Path,
    tmp_path: Path,
    promtool: str,
    name: str,
    change: Callable[[Rule], None],
    file: str,
) -> None:
    write_prometheus_files(tmp_path)
    edit_slo_rule(tmp_path, name, change)

    result = run_slo_tests(promtool, tmp_path, (file,))

    assert result.returncode == 1
    assert name in result.stdout + result.stderr


def test_le_text_matches_prometheus_client() -> None:
    bounds = [
        0.001,
        0.5,
        1,
        2.5,
        10,
        999999,
        1e6,
        1e7,
        1234567,
        0.1 + 0.2,
        1e16,
        float("inf"),
    ]

    assert [le_text(b) for b in bounds] == [floatToGoString(b) for b in bounds]


def test_regex_matchers_are_anchored() -> None:
    five = Matcher("status_code", "5..", "=~")

    assert [five.accepts(code) for code in ("503", "1503", "50", "200")] == [
        True,
        False,
        False,
        False,
    ]
    assert Matcher("outcome", "success", "!=").accepts("error")
    assert not Matcher("outcome", "succ.*", "!~").accepts("success")


def test_test_traffic_gives_whole_errors() -> None:
    slo = load_spec("specs/compozy.yaml").groups[0].slos[0]  # 99.9%
    events = events_per_second(slo, (Fraction(1, 2), Fraction(16)))

    assert (events, errors_at(slo, events, Fraction(1, 2))) == (2000, 1)
    assert errors_at(slo, events, Fraction(16)) == 32


def test_compensated_sum_keeps_small_terms() -> None:
    assert compensated_sum([1e16, 1.0, 1.0, 1.0, 1.0]) == 1.0000000000000004e16


def test_runbook_names_the_slos_own_rules(in_root: Path) -> None:
    files = render_all([load_spec("specs/compozy.yaml")])
    page = files["docs/compozy/runbooks/HttpAvailabilityErrorBudgetFastBurn.md"]

    assert "Share of failed events of SLO requests-availability" in page
    assert "activity-success" not in page
    assert "Metrics behind it: `compozy_http_requests_total`." in page


def counting_promtool(folder: Path, promtool: str) -> tuple[Path, Path]:
    """Write a promtool that logs each `test rules` run, then runs the real one."""
    log = folder / "runs.log"
    script = folder / "promtool"
    script.write_text(
        f'#!/bin/sh\n[ "$1" = test ] && echo run >> {log}\nexec {promtool} "$@"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, log


def generate_shop(env: dict[str, str], out: Path) -> int:
    spec = "tests/specs/good/shop.yaml"
    result = CliRunner(env=env).invoke(app, ["generate", spec, "--out", str(out), "-q"])
    return result.exit_code


def test_passed_tests_are_not_run_again(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    script, log = counting_promtool(tmp_path, promtool)
    env = {"PROMTOOL": str(script), "PROMSPEC_CACHE_DIR": str(tmp_path / "cache")}

    assert generate_shop(env, tmp_path / "a") == 0
    first = log.read_text().count("run")
    assert generate_shop(env, tmp_path / "b") == 0

    assert first >= 1
    assert log.read_text().count("run") == first


def test_cache_off_runs_every_test(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    script, log = counting_promtool(tmp_path, promtool)
    env = {"PROMTOOL": str(script), "PROMSPEC_CACHE_DIR": "off"}

    assert generate_shop(env, tmp_path / "a") == 0
    first = log.read_text().count("run")
    assert generate_shop(env, tmp_path / "b") == 0

    assert log.read_text().count("run") == 2 * first


def test_changed_promtool_runs_the_tests_again(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    script, log = counting_promtool(tmp_path, promtool)
    env = {"PROMTOOL": str(script), "PROMSPEC_CACHE_DIR": str(tmp_path / "cache")}
    assert generate_shop(env, tmp_path / "a") == 0
    first = log.read_text().count("run")

    script.write_text(script.read_text() + "# another build\n", encoding="utf-8")
    assert generate_shop(env, tmp_path / "b") == 0

    assert log.read_text().count("run") == 2 * first


UNTESTABLE = """\
version: 1
namespace: shop
runbook_base_url: https://runbooks.shop.example
groups:
  api:
    metrics:
      requests_total:
        type: counter
        labels:
          - name: code
            type: int
            max_values: 20
        description: Requests
    slos:
      - name: availability
        description: Requests succeed
        objective: 99.9
        errors: 'shop_requests_total{code=~"5[0-9]{2}|9,9"}'
        total: shop_requests_total
        acknowledge:
          - check: tests/untested-slo
            reason: the test values of code are 200, 404 and 503
"""


def test_slo_findings_sit_under_the_slo(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(UNTESTABLE.replace("5[0-9]{2}|9,9", "abc"), encoding="utf-8")

    result = CliRunner().invoke(app, ["lint", str(spec), "--format", "json"])
    report = json.loads(result.stdout)

    (acknowledged,) = report["acknowledged"]
    assert acknowledged["check"] == "tests/untested-slo"
    assert acknowledged["field"] == "groups.api.slos[0]"
    assert 'no test value of code fits code=~"abc"' in acknowledged["message"]
    assert [f["check"] for f in report["findings"]] == ["tests/coverage"]


def test_regex_with_braces_and_commas(tmp_path: Path, promtool: str) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(UNTESTABLE, encoding="utf-8")

    result = CliRunner().invoke(
        app, ["generate", str(spec), "--out", str(tmp_path / "out")]
    )

    assert result.exit_code == 0, result.stderr
    rules = (tmp_path / "out/prometheus/shop/slo-availability.rules.yml").read_text()
    assert 'code=~"5[0-9]{2}|9,9"' in rules


def test_windows_step_divides_no_period() -> None:
    for days in (4, 7, 28, 30, 59, 90, 365):
        step = windows_step(days * 1440)
        assert days * 1440 % step != 0
        assert days * 1440 // step <= 239


def test_templated_slo_label_is_expanded_in_tests(
    tmp_path: Path, promtool: str
) -> None:
    spec = tmp_path / "shop.yaml"
    templated = "        labels: { team: '{{ $labels.sloth_slo }}-team' }\n"
    text = UNTESTABLE.split("        acknowledge:")[0] + templated
    spec.write_text(text, encoding="utf-8")

    result = CliRunner().invoke(
        app, ["generate", str(spec), "--out", str(tmp_path / "out")]
    )

    assert result.exit_code == 0, result.stderr
    tests = (
        tmp_path / "out/prometheus/tests/shop/slo-availability.page.test.yml"
    ).read_text()
    assert "team: availability-team" in tests
