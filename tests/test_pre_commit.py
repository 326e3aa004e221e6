"""The pre-commit hook definitions: documented keys, and entries that run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from promspec.cli import app
from promspec.errors import ExitCode
from typer.testing import CliRunner

HOOKS_FILE = Path(__file__).resolve().parent.parent / ".pre-commit-hooks.yaml"

# The keys of a hook in .pre-commit-hooks.yaml, as pre-commit's documentation
# lists them (pre-commit.com, "Creating new hooks").
REQUIRED_KEYS = {"id", "name", "entry", "language"}
OPTIONAL_KEYS = {
    "files",
    "exclude",
    "types",
    "types_or",
    "exclude_types",
    "always_run",
    "fail_fast",
    "verbose",
    "pass_filenames",
    "require_serial",
    "description",
    "language_version",
    "minimum_pre_commit_version",
    "args",
    "stages",
}


def hooks() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(HOOKS_FILE.read_text("utf-8"))
    return loaded


def test_hooks_use_documented_keys() -> None:
    for hook in hooks():
        assert set(hook) >= REQUIRED_KEYS, hook["id"]
        assert set(hook) <= REQUIRED_KEYS | OPTIONAL_KEYS, hook["id"]
        assert hook["language"] == "python"


def test_hook_ids_are_unique() -> None:
    ids = [hook["id"] for hook in hooks()]

    assert len(ids) == len(set(ids))
    assert "promspec-check" in ids


def test_hook_patterns_match_specs_and_output() -> None:
    check = next(hook for hook in hooks() if hook["id"] == "promspec-check")
    pattern = re.compile(check["files"])

    assert pattern.search("specs/compozy.yaml")
    assert pattern.search("out/prometheus/compozy/http.rules.yml")
    assert not pattern.search("README.md")


@pytest.mark.parametrize("hook", hooks(), ids=lambda hook: hook["id"])
def test_hook_entry_passes_on_repository(
    hook: dict[str, Any], in_root: Path, promtool: str
) -> None:
    program, *args = shlex.split(hook["entry"])

    result = CliRunner().invoke(app, args)

    assert program == "promspec"
    assert result.exit_code == ExitCode.OK, result.stdout + result.stderr
