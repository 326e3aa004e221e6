"""Process-level timings of the `promspec` command against its import floors, by hyperfine.

Every command runs through `/usr/bin/env`, so that each one gets its own
environment and all of them pay the same exec. promtool is replaced by a
script that exits 0, or hidden from PATH; both variants are listed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PROMSPEC = VENV_BIN / "promspec"

# A stand-in for promtool that accepts every rule file, to time promspec alone.
# It prints a version, because promspec rejects a promtool older than 2.33.
NO_OP_PROMTOOL = "#!/bin/sh\necho 'promtool, version 2.42.0'\nexit 0\n"


def commands(scratch: Path) -> dict[str, str]:
    """Return {name: command line} for every timed command."""
    python = sys.executable
    no_op = scratch / "promtool"
    no_op.write_text(NO_OP_PROMTOOL)
    no_op.chmod(0o755)
    out_copy = scratch / "out"
    shutil.copytree(ROOT / "out", out_copy)
    with_no_op = f"env PROMTOOL={no_op}"
    without = "env -u PROMTOOL PATH=/nonexistent"
    return {
        "import typer": f"env {python} -c 'import typer'",
        "promspec --help": f"env {PROMSPEC} --help",
        "import typer, yaml, jinja2": f"env {python} -c 'import typer, yaml, jinja2'",
        "promspec check, no-op promtool": f"{with_no_op} {PROMSPEC} check -q",
        "promspec generate, no-op promtool": f"{with_no_op} {PROMSPEC} generate -q --out {out_copy}",
        "promspec check, promtool missing": f"{without} {PROMSPEC} check -q",
        "promspec generate, promtool missing": f"{without} {PROMSPEC} generate -q --out {out_copy}",
    }


def run_hyperfine(rounds: int = 5, runs: int = 10) -> list[dict[str, float]]:
    """Time every command in `rounds` hyperfine runs; return each round's medians.

    Commands are timed one after another within a round, so a ratio taken
    within each round, then the median of those, suffers less from a change
    of load on the machine than one long run would.
    """
    if shutil.which("hyperfine") is None:
        raise SystemExit(
            "hyperfine not found: the command's benchmarks need it; "
            "install it with `apt-get install hyperfine`"
        )
    with tempfile.TemporaryDirectory(prefix="promspec-bench-") as folder:
        scratch = Path(folder)
        named = commands(scratch)
        return [_hyperfine_round(named, scratch, runs) for _ in range(rounds)]


def _hyperfine_round(
    named: dict[str, str], scratch: Path, runs: int
) -> dict[str, float]:
    export = scratch / "hyperfine.json"
    argv = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs)]
    argv += ["--export-json", str(export), "--style", "basic"]
    for name, command in named.items():
        argv += ["--command-name", name, command]
    subprocess.run(argv, cwd=ROOT, env=_environment(), check=True, stdout=sys.stderr)
    results = json.loads(export.read_text())["results"]
    return {str(result["command"]): float(result["median"]) for result in results}


def _environment() -> dict[str, str]:
    # pip compiles installed packages to bytecode, but an editable install's
    # source is compiled on each run while PYTHONDONTWRITEBYTECODE is set.
    # Without it, the warm-up runs write promspec's bytecode, as an install does.
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


if __name__ == "__main__":
    for name, median in run_hyperfine(rounds=1, runs=30)[0].items():
        print(f"{name:40s} median {median * 1000:7.1f} ms")
