"""The --alert-for option: alert `for` durations capped for end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from promspec.alert_for import cap_alert_for, duration_seconds
from promspec.build import load_spec
from promspec.cli import app
from promspec.errors import ExitCode, UsageError
from typer.testing import CliRunner

SHOP = "tests/specs/good/shop.yaml"
RULES = "prometheus/shop/orders.rules.yml"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


def alert_for(out: Path) -> dict[str, str | None]:
    document = yaml.safe_load((out / RULES).read_text())
    rules = document["groups"][0]["rules"]
    return {rule["alert"]: rule.get("for") for rule in rules if "alert" in rule}


def test_generate_caps_alert_for(in_root: Path, tmp_path: Path, promtool: str) -> None:
    code, stderr = invoke("generate", SHOP, "--out", str(tmp_path), "--alert-for", "5s")

    assert code == ExitCode.OK, stderr
    assert alert_for(tmp_path) == {"OrderBacklog": "5s", "NoOrders": "5s"}


def test_generate_default_keeps_spec_for(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    code, stderr = invoke("generate", SHOP, "--out", str(tmp_path))

    assert code == ExitCode.OK, stderr
    assert alert_for(tmp_path) == {"OrderBacklog": "10m", "NoOrders": "30m"}


def test_shorter_for_is_kept(in_root: Path) -> None:
    spec = cap_alert_for(load_spec(SHOP), "15m")

    assert {alert.name: alert.for_ for alert in spec.alerts} == {
        "OrderBacklog": "10m",
        "NoOrders": "15m",
    }


def test_check_without_option_reports_capped_rules(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    invoke("generate", SHOP, "--out", str(tmp_path), "--alert-for", "5s")

    code, stderr = invoke("check", SHOP, "--out", str(tmp_path))

    assert code == ExitCode.FAILED
    assert f"changed: {RULES}" in stderr
    assert "-    for: 5s\n+    for: 10m" in stderr


def test_check_with_same_option_passes(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    invoke("generate", SHOP, "--out", str(tmp_path), "--alert-for", "5s")

    code, stderr = invoke("check", SHOP, "--out", str(tmp_path), "--alert-for", "5s")

    assert code == ExitCode.OK, stderr


def test_invalid_alert_for_is_usage_error(in_root: Path, tmp_path: Path) -> None:
    code, stderr = invoke("generate", SHOP, "--out", str(tmp_path), "--alert-for", "5x")

    assert code == ExitCode.INVALID_SPEC
    assert stderr == (
        "error: invalid --alert-for '5x': write a Prometheus duration, such as 5s or 1m\n"
    )
    assert not (tmp_path / RULES).exists()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5s", 5), ("1h30m", 5400), ("250ms", 0.25), ("0s", 0), ("1w", 604800)],
)
def test_duration_seconds(text: str, seconds: float) -> None:
    assert duration_seconds(text) == seconds


def test_duration_seconds_rejects_bare_number() -> None:
    with pytest.raises(UsageError):
        duration_seconds("5")
