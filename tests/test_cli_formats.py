"""Diagnostics of generate and check as text, JSON and GitHub workflow commands."""

from __future__ import annotations

import json
from pathlib import Path

from promspec.cli import app
from promspec.errors import ExitCode
from typer.testing import CliRunner

UNKNOWN_KEY = "tests/specs/bad/unknown_key.yaml"
SHOP = "tests/specs/good/shop.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_github_annotations(in_root: Path, tmp_path: Path) -> None:
    code, stdout, stderr = invoke(
        "check", UNKNOWN_KEY, "--out", str(tmp_path), "--format", "github"
    )

    assert code == ExitCode.INVALID_SPEC
    assert stderr == ""
    assert stdout.splitlines() == [
        f"::error file={UNKNOWN_KEY},line=7,col=9::groups.orders.metrics."
        'orders_placed_total: missing required key "type"%0Afix: add `type:` with '
        "one of counter, gauge, histogram, summary",
        f"::error file={UNKNOWN_KEY},line=7,col=9::groups.orders.metrics."
        'orders_placed_total.typ: unknown key "typ"%0Afix: did you mean "type"? '
        "Valid keys: acknowledge, buckets, description, labels, multiprocess_mode, source, type, unit",
        "::error::2 errors found; nothing was written",
    ]


def test_generate_json_document(in_root: Path, tmp_path: Path) -> None:
    code, stdout, stderr = invoke(
        "generate", UNKNOWN_KEY, "--out", str(tmp_path / "out"), "--format", "json"
    )

    document = json.loads(stdout)
    assert code == ExitCode.INVALID_SPEC
    assert stderr == ""
    assert document["exit_code"] == 2
    assert [d["message"] for d in document["diagnostics"]] == [
        'missing required key "type"',
        'unknown key "typ"',
    ]
    assert document["diagnostics"][1]["line"] == 7
    assert document["messages"] == [
        {"level": "error", "text": "2 errors found; nothing was written"}
    ]
    assert not (tmp_path / "out").exists()


def test_check_json_reports_drift(in_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke("generate", SHOP, "--out", str(out))
    (out / "docs" / "shop" / "metrics.md").unlink()

    code, stdout, _ = invoke("check", SHOP, "--out", str(out), "--format", "json")

    document = json.loads(stdout)
    assert code == ExitCode.FAILED
    assert document["messages"][0] == {
        "level": "error",
        "text": "missing: docs/shop/metrics.md",
    }
    assert document["messages"][-1]["text"].startswith(f"error: {out} does not match")


def test_check_json_passes(in_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    invoke("generate", SHOP, "--out", str(out))

    code, stdout, _ = invoke("check", SHOP, "--out", str(out), "--format", "json")

    assert code == ExitCode.OK
    assert json.loads(stdout) == {
        "diagnostics": [],
        "messages": [{"level": "info", "text": f"{out}: 11 files match the specs"}],
        "exit_code": 0,
    }


def test_text_format_is_unchanged(in_root: Path, tmp_path: Path) -> None:
    code, stdout, stderr = invoke("check", UNKNOWN_KEY, "--out", str(tmp_path))

    assert code == ExitCode.INVALID_SPEC
    assert stdout == ""
    assert stderr.splitlines()[0] == (
        f'{UNKNOWN_KEY}:7:9: error: groups.orders.metrics.orders_placed_total: missing required key "type"'
    )
