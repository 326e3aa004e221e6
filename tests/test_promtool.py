"""A broken promtool: too old, unreadable version, crash, not executable.

Each case stops the run with its exact message, names the check that did not
run, and leaves the previous output folder as it was.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from promspec.cli import app
from promspec.errors import ExitCode
from typer.testing import CliRunner

SHOP = "tests/specs/good/shop.yaml"
NOT_RUN = "`promtool check rules` did not check 1 rule file, so nothing was written"


def fake_promtool(folder: Path, version_line: str, check: str = "exit 0") -> Path:
    """Write a shell script that prints `version_line` for --version, else runs `check`."""
    fake = folder / "promtool"
    fake.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = --version ]; then echo "{version_line}"; exit 0; fi\n'
        f"{check}\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake


def generate_with(promtool: Path | str, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["generate", SHOP, "--out", str(out)], env={"PROMTOOL": str(promtool)}
    )
    return result.exit_code, result.stderr


@pytest.fixture
def previous_out(in_root: Path, tmp_path: Path, promtool: str) -> Path:
    """Return an output folder written by a good run, to check that it survives."""
    out = tmp_path / "out"
    assert generate_with(promtool, out)[0] == ExitCode.OK
    return out


def snapshot(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()
    }


def test_old_promtool_rejected(previous_out: Path, tmp_path: Path) -> None:
    before = snapshot(previous_out)
    fake = fake_promtool(tmp_path, "promtool, version 2.32.1 (branch: HEAD)")

    code, stderr = generate_with(fake, previous_out)

    assert code == ExitCode.MISSING_TOOL
    assert stderr == (
        f"error: {fake} is version 2.32.1, older than 2.33.0, the oldest that parses "
        "the PromQL promspec accepts; install a newer prometheus package or point "
        f"PROMTOOL at a newer promtool\n{NOT_RUN}\n"
    )
    assert snapshot(previous_out) == before


def test_minimum_promtool_version_accepted(previous_out: Path, tmp_path: Path) -> None:
    fake = fake_promtool(tmp_path, "promtool, version 2.33.0+ds (branch: debian)")

    code, stderr = generate_with(fake, previous_out)

    assert code == ExitCode.OK, stderr


def test_unreadable_version_rejected(previous_out: Path, tmp_path: Path) -> None:
    fake = fake_promtool(tmp_path, "promtool (development build)")

    code, stderr = generate_with(fake, previous_out)

    assert code == ExitCode.MISSING_TOOL
    assert stderr == (
        f"error: cannot read the version of {fake}: `promtool --version` printed "
        "'promtool (development build)'; install it with `apt-get install prometheus` "
        f"(Debian, Ubuntu) or point PROMTOOL at the binary\n{NOT_RUN}\n"
    )


def test_crash_names_checks_not_run(previous_out: Path, tmp_path: Path) -> None:
    before = snapshot(previous_out)
    fake = fake_promtool(tmp_path, "promtool, version 2.42.0", "kill -SEGV $$")

    code, stderr = generate_with(fake, previous_out)

    assert code == ExitCode.MISSING_TOOL
    assert (
        stderr
        == f"error: {fake} failed with exit code -11 and printed nothing\n{NOT_RUN}\n"
    )
    assert snapshot(previous_out) == before


def test_not_executable_promtool(previous_out: Path, tmp_path: Path) -> None:
    fake = fake_promtool(tmp_path, "promtool, version 2.42.0")
    fake.chmod(0o644)

    code, stderr = generate_with(fake, previous_out)

    assert code == ExitCode.MISSING_TOOL
    assert stderr == (
        f"error: PROMTOOL={fake} is not an executable file, so `promtool check rules` "
        "did not run; install it with `apt-get install prometheus` (Debian, Ubuntu) "
        "or point PROMTOOL at the binary\n"
    )
