"""promtool, run as a subprocess to validate the generated rule files."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

from promspec.errors import ToolError

INSTALL_HINT = "install it with `apt-get install prometheus` (Debian, Ubuntu) or point PROMTOOL at the binary"
TIMEOUT_SECONDS = 120


class PromtoolResult(NamedTuple):
    ok: bool
    output: str  # promtool's stdout and stderr, as printed


def find_promtool() -> str | None:
    """Return the promtool to run: $PROMTOOL when set, else the one on PATH, else None."""
    named = os.environ.get("PROMTOOL")
    if not named:
        return shutil.which("promtool")
    path = shutil.which(named)
    if path is None:
        raise ToolError(f"PROMTOOL={named} is not an executable file; {INSTALL_HINT}")
    return path


def check_rules(promtool: str, rule_files: list[Path]) -> PromtoolResult:
    """Run `promtool check rules` on the files; a crash or time-out raises ToolError.

    promtool checks files one after another on one core, so many files are
    split into contiguous batches, one per core, and the batches run at once.
    """
    paths = [str(path) for path in rule_files]
    cores = min(os.cpu_count() or 1, -(-len(paths) // _MIN_BATCH))
    batches = _batches(paths, cores)
    commands = [[promtool, "check", "rules", *batch] for batch in batches]
    if len(commands) == 1:
        return _run(commands[0])
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(commands)) as pool:
        results = list(pool.map(_run, commands))
    output = "\n".join(result.output for result in results if result.output)
    return PromtoolResult(all(result.ok for result in results), output)


def test_rules(promtool: str, test_files: list[Path]) -> PromtoolResult:
    """Run `promtool test rules` on the files; a crash or time-out raises ToolError."""
    return _run([promtool, "test", "rules", *(str(path) for path in test_files)])


# Below this many files per batch, starting another promtool costs more than
# it saves.
_MIN_BATCH = 20


def _batches(items: list[str], count: int) -> list[list[str]]:
    """Split `items` into at most `count` contiguous batches of nearly equal size."""
    size = max(1, -(-len(items) // max(1, count)))
    return [items[start : start + size] for start in range(0, len(items), size)] or [[]]


def _run(command: list[str]) -> PromtoolResult:
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(
            f"`{' '.join(command[:3])}` timed out after {TIMEOUT_SECONDS} s"
        ) from None
    except OSError as error:
        raise ToolError(
            f"cannot run {command[0]}: {error.strerror}; {INSTALL_HINT}"
        ) from None
    output = (completed.stdout + completed.stderr).strip()
    if completed.returncode not in (0, 1):
        raise ToolError(
            f"{command[0]} failed with exit code {completed.returncode}: {output[-2000:]}"
        )
    return PromtoolResult(completed.returncode == 0, output)
