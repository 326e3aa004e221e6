"""Hostile YAML stops with a clear, placed error, within a fixed memory budget.

Each file runs through the real `promspec generate` in a subprocess whose
address space is capped, so a reader that built the whole expansion would
fail with MemoryError (an internal error) instead of the expected message.
The other hostile kinds (tags, tabs, non-UTF-8, an empty file, a list where a
mapping belongs) are specs in specs/bad/ with their exact messages.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from promspec.errors import ExitCode

PROMSPEC = str(Path(sys.executable).parent / "promspec")
MEMORY_LIMIT = 768 * 1024 * 1024  # bytes of address space for the whole process


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def alias_bomb() -> str:
    """Return nine levels of ten aliases each: 10**9 values once expanded."""
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 10):
        items = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{items}]")
    return "\n".join(lines) + "\n"


def flow_list() -> str:
    """Return just under 10 MB of one list of one-letter items: 5 million values."""
    return "x: [" + "a," * (5 * 1024 * 1024 - 8) + "a]\n"


def nested_lines() -> str:
    """Return lines of 60 nested one-item lists each: 4.8 million values."""
    return ("- " * 60 + "a\n") * 80_000


def deep_brackets() -> str:
    return "x: " + "[" * 100_000 + "]" * 100_000 + "\n"


def run_limited(text: str, tmp_path: Path) -> tuple[int, str]:
    spec = tmp_path / "hostile.yaml"
    spec.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [PROMSPEC, "generate", str(spec), "--out", str(tmp_path / "out")],
        preexec_fn=limit_memory,
        capture_output=True,
        text=True,
        timeout=120,  # a guard against a hang, far above the few seconds it takes
        check=False,
    )
    return done.returncode, done.stderr.replace(str(spec), "hostile.yaml")


CASES: list[tuple[Callable[[], str], str]] = [
    (
        alias_bomb,
        "hostile.yaml:1:55: error: l5[7][8][8][8][8][9]: the spec expands to "
        "more than 1,000,000 values\n"
        "  fix: remove the aliases (*name) that repeat large parts of the file, or "
        "split it into several specs\n",
    ),
    (
        flow_list,
        "hostile.yaml:1:1999997: error: (file): the spec contains more than 1,000,000 values\n"
        "  fix: split it into several specs\n",
    ),
    (
        nested_lines,
        "hostile.yaml:8404:85: error: (file): the spec contains more than 1,000,000 values\n"
        "  fix: split it into several specs\n",
    ),
    (
        deep_brackets,
        "hostile.yaml:1:1003: error: (file): invalid YAML: exceeded maximum nesting "
        "depth (while increasing flow level)\n"
        "  fix: flatten the structure; no field of a spec nests this deep\n",
    ),
]


@pytest.mark.parametrize(
    ("make", "expected"), CASES, ids=[make.__name__ for make, _ in CASES]
)
def test_hostile_yaml_bounded(
    make: Callable[[], str], expected: str, tmp_path: Path
) -> None:
    code, stderr = run_limited(make(), tmp_path)

    assert code == ExitCode.INVALID_SPEC
    assert stderr == expected + "1 error found; nothing was written\n"
    assert not (tmp_path / "out").exists()


def test_file_over_ten_megabytes(tmp_path: Path) -> None:
    code, stderr = run_limited("# padding\n" * 1_100_000, tmp_path)

    assert code == ExitCode.INVALID_SPEC
    assert stderr == (
        "hostile.yaml:1:1: error: (file): the spec is larger than 10,485,760 bytes\n"
        "  fix: split it into several specs\n"
        "1 error found; nothing was written\n"
    )
