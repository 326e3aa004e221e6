"""Time and peak memory of `promspec generate` on synthetic specs of growing size.

Each run is a separate process, checked by the real promtool, so the time
includes promtool and the peak RSS is that of the largest process in the
run (promspec's own, in practice).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.synthetic_spec import synthetic_spec

PROMSPEC = Path(sys.executable).parent / "promspec"
METRICS_PER_GROUP = 50


@dataclass(frozen=True)
class ScaleRun:
    """The median time and the maximum peak RSS of `promspec generate` at one size."""

    metrics: int
    seconds: float
    peak_rss_mib: float
    runs: int


def measure(metrics: int, runs: int) -> ScaleRun:
    """Generate a spec of `metrics` metrics `runs` times, each into an empty folder."""
    if shutil.which("promtool") is None and not os.environ.get("PROMTOOL"):
        raise SystemExit("promtool not found: the scale benchmark checks its output")
    with tempfile.TemporaryDirectory(prefix="promspec-scale-") as folder:
        spec = Path(folder) / "synthetic.yaml"
        groups = max(1, metrics // METRICS_PER_GROUP)
        spec.write_text(synthetic_spec(metrics, groups))
        samples = [_generate(spec, Path(folder) / f"out{run}") for run in range(runs)]
    seconds = statistics.median(sample[0] for sample in samples)
    peak = max(sample[1] for sample in samples)
    return ScaleRun(metrics, seconds, peak, runs)


def _generate(spec: Path, out: Path) -> tuple[float, float]:
    """Run one generation; return its wall time in seconds and peak RSS in MiB."""
    command = [str(PROMSPEC), "generate", "-q", "--require-promtool", str(spec)]
    start = time.perf_counter()
    process = subprocess.Popen([*command, "--out", str(out)], stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed with {process.returncode}")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


if __name__ == "__main__":
    for size, count in ((1_000, 3), (10_000, 3)):
        run = measure(size, count)
        print(
            f"{run.metrics:6d} metrics: {run.seconds:.2f} s, {run.peak_rss_mib:.0f} MiB"
        )
