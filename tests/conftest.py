"""Shared fixtures: the repository root, promtool, and the golden-file flag."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the expected-output folders and messages from the current output",
    )


@pytest.fixture(autouse=True, scope="session")
def test_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep promspec's cache of passed rule tests inside the session's temporary folder."""
    folder = tmp_path_factory.mktemp("promspec-cache")
    os.environ["PROMSPEC_CACHE_DIR"] = str(folder)
    return folder


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def promtool() -> str:
    """Return promtool's path; the suite needs it, so its absence is a failure."""
    path = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if path is None:
        pytest.fail(
            "promtool not found: run `./dev.sh setup` (installs Debian's prometheus package)"
        )
    return path


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test from the repository root, as a user runs promspec."""
    monkeypatch.chdir(ROOT)
    return ROOT
