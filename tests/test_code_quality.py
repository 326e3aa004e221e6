"""promspec's own code passes the linters it requires of the module it generates."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed: run `./dev.sh setup`")
    return str(path)


def test_ruff_check_passes() -> None:
    result = subprocess.run(
        [tool("ruff"), "check", "generator", "tests", "reference_worker"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [tool("ruff"), "format", "--check", "generator", "tests", "reference_worker"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes(tmp_path: Path) -> None:
    # mypy cannot follow the editable install's mapping of `promspec` onto
    # generator/, so it reads the package through a link with the import name.
    (tmp_path / "promspec").symlink_to(ROOT / "generator", target_is_directory=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")

    result = subprocess.run(
        [tool("mypy"), "--strict", "--no-incremental", "-p", "promspec"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout + result.stderr
