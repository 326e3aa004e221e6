"""The generated module in prometheus-client's multiprocess mode, with real processes.

Each worker process imports the generated module with PROMETHEUS_MULTIPROC_DIR
set, records its values and exits. The test then merges their files with
MultiProcessCollector and parses the exposition, as a scrape would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families
from promspec.cli import app
from typer.testing import CliRunner

SPEC = """\
version: 1
namespace: shop
multiprocess: true
groups:
  orders:
    metrics:
      orders_total:
        type: counter
        labels:
          - outcome: enum[ok, failed]
        description: "Orders placed"
      orders_in_flight:
        type: gauge
        description: "Orders being packed; the default mode sums live processes"
      basket_size_max:
        type: gauge
        description: "Largest basket seen; the default mode takes the largest value"
      stock_level:
        type: gauge
        multiprocess_mode: liveall
        description: "Stock level seen by each process"
      packing_duration_seconds:
        type: histogram
        buckets: [1, 10]
        description: "Time to pack an order"
"""

# Worker N places N orders, packs N in flight, and sets the gauges to 10 * N.
WORKER = """\
import sys
from shop_metrics import ShopMetrics

n = int(sys.argv[1])
metrics = ShopMetrics()
metrics.orders_total.inc(n, outcome="ok")
metrics.orders_in_flight.inc(n)
metrics.basket_size_max.set(10 * n)
metrics.stock_level.set(10 * n)
metrics.packing_duration_seconds.observe(n)
print(__import__("os").getpid())
"""


def generate_module(tmp_path: Path) -> Path:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["generate", str(spec), "--out", str(tmp_path / "out"), "-q"]
    )
    assert result.exit_code == 0, result.stderr
    return tmp_path / "out" / "python"


def run_workers(module_dir: Path, multiproc_dir: Path, count: int) -> list[int]:
    """Run `count` worker processes one after another; return their pids."""
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir))
    env["PYTHONPATH"] = str(module_dir)
    pids = []
    for n in range(1, count + 1):
        done = subprocess.run(
            [sys.executable, "-c", WORKER, str(n)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        pids.append(int(done.stdout))
    return pids


def merged_samples(multiproc_dir: Path) -> dict[tuple[str, tuple[str, ...]], float]:
    """Merge the processes' files and parse the exposition: {(name, labels): value}."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(multiproc_dir))
    text = generate_latest(registry).decode("utf-8")
    return {
        (sample.name, tuple(f"{k}={v}" for k, v in sorted(sample.labels.items()))): (
            sample.value
        )
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_generated_module_passes_gauge_modes(tmp_path: Path) -> None:
    source = (generate_module(tmp_path) / "shop_metrics.py").read_text()

    assert 'multiprocess_mode="livesum"' in source
    assert 'multiprocess_mode="max"' in source
    assert 'multiprocess_mode="liveall"' in source


def test_three_processes_merge_by_gauge_mode(tmp_path: Path) -> None:
    multiproc_dir = tmp_path / "multiproc"
    multiproc_dir.mkdir()
    pids = run_workers(generate_module(tmp_path), multiproc_dir, 3)

    samples = merged_samples(multiproc_dir)

    assert samples[("shop_orders_total", ("outcome=ok",))] == 6
    assert samples[("shop_orders_total", ("outcome=failed",))] == 0
    assert samples[("shop_orders_in_flight", ())] == 6
    assert samples[("shop_basket_size_max", ())] == 30
    for n, pid in enumerate(pids, start=1):
        assert samples[("shop_stock_level", (f"pid={pid}",))] == 10 * n
    assert samples[("shop_packing_duration_seconds_bucket", ("le=1.0",))] == 1
    assert samples[("shop_packing_duration_seconds_bucket", ("le=10.0",))] == 3
    assert samples[("shop_packing_duration_seconds_sum", ())] == 6


def test_dead_process_leaves_live_gauges(tmp_path: Path) -> None:
    multiproc_dir = tmp_path / "multiproc"
    multiproc_dir.mkdir()
    pids = run_workers(generate_module(tmp_path), multiproc_dir, 3)

    multiprocess.mark_process_dead(pids[2], path=str(multiproc_dir))
    samples = merged_samples(multiproc_dir)

    assert samples[("shop_orders_in_flight", ())] == 3
    assert ("shop_stock_level", (f"pid={pids[2]}",)) not in samples
    assert samples[("shop_basket_size_max", ())] == 30
    assert samples[("shop_orders_total", ("outcome=ok",))] == 6


PID_ALERT = """\
version: 1
namespace: shop
runbook_base_url: https://runbooks.shop.example
{multiprocess}groups:
  orders:
    metrics:
      stock_level:
        type: gauge
        multiprocess_mode: liveall
        description: "Stock level seen by each process"
    alerts:
      - alert: StockLow
        expr: min by (job, pid) (shop_stock_level) < 1
        severity: info
        summary: "Process {{{{ $labels.pid }}}} of {{{{ $labels.job }}}} sees no stock"
        description: "No stock"
"""


def label_dropped(tmp_path: Path, multiprocess: str) -> list[str]:
    from promspec.analysis.run import lint_spec
    from promspec.build import load_spec

    spec = tmp_path / "spec.yaml"
    spec.write_text(PID_ALERT.format(multiprocess=multiprocess), encoding="utf-8")
    findings = lint_spec(load_spec(str(spec)))
    return [d.message for d in findings if d.check == "alerts/label-dropped"]


def test_lint_knows_pid_of_liveall_gauge(tmp_path: Path) -> None:
    assert label_dropped(tmp_path, "multiprocess: true\n") == []


def test_lint_reports_pid_without_multiprocess(tmp_path: Path) -> None:
    assert label_dropped(tmp_path, "") == [
        "$labels.pid is always empty: the expression's result has no label "
        '"pid" (it has job)'
    ]
