"""The CLI run in-process: generate, check, promtool handling, exit codes."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from promspec.cli import app
from promspec.errors import ExitCode
from typer.testing import CliRunner

SHOP = "tests/specs/good/shop.yaml"


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_generate_writes_and_reports(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    out = tmp_path / "out"

    code, stdout, stderr = invoke(
        "generate", SHOP, "--out", str(out), "--require-promtool"
    )

    assert code == ExitCode.OK
    assert stdout == ""
    assert stderr.splitlines() == [
        f"{out}: 11 files from 1 spec, 11 files changed",
        "lint passed; rule tests cover 4 of 4 recording rules and alerts (100%); "
        "every alert has its runbook page; generated Python compiles; "
        "promtool check rules: 1 rule file passed; promtool test rules: 1 test file passed",
    ]
    assert (out / "prometheus/shop/orders.rules.yml").is_file()
    assert (out / "grafana/dashboards/shop/orders.json").is_file()
    assert (out / "python/shop_metrics.py").is_file()


def test_generate_twice_is_up_to_date(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    out = tmp_path / "out"
    invoke("generate", SHOP, "--out", str(out))

    code, _, stderr = invoke("generate", SHOP, "--out", str(out))

    assert code == ExitCode.OK
    assert stderr.splitlines()[0] == f"{out}: 11 files from 1 spec, already up to date"


def test_check_passes_after_generate(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    out = tmp_path / "out"
    invoke("generate", SHOP, "--out", str(out))

    code, _, stderr = invoke("check", SHOP, "--out", str(out), "--require-promtool")

    assert code == ExitCode.OK
    assert stderr == f"{out}: 11 files match the specs\n"


def test_check_reports_hand_edit(in_root: Path, tmp_path: Path, promtool: str) -> None:
    out = tmp_path / "out"
    invoke("generate", SHOP, "--out", str(out))
    rules = out / "prometheus/shop/orders.rules.yml"
    rules.write_text(rules.read_text().replace("for: 10m", "for: 1m"))

    code, _, stderr = invoke("check", SHOP, "--out", str(out))

    assert code == ExitCode.FAILED
    assert stderr.startswith("changed: prometheus/shop/orders.rules.yml\n")
    assert "-    for: 1m\n+    for: 10m" in stderr
    assert stderr.endswith(
        f"error: {out} does not match the specs; run `promspec generate` and commit the result\n"
    )


def test_check_reports_missing_output(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    code, _, stderr = invoke("check", SHOP, "--out", str(tmp_path / "never"))

    assert code == ExitCode.FAILED
    assert "missing: python/shop_metrics.py" in stderr


def test_check_fails_on_invalid_spec(in_root: Path, tmp_path: Path) -> None:
    code, _, stderr = invoke(
        "check", "tests/specs/bad/undefined_metric.yaml", "--out", str(tmp_path)
    )

    assert code == ExitCode.FAILED
    assert 'unknown metric "order_queue_depth"' in stderr


def test_missing_promtool_skips_with_warning(in_root: Path, tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path / "empty-bin")}
    out = tmp_path / "out"

    code, _, stderr = invoke("generate", SHOP, "--out", str(out), env=env)

    assert code == ExitCode.OK
    assert stderr.splitlines()[0] == (
        "warning: promtool not found: skipped `promtool check rules` on 1 rule file and `promtool test rules` "
        "on 1 test file; install it with "
        "`apt-get install prometheus` (Debian, Ubuntu) or point PROMTOOL at the binary"
    )
    assert out.is_dir()


def test_require_promtool_fails_without_it(in_root: Path, tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path / "empty-bin")}
    out = tmp_path / "out"

    code, _, stderr = invoke(
        "generate", SHOP, "--out", str(out), "--require-promtool", env=env
    )

    assert code == ExitCode.MISSING_TOOL
    assert stderr.startswith(
        "error: promtool not found: skipped `promtool check rules` on 1 rule file"
    )
    assert not out.exists()


def test_strict_fails_when_checks_skipped(in_root: Path, tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path / "empty-bin")}
    out = tmp_path / "out"

    code, _, stderr = invoke("generate", SHOP, "--out", str(out), "--strict", env=env)

    assert code == ExitCode.FAILED
    assert (
        stderr.splitlines()[-1]
        == "error: --strict: checks were skipped; nothing was written"
    )
    assert not out.exists()


def test_promtool_env_not_executable(in_root: Path, tmp_path: Path) -> None:
    code, _, stderr = invoke(
        "generate",
        SHOP,
        "--out",
        str(tmp_path / "out"),
        env={"PROMTOOL": str(tmp_path / "missing-promtool")},
    )

    assert code == ExitCode.MISSING_TOOL
    assert stderr.startswith(
        f"error: PROMTOOL={tmp_path / 'missing-promtool'} is not an executable file"
    )


def test_promtool_rejection_keeps_output(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    out = tmp_path / "out"
    invoke("generate", SHOP, "--out", str(out))
    before = sorted(p.read_bytes() for p in out.rglob("*") if p.is_file())
    fake = tmp_path / "promtool"
    fake.write_text(
        "#!/bin/sh\n"
        '[ "$1" = --version ] && echo "promtool, version 2.42.0" && exit 0\n'
        "echo '  FAILED: 1:1: group \"shop-orders\": bad rule' >&2\nexit 1\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    spec = tmp_path / "shop.yaml"
    spec.write_text(Path(SHOP).read_text().replace("for: 10m", "for: 15m"))

    code, _, stderr = invoke(
        "generate", str(spec), "--out", str(out), env={"PROMTOOL": str(fake)}
    )

    assert code == ExitCode.FAILED
    assert stderr.startswith("error: promtool rejected the generated rules:\n")
    assert sorted(p.read_bytes() for p in out.rglob("*") if p.is_file()) == before


def test_promtool_crash_is_tool_error(in_root: Path, tmp_path: Path) -> None:
    fake = tmp_path / "promtool"
    fake.write_text("#!/bin/sh\nkill -SEGV $$\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)

    code, _, stderr = invoke(
        "generate", SHOP, "--out", str(tmp_path / "out"), env={"PROMTOOL": str(fake)}
    )

    assert code == ExitCode.MISSING_TOOL
    assert stderr.startswith(f"error: {fake} failed with exit code -11")


def test_default_specs_folder_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, promtool: str
) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copy(
        Path(__file__).parent / "specs/good/shop.yaml", tmp_path / "specs/shop.yaml"
    )
    monkeypatch.chdir(tmp_path)

    code, _, stderr = invoke("generate")

    assert code == ExitCode.OK
    assert (tmp_path / "out/python/shop_metrics.py").is_file()
    assert stderr.splitlines()[0] == "out: 11 files from 1 spec, 11 files changed"


def test_no_specs_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    code, _, stderr = invoke("generate")

    assert code == ExitCode.INVALID_SPEC
    assert stderr.splitlines()[0] == "specs: error: no spec files (*.yaml, *.yml) found"


def test_two_specs_same_namespace_rejected(in_root: Path, tmp_path: Path) -> None:
    copy = tmp_path / "shop-copy.yaml"
    shutil.copy(SHOP, copy)

    code, _, stderr = invoke(
        "generate", SHOP, str(copy), "--out", str(tmp_path / "out")
    )

    assert code == ExitCode.INVALID_SPEC
    assert "is generated by both tests/specs/good/shop.yaml and" in stderr


def test_quiet_prints_nothing_on_success(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    code, stdout, stderr = invoke(
        "generate", SHOP, "--out", str(tmp_path / "out"), "--quiet"
    )

    assert code == ExitCode.OK
    assert stdout + stderr == ""


def test_version_printed_to_stdout() -> None:
    from promspec import __version__

    code, stdout, _ = invoke("version")

    assert code == ExitCode.OK
    assert stdout == f"{__version__}\n"


def test_output_below_file_is_write_error(in_root: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder\n")

    code, _, stderr = invoke("generate", SHOP, "--out", str(blocker / "out"))

    assert code == ExitCode.WRITE_FAILED
    assert stderr == f"error: {blocker} is a file, not a folder; choose another --out\n"


def test_failed_swap_is_write_error(
    in_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("promspec.writer._swap", fail)
    out = tmp_path / "out"

    code, _, stderr = invoke("generate", SHOP, "--out", str(out))

    assert code == ExitCode.WRITE_FAILED
    assert stderr == (
        f"error: cannot write {out}: No space left on device; "
        "the previous output is unchanged\n"
    )
    assert not out.exists()


def test_spec_without_rules_generates(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    out = tmp_path / "out"

    code, _, stderr = invoke(
        "generate",
        "tests/specs/good/minimal.yaml",
        "--out",
        str(out),
        "--require-promtool",
    )

    assert code == ExitCode.OK
    assert "no rule files for promtool to check" in stderr
    assert (out / "python/tiny_metrics.py").is_file()


def test_same_spec_twice_read_once(
    in_root: Path, tmp_path: Path, promtool: str
) -> None:
    out = tmp_path / "out"

    code, _, stderr = invoke("generate", SHOP, f"./{SHOP}", "--out", str(out))

    assert code == ExitCode.OK
    assert stderr.splitlines()[0] == f"{out}: 11 files from 1 spec, 11 files changed"
