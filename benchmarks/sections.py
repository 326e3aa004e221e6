"""One function per group of benchmarks: run it, then turn its figures into rows."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from prometheus_client import generate_latest

from benchmarks.paired import paired_ratio
from benchmarks.report import Row

HERE = Path(__file__).resolve().parent
AUTOMETRICS_VENV = Path(os.environ.get("TMPDIR", "/tmp")) / "promspec-bench-autometrics"


def run_pyperf(
    script: str,
    scratch: Path,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
) -> dict[str, float]:
    """Run a pyperf script in fast mode; return {benchmark name: median seconds}."""
    import pyperf

    output = scratch / f"{Path(script).stem}.json"
    command = [python, str(HERE / script), "--fast", "--quiet", "-o", str(output)]
    subprocess.run(command, check=True, env=env, stdout=sys.stderr)
    suite = pyperf.BenchmarkSuite.load(str(output))
    return {bench.get_name(): bench.median() for bench in suite.get_benchmarks()}


def _ns(seconds: float) -> str:
    return f"{seconds * 1e9:.0f} ns"


def hot_path(scratch: Path) -> list[Row]:
    """Time one recording call through the generated API and through prometheus-client."""
    from benchmarks.hot_path import CASES, namespace

    medians = run_pyperf("hot_path.py", scratch)
    statements = dict(CASES)
    names = namespace()
    rows = []
    for call in ("counter inc", "histogram observe", "gauge set"):
        what = f"{call}, two enum labels, generated API"
        for way, target in (("bound child", 1.25), ("labels()", 0.5)):
            rows.append(_hot_row(what, call, way, target, medians, statements, names))
    what = "counter inc, one string label, generated API"
    rows.append(
        _hot_row(what, "string label inc", "labels()", 1.1, medians, statements, names)
    )
    return rows


def _hot_row(
    what: str,
    call: str,
    way: str,
    target: float,
    medians: dict[str, float],
    statements: dict[str, str],
    names: dict[str, object],
) -> Row:
    generated, other = f"{call}: generated", f"{call}: {way}"
    ratio = paired_ratio(statements[generated], statements[other], names)
    compared = f"{way}, {_ns(medians[other])}"
    return Row(what, _ns(medians[generated]), compared, ratio, target)


def exposition(scratch: Path) -> list[Row]:
    """Time generate_latest on 10,000 series of the generated module and of plain code."""
    from benchmarks.exposition import generated_registry, plain_registry

    medians = run_pyperf("exposition.py", scratch)
    generated = medians["exposition 10k series: generated"]
    plain = medians["exposition 10k series: plain"]
    names = {
        "generated": generated_registry(),
        "plain": plain_registry(),
        "generate_latest": generate_latest,
    }
    ratio = paired_ratio(
        "generate_latest(generated)", "generate_latest(plain)", names, 21, 5
    )
    figure = f"{generated * 1e3:.1f} ms"
    compared = f"plain registry, {plain * 1e3:.1f} ms"
    what = "generate_latest, 10,000 series, generated module"
    return [Row(what, figure, compared, ratio, 1.05)]


def cli(scratch: Path) -> list[Row]:
    """Time the command against the import of its own dependencies."""
    from benchmarks.cli import run_hyperfine

    rounds = run_hyperfine()
    rows = [_cli_row("promspec --help", rounds, "import typer", 1.3)]
    for command in ("check", "generate"):
        for promtool in ("no-op promtool", "promtool missing"):
            name = f"promspec {command}, {promtool}"
            rows.append(_cli_row(name, rounds, "import typer, yaml, jinja2", 1.5))
    return rows


def _cli_row(
    name: str, rounds: list[dict[str, float]], floor: str, target: float
) -> Row:
    measured = statistics.median(medians[name] for medians in rounds)
    floor_time = statistics.median(medians[floor] for medians in rounds)
    ratio = statistics.median(medians[name] / medians[floor] for medians in rounds)
    compared = f"`python -c '{floor}'`, {floor_time * 1e3:.1f} ms"
    return Row(f"`{name}`", f"{measured * 1e3:.1f} ms", compared, ratio, target)


def scale(scratch: Path) -> list[Row]:
    """Time `promspec generate` on synthetic specs of 1,000 and 10,000 metrics."""
    from benchmarks.scale import measure

    small = measure(1_000, runs=3)
    large = measure(10_000, runs=3)
    what = "`promspec generate`, 10,000 metrics in 200 groups"
    seconds = f"{large.seconds:.2f} s"
    return [
        Row(f"{what}: time", seconds, target=10, value=large.seconds),
        Row(
            f"{what}: peak RSS",
            f"{large.peak_rss_mib:.0f} MiB",
            target=400,
            value=large.peak_rss_mib,
        ),
        Row(
            f"{what}: time against 1,000 metrics",
            seconds,
            f"1,000 metrics in 20 groups, {small.seconds:.2f} s",
            large.seconds / small.seconds,
            12,
        ),
    ]


def autometrics(scratch: Path) -> list[Row]:
    """Time the autometrics decorator beside the generated module, for the record."""
    python = _autometrics_python()
    if python is None:
        return [Row("autometrics decorator", "skipped: autometrics did not install")]
    module = scratch / "bench_metrics.py"
    module.write_text(_bench_module_source())
    env = {**os.environ, "BENCH_MODULE": str(module)}
    medians = run_pyperf("autometrics_cost.py", scratch, python, env)
    empty = medians["call: empty function"]
    decorated = medians["call: autometrics"]
    generated = medians["call: generated module"]
    compared = f"generated module, {_ns(generated)}; empty function, {_ns(empty)}"
    what = "one call counted and timed by autometrics"
    return [Row(what, _ns(decorated), compared, decorated / generated)]


def _autometrics_python() -> str | None:
    """Return the Python of a virtual environment with autometrics, made on first use."""
    python = str(AUTOMETRICS_VENV / "bin" / "python")
    if not Path(python).exists():
        subprocess.run(
            [sys.executable, "-m", "venv", str(AUTOMETRICS_VENV)], check=True
        )
    if _imports(python, "autometrics, pyperf"):
        return python
    subprocess.run([python, "-m", "pip", "install", "-q", "autometrics", "pyperf"])
    return python if _imports(python, "autometrics, pyperf") else None


def _imports(python: str, modules: str) -> bool:
    return subprocess.run([python, "-c", f"import {modules}"]).returncode == 0


def _bench_module_source() -> str:
    from promspec.build import load_spec
    from promspec.render_module import render_module

    from benchmarks.generated import BENCH_SPEC

    ((_, source),) = render_module(load_spec(str(BENCH_SPEC))).items()
    return source
