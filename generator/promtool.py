"""promtool, run as a subprocess to validate the generated rule files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

from promspec.errors import ToolError

INSTALL_HINT = "install it with `apt-get install prometheus` (Debian, Ubuntu) or point PROMTOOL at the binary"
TIMEOUT_SECONDS = 120
# Prometheus 2.33 made the `@` modifier and negative offsets stable. promspec's
# PromQL parser accepts both, so an older promtool would reject expressions
# that the lint passed, and its error would blame a valid spec.
MINIMUM_VERSION = (2, 33, 0)
_VERSION = re.compile(r"\bversion (\d+)\.(\d+)\.(\d+)")


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
        raise ToolError(
            f"PROMTOOL={named} is not an executable file, so `promtool check rules` "
            f"did not run; {INSTALL_HINT}"
        )
    return path


def check_rules(promtool: str, rule_files: list[Path]) -> PromtoolResult:
    """Run `promtool check rules` on the files; a crash or time-out raises ToolError.

    promtool checks files one after another on one core, so many files are
    split into contiguous batches, one per core, and the batches run at once.
    The version check runs beside them, so it adds no waiting.
    """
    paths = [str(path) for path in rule_files]
    cores = min(os.cpu_count() or 1, -(-len(paths) // _MIN_BATCH))
    commands = [
        [promtool, "check", "rules", *batch] for batch in _batches(paths, cores)
    ]
    results = _run_all([[promtool, "--version"], *commands])
    check_version(promtool, results[0])
    output = "\n".join(result.output for result in results[1:] if result.output)
    return PromtoolResult(all(result.ok for result in results[1:]), output)


def _run_all(commands: list[list[str]]) -> list[PromtoolResult]:
    """Run the commands at once, one thread each; raise the first command's error first.

    Threads from `threading`, because `concurrent.futures` imports `logging`,
    which would add a few milliseconds to every run.
    """
    import threading

    outcomes: list[PromtoolResult | ToolError | None] = [None] * len(commands)

    def run(index: int) -> None:
        try:
            outcomes[index] = _run(commands[index])
        except ToolError as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(commands))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [_result(outcome) for outcome in outcomes]


def _result(outcome: PromtoolResult | ToolError | None) -> PromtoolResult:
    if isinstance(outcome, ToolError):
        raise outcome
    assert outcome is not None  # every thread stores a result or a ToolError
    return outcome


def test_rules(promtool: str, test_files: list[Path]) -> PromtoolResult:
    """Run `promtool test rules` on the files; a crash or time-out raises ToolError.

    The files run in one batch per core, balanced by size: an SLO's tests
    evaluate its rules over days and take far longer than a group's.
    """
    batches = _balanced(test_files, os.cpu_count() or 1)
    results = _run_all(
        [
            [promtool, "test", "rules", *(str(path) for path in batch)]
            for batch in batches
        ]
    )
    output = "\n".join(result.output for result in results if result.output)
    return PromtoolResult(all(result.ok for result in results), output)


def _balanced(paths: list[Path], count: int) -> list[list[Path]]:
    """Split paths into at most `count` batches of about equal total size."""
    batches: list[list[Path]] = [[] for _ in range(max(1, min(count, len(paths))))]
    totals = [0] * len(batches)
    sizes = {path: path.stat().st_size for path in paths}
    for path in sorted(paths, key=lambda p: -sizes[p]):
        smallest = totals.index(min(totals))
        batches[smallest].append(path)
        totals[smallest] += sizes[path]
    return [sorted(batch) for batch in batches if batch]


def identity(promtool: str) -> str:
    """Describe the promtool binary: a different binary gives a different text."""
    real = os.path.realpath(promtool)
    status = os.stat(real)
    return f"{real}:{status.st_size}:{status.st_mtime_ns}"


# Below this many files per batch, starting another promtool costs more than
# it saves.
_MIN_BATCH = 20


def check_version(promtool: str, result: PromtoolResult) -> None:
    """Raise ToolError unless `promtool --version` printed MINIMUM_VERSION or newer."""
    first_line = result.output.splitlines()[0] if result.output else ""
    match = _VERSION.search(first_line)
    if not result.ok or match is None:
        raise ToolError(
            f"cannot read the version of {promtool}: `promtool --version` printed "
            f"{first_line or 'nothing'!r}; {INSTALL_HINT}"
        )
    found = tuple(int(part) for part in match.groups())
    if found < MINIMUM_VERSION:
        raise ToolError(
            f"{promtool} is version {_dotted(found)}, older than {_dotted(MINIMUM_VERSION)}, "
            "the oldest that parses the PromQL promspec accepts; install a newer "
            "prometheus package or point PROMTOOL at a newer promtool"
        )


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


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
        printed = f": {output[-2000:]}" if output else " and printed nothing"
        raise ToolError(
            f"{command[0]} failed with exit code {completed.returncode}{printed}"
        )
    return PromtoolResult(completed.returncode == 0, output)
