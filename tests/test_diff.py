"""`promspec diff`: metric changes between two spec versions, and what they break."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from promspec.build import load_spec
from promspec.cli import app
from promspec.diff import diff_specs
from promspec.errors import ExitCode
from typer.testing import CliRunner

SHOP = Path("tests/specs/good/shop.yaml")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def edited(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = SHOP.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    target = tmp_path / "shop.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def changes(old: Path, new: Path) -> list[tuple[str, str, bool]]:
    found = diff_specs(load_spec(str(old)), load_spec(str(new)))
    return [(c.metric, c.detail, c.breaking) for c in found]


def test_same_spec_has_no_changes(in_root: Path) -> None:
    code, stdout, _ = invoke("diff", str(SHOP), str(SHOP))

    assert code == ExitCode.OK
    assert stdout == f"{SHOP} -> {SHOP}: 0 changes, 0 breaking\n"


def test_label_and_bucket_changes(in_root: Path, tmp_path: Path) -> None:
    new = edited(
        tmp_path,
        ("buckets: [10, 50, 100, 500]", "buckets: [10, 100, 500, 1000]"),
        ("- channel: enum[web, app]", "- channel: enum[web, app, phone]"),
        ("            description: two-letter country code\n", ""),
    )
    new.write_text(
        new.read_text().replace(
            "          - name: region\n            type: string\n            max_values: 30\n",
            "",
        )
    )

    assert changes(SHOP, new) == [
        ("shop_order_value_dollars", "bucket bounds 50 removed", True),
        ("shop_orders_placed_total", "label region removed", True),
        ("shop_order_value_dollars", "bucket bounds 1000 added", False),
        ("shop_orders_placed_total", "label channel gains values phone", False),
    ]


def test_rename_lists_users(in_root: Path, tmp_path: Path) -> None:
    new = edited(tmp_path, ("      order_queue_depth:", "      order_backlog:"))

    code, stdout, _ = invoke("diff", str(SHOP), str(new))

    assert code == ExitCode.FAILED
    lines = stdout.splitlines()
    assert lines[0] == (
        "breaking: shop_order_queue_depth: renamed to shop_order_backlog"
    )
    assert "  breaks alert OrderBacklog" in lines
    assert lines[-1] == (
        f"{SHOP} -> {new}: 1 change, 1 breaking; pass --allow-breaking once the "
        "users above are updated"
    )


def test_allow_breaking_exits_zero(in_root: Path, tmp_path: Path) -> None:
    new = edited(tmp_path, ("      order_queue_depth:", "      order_backlog:"))

    code, stdout, _ = invoke("diff", str(SHOP), str(new), "--allow-breaking")

    assert code == ExitCode.OK
    assert stdout.splitlines()[-1] == f"{SHOP} -> {new}: 1 change, 1 breaking"


def test_removed_and_added_metrics(in_root: Path, tmp_path: Path) -> None:
    new = edited(tmp_path, ("      order_queue_depth:", "      order_backlog_total:"))
    new.write_text(new.read_text().replace("        source: callback\n", "", 1))
    new.write_text(
        new.read_text().replace(
            "order_backlog_total:\n        type: gauge",
            "order_backlog_total:\n        type: counter",
        )
    )

    found = changes(SHOP, new)

    assert ("shop_order_queue_depth", "removed", True) in found
    assert ("shop_order_backlog_total", "added (counter)", False) in found


def test_json_format(in_root: Path, tmp_path: Path) -> None:
    new = edited(tmp_path, ("      order_queue_depth:", "      order_backlog:"))

    code, stdout, _ = invoke("diff", str(SHOP), str(new), "--format", "json")

    document = json.loads(stdout)
    assert code == ExitCode.FAILED
    assert document["breaking"] == 1
    assert document["failed"] is True
    assert document["changes"][0]["kind"] == "renamed"
    assert "OrderBacklog" in document["changes"][0]["alerts"]


def test_git_revision_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parent.parent
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    (repo / "specs" / "shop.yaml").write_text((root / SHOP).read_text())
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "spec"], check=True)
    monkeypatch.chdir(repo)

    code, stdout, _ = invoke("diff", "HEAD:specs/shop.yaml", "specs/shop.yaml")

    assert code == ExitCode.OK
    assert stdout == "HEAD:specs/shop.yaml -> specs/shop.yaml: 0 changes, 0 breaking\n"


def test_missing_revision_is_reported(in_root: Path) -> None:
    code, stdout, stderr = invoke("diff", "HEAD:specs/nope.yaml", str(SHOP))

    assert code == ExitCode.INVALID_SPEC
    assert stdout == ""
    assert stderr == (
        "error: cannot read HEAD:specs/nope.yaml from git: fatal: path "
        "'specs/nope.yaml' does not exist in 'HEAD'; write REVISION:PATH with the "
        "path from the repository root, such as HEAD:specs/compozy.yaml\n"
    )


def test_missing_file_is_reported(in_root: Path) -> None:
    code, _, stderr = invoke("diff", "nope.yaml", str(SHOP))

    assert code == ExitCode.INVALID_SPEC
    assert stderr.splitlines()[0] == (
        "nope.yaml: error: cannot read the spec: No such file or directory"
    )


def test_bad_format_is_rejected(in_root: Path) -> None:
    code, _, stderr = invoke("diff", str(SHOP), str(SHOP), "--format", "yaml")

    assert code == ExitCode.INVALID_SPEC
    assert stderr == "error: invalid --format 'yaml': use text or json\n"


PAYMENTS = Path("tests/specs/good/payments.yaml")


def edited_payments(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = PAYMENTS.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    target = tmp_path / "payments.yaml"
    target.write_text(text, encoding="utf-8")
    return target


def test_slo_rename_breaks_its_alerts(in_root: Path, tmp_path: Path) -> None:
    new = edited_payments(tmp_path, ("- name: charges-fast", "- name: charges-quick"))

    found = diff_specs(load_spec(str(PAYMENTS)), load_spec(str(new)))

    removed = [c for c in found if c.metric == "SLO charges-fast"]
    assert [(c.kind, c.breaking) for c in removed] == [("removed", True)]
    assert removed[0].users.alerts == (
        "ChargesFastErrorBudgetFastBurn",
        "ChargesFastErrorBudgetSlowBurn",
    )
    assert ("SLO charges-quick", "added (99.5% over 30d)", False) in changes(
        PAYMENTS, new
    )


def test_slo_objective_and_indicator_changes(in_root: Path, tmp_path: Path) -> None:
    new = edited_payments(
        tmp_path,
        ("objective: 99.95", "objective: 99.9"),
        ("below: 1 }", "below: 2.5 }"),
    )

    assert changes(PAYMENTS, new) == [
        ("SLO charges-fast", "indicator changed", False),
        ("SLO charges-succeed", "objective 99.95% over 4w -> 99.9% over 4w", False),
    ]
