"""The generated rule files, run through promtool rather than string-matched."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from promspec.build import load_spec
from promspec.render_rules import render_rules


def write_rules(spec_path: str, folder: Path) -> list[Path]:
    written = []
    for relative, text in render_rules(load_spec(spec_path)).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written.append(path)
    return written


def test_compozy_rules_pass_promtool(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    files = write_rules("specs/compozy.yaml", tmp_path)

    result = subprocess.run(
        [promtool, "check", "rules", *map(str, files)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # One file per group with rules, and one per SLO.
    assert len(files) == 9
    assert result.stdout.count("SUCCESS") == 9


def test_compozy_alerts_carry_severity_and_annotations(in_root: Path) -> None:
    spec = load_spec("specs/compozy.yaml")
    for text in render_rules(spec).values():
        for rule in yaml.safe_load(text)["groups"][0]["rules"]:
            if "alert" not in rule:
                continue
            assert rule["labels"]["severity"] in {"critical", "warning", "info"}
            assert sorted(rule["annotations"]) == [
                "description",
                "runbook_url",
                "summary",
            ]
            assert rule["annotations"]["runbook_url"].endswith(f"/{rule['alert']}.md")


def test_compozy_plan_alerts_present(in_root: Path) -> None:
    alerts = {alert.name: alert for alert in load_spec("specs/compozy.yaml").alerts}

    assert alerts["HighRequestLatency"].for_ == "5m"
    assert alerts["LargeResponsePayloads"].for_ == "10m"
    assert alerts["PostgresPoolNearLimit"].for_ == "5m"
    assert alerts["RedisPoolExhaustion"].for_ == "2m"
    assert alerts["HighAuthFailureRate"].for_ == "5m"
    assert alerts["SuspiciousAuthActivity"].for_ == "2m"
    assert alerts["WorkerQueueBacklog"].expr.endswith("> 100")


def test_recording_rules_come_before_alerts(in_root: Path) -> None:
    text = render_rules(load_spec("tests/specs/good/shop.yaml"))[
        "prometheus/shop/orders.rules.yml"
    ]
    kinds = [
        "record" if "record" in rule else "alert"
        for rule in yaml.safe_load(text)["groups"][0]["rules"]
    ]

    assert kinds == ["record", "record", "alert", "alert"]


def test_rule_file_round_trips_text(in_root: Path, tmp_path: Path) -> None:
    spec = tmp_path / "quotes.yaml"
    spec.write_text(
        "version: 1\nnamespace: t\nrunbook_base_url: https://r.example\n"
        + "groups:\n  g:\n    metrics:\n      up_things:\n        type: gauge\n        description: d\n"
        + "    alerts:\n      - alert: Weird\n        expr: t_up_things > 1\n        severity: info\n"
        + "        summary: 'it''s \"quoted\" {{ $labels.job }}: yes # not a comment'\n"
        + "        description: |\n          line one\n          line two: with colon\n"
    )
    rule = yaml.safe_load(
        render_rules(load_spec(str(spec)))["prometheus/t/g.rules.yml"]
    )["groups"][0]["rules"][0]

    assert (
        rule["annotations"]["summary"]
        == 'it\'s "quoted" {{ $labels.job }}: yes # not a comment'
    )
    assert rule["annotations"]["description"] == "line one\nline two: with colon"


def test_hand_broken_rule_fails_promtool(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    (path,) = write_rules("tests/specs/good/shop.yaml", tmp_path)
    path.write_text(path.read_text().replace("for: 10m", "for: ten minutes"))

    result = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True
    )

    assert result.returncode == 1
    assert "ten minutes" in result.stdout + result.stderr
