"""Shell completion through typer: the script installs, and words complete."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROMSPEC = Path(sys.executable).parent / "promspec"


def complete(words: str, cword: int) -> list[str]:
    """Return the words that bash completion offers for a command line."""
    env = {
        **os.environ,
        "_PROMSPEC_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    result = subprocess.run(
        [str(PROMSPEC)], env=env, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_commands_complete() -> None:
    offered = complete("promspec ", 1)

    for command in ("generate", "check", "lint", "diff", "init", "schema"):
        assert command in offered


def test_command_prefix_completes() -> None:
    assert complete("promspec di", 1) == ["diff"]


def test_format_values_complete() -> None:
    assert complete("promspec check --format ", 3) == ["text", "json", "github"]


def test_bash_script_is_valid() -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.fail("bash is not installed; completion needs a shell to test")
    script = subprocess.run(
        [str(PROMSPEC), "--show-completion", "bash"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "SHELL": bash},
    )

    checked = subprocess.run(
        [bash, "-n"], input=script.stdout, capture_output=True, text=True, timeout=30
    )

    assert script.returncode == 0, script.stderr
    assert "_PROMSPEC_COMPLETE=complete_bash" in script.stdout
    assert checked.returncode == 0, checked.stderr
