"""`promspec lint` run in-process: output formats, exit codes, and lint in generate."""

from __future__ import annotations

import json
from pathlib import Path

from promspec.cli import app
from promspec.errors import ExitCode
from typer.testing import CliRunner

SPEC = """\
version: 1
namespace: shop
scrape_interval: 15s
runbook_base_url: https://runbooks.shop.example
groups:
  orders:
    metrics:
      orders:
        type: counter
        labels:
          - region: string
        description: Orders
      queue:
        type: gauge
        labels:
          - region: string
        description: Orders waiting
        acknowledge:
          - check: cardinality/unbounded-label
            reason: one region per deployment
    recording_rules:
      - record: job:shop_orders:rate5m
        rate: { metric: shop_orders_total, by: [job], window: 5m }
"""
FAULTY_RULE = """\
      - record: job:shop_queue:rate5m
        expr: sum by (job) (rate(shop_queue[5m]))
"""


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_compozy_spec_lints_clean_with_strict(in_root: Path) -> None:
    code, stdout, _ = invoke("lint", "--strict", "specs/compozy.yaml")

    assert code == ExitCode.OK
    assert stdout.splitlines()[-2:] == [
        "specs/compozy.yaml: 0 errors, 0 warnings, 0 acknowledged",
        "lint passed: 1 spec clean",
    ]


def test_text_output_grouped_by_file(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC)

    code, stdout, _ = invoke("lint", spec)

    assert code == ExitCode.OK
    assert stdout.splitlines() == [
        f'{spec}:11:21: warning: groups.orders.metrics.orders.labels[0]: label "region" of '
        '"shop_orders_total" is a free string with no bound, so its series cannot be '
        "counted and may grow without limit [cardinality/unbounded-label]",
        "  fix: make it an enum, or declare its maximum number of values with the long form "
        "`- name: region`, `type: string`, `max_values: N`",
        f"acknowledged: {spec}:16:21: warning: groups.orders.metrics.queue.labels[0]: "
        'label "region" '
        'of "shop_queue" is a free string with no bound, so its series cannot be counted '
        "and may grow without limit [cardinality/unbounded-label]",
        "  reason: one region per deployment",
        f"{spec}: 0 errors, 1 warning, 1 acknowledged",
        "lint passed: 1 spec clean but for 1 warning, which fail with --strict",
    ]


def test_strict_fails_on_warning(tmp_path: Path) -> None:
    code, stdout, _ = invoke("lint", "--strict", write(tmp_path, SPEC))

    assert code == ExitCode.FAILED
    assert stdout.splitlines()[-1] == "lint failed: 1 finding in 1 spec fails the run"


def test_error_fails_without_strict(tmp_path: Path) -> None:
    code, stdout, _ = invoke("lint", write(tmp_path, SPEC + FAULTY_RULE))

    assert code == ExitCode.FAILED
    assert stdout.splitlines()[-2:] == [
        f"{tmp_path / 'spec.yaml'}: 1 error, 3 warnings, 1 acknowledged",
        "lint failed: 1 finding in 1 spec fails the run",
    ]


def test_unreadable_spec_exits_2(tmp_path: Path) -> None:
    code, stdout, stderr = invoke("lint", write(tmp_path, "version: 1\nnamespace: [\n"))

    assert code == ExitCode.INVALID_SPEC
    assert stdout == ""
    assert "error: (file): invalid YAML" in stderr


def test_json_output(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC + FAULTY_RULE)

    code, stdout, _ = invoke("lint", "--format", "json", spec)

    document = json.loads(stdout)
    assert code == ExitCode.FAILED
    assert document["summary"] == {
        "specs": [spec],
        "errors": 1,
        "warnings": 3,
        "acknowledged": 1,
        "failed": True,
    }
    assert document["findings"][3] == {
        "check": "promql/rate-on-gauge",
        "severity": "error",
        "file": spec,
        "line": 25,
        "column": 29,
        "field": "groups.orders.recording_rules[1].expr",
        "message": 'rate() needs a counter, but "shop_queue" is a gauge: every drop in '
        "its value would count as a counter reset",
        "fix": "use deriv() for the change of a gauge, or read the gauge without rate()",
    }
    assert document["acknowledged"][0]["reason"] == "one region per deployment"


def test_github_output(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC + FAULTY_RULE)

    code, stdout, _ = invoke("lint", "--format", "github", spec)

    assert code == ExitCode.FAILED
    assert stdout.splitlines()[3] == (
        f"::error file={spec},line=25,col=29,title=promql/rate-on-gauge::"
        "groups.orders.recording_rules[1].expr: rate() needs a counter, but "
        '"shop_queue" is a gauge: every drop in its value would count as a counter '
        "reset%0Afix: use deriv() for the change of a gauge, or read the gauge without "
        "rate()"
    )
    assert stdout.splitlines()[1].startswith(f"::warning file={spec},line=11,col=21,")
    assert stdout.splitlines()[4] == (
        f"::notice file={spec},line=16,col=21,title=cardinality/unbounded-label::"
        'groups.orders.metrics.queue.labels[0]: label "region" of "shop_queue" is a free string '
        "with no bound, so its series cannot be counted and may grow without limit"
        "%0Aacknowledged: one region per deployment"
    )


def test_github_warning_is_error_when_strict(tmp_path: Path) -> None:
    code, stdout, _ = invoke(
        "lint", "--format", "github", "--strict", write(tmp_path, SPEC)
    )

    assert code == ExitCode.FAILED
    assert stdout.startswith("::error ")


def test_cardinality_table_printed_first(tmp_path: Path) -> None:
    spec = write(tmp_path, SPEC)

    code, stdout, _ = invoke("lint", "--cardinality", spec)

    assert code == ExitCode.OK
    assert stdout.splitlines()[:4] == [
        "metric             type     labels (values)  per set     series",
        "shop_orders_total  counter  region (?)             2  unbounded",
        "shop_queue         gauge    region (?)             1  unbounded",
        f"{spec}: 0 series per scrape target, not counting 2 unbounded metrics "
        "(no budget)",
    ]


def test_cardinality_with_json_is_usage_error(tmp_path: Path) -> None:
    code, _, stderr = invoke(
        "lint", "--cardinality", "--format", "json", write(tmp_path, SPEC)
    )

    assert code == ExitCode.INVALID_SPEC
    assert stderr == "error: --cardinality prints a text table; leave out --format\n"


def test_generate_prints_lint_warnings(tmp_path: Path, promtool: str) -> None:
    spec = write(tmp_path, SPEC)
    out = tmp_path / "out"

    code, _, stderr = invoke("generate", spec, "--out", str(out))

    assert code == ExitCode.OK
    assert stderr.splitlines()[0].endswith("[cardinality/unbounded-label]")
    assert (out / "python" / "shop_metrics.py").is_file()


def test_generate_strict_fails_on_lint_warning(tmp_path: Path, promtool: str) -> None:
    out = tmp_path / "out"

    code, _, stderr = invoke(
        "generate", "--strict", write(tmp_path, SPEC), "--out", str(out)
    )

    assert code == ExitCode.FAILED
    assert stderr.splitlines()[-1] == (
        "error: --strict: 1 lint warning found; nothing was written"
    )
    assert not out.exists()


def test_generate_stops_on_lint_error(tmp_path: Path) -> None:
    out = tmp_path / "out"

    code, _, stderr = invoke(
        "generate", write(tmp_path, SPEC + FAULTY_RULE), "--out", str(out)
    )

    assert code == ExitCode.FAILED
    assert (
        stderr.splitlines()[-1] == "1 error and 3 warnings found; nothing was written"
    )
    assert not out.exists()


def test_github_output_escapes() -> None:
    from promspec.analysis.catalog import finding
    from promspec.analysis.report import render_github
    from promspec.analysis.run import LintResult
    from promspec.model import Location

    diagnostic = finding(
        "promql/range-too-short",
        Location("specs/a,b:c.yaml", 3, 7),
        "groups.g.recording_rules[0].expr",
        "100% of\nthe range",
        "widen it",
    )
    result = LintResult(["specs/a,b:c.yaml"], [diagnostic])

    assert render_github(result, strict=False).splitlines()[0] == (
        "::warning file=specs/a%2Cb%3Ac.yaml,line=3,col=7,title=promql/range-too-short::"
        "groups.g.recording_rules[0].expr: 100%25 of%0Athe range%0Afix: widen it"
    )


def test_lint_reads_specs_folder_by_default(in_root: Path) -> None:
    code, stdout, _ = invoke("lint")

    assert code == ExitCode.OK
    assert stdout.splitlines() == [
        "specs/compozy.yaml: 0 errors, 0 warnings, 0 acknowledged",
        "lint passed: 1 spec clean",
    ]


def test_several_failing_findings_counted(tmp_path: Path) -> None:
    code, stdout, _ = invoke("lint", "--strict", write(tmp_path, SPEC + FAULTY_RULE))

    assert code == ExitCode.FAILED
    assert stdout.splitlines()[-1] == "lint failed: 4 findings in 1 spec fail the run"


def test_invalid_spec_in_github_and_json_formats(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(SPEC.replace("type: counter", "type: countr"), encoding="utf-8")
    runner = CliRunner()

    github = runner.invoke(app, ["lint", str(spec), "--format", "github"])
    document = json.loads(
        runner.invoke(app, ["lint", str(spec), "--format", "json"]).stdout
    )

    assert github.exit_code == ExitCode.INVALID_SPEC
    assert github.stdout.startswith(f"::error file={spec},line=9,col=15::")
    (diagnostic,) = document["diagnostics"]
    assert diagnostic["field"] == "groups.orders.metrics.orders.type"
    assert document["exit_code"] == ExitCode.INVALID_SPEC
