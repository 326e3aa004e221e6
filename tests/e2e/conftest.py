"""Fixtures of the end-to-end tests: the generated output, and worker plus Prometheus stacks."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from harness import (
    BIN,
    ROOT,
    Process,
    Prometheus,
    Stack,
    Worker,
    start_prometheus,
    start_worker,
)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generate the shipped spec's output with every alert `for` capped at 5s."""
    out = tmp_path_factory.mktemp("generated") / "out"
    result = subprocess.run(
        [
            str(BIN / "promspec"),
            "generate",
            "specs/compozy.yaml",
            "--out",
            str(out),
            "--alert-for",
            "5s",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Collect the processes a test starts, and stop them, the last one first."""
    started: list[Process] = []
    yield started
    for process in reversed(started):
        process.stop()


@pytest.fixture
def worker_factory(
    tmp_path: Path, generated: Path, processes: list[Process]
) -> Callable[..., Worker]:
    """Return a function that starts a worker with the given options."""

    def start(*worker_options: str) -> Worker:
        worker = start_worker(tmp_path, generated / "python", *worker_options)
        processes.append(worker.process)
        return worker

    return start


@pytest.fixture
def prometheus_factory(
    tmp_path: Path, generated: Path, processes: list[Process]
) -> Callable[[Worker], Prometheus]:
    """Return a function that starts a Prometheus, with its own folder, scraping a worker."""

    def start(worker: Worker) -> Prometheus:
        folder = tmp_path / f"prometheus-{len(processes)}"
        folder.mkdir()
        rules = generated / "prometheus" / "compozy"
        prometheus = start_prometheus(folder, worker, rules)
        processes.append(prometheus.process)
        return prometheus

    return start


@pytest.fixture
def stack_factory(
    worker_factory: Callable[..., Worker],
    prometheus_factory: Callable[[Worker], Prometheus],
) -> Callable[..., Stack]:
    """Return a function that starts a worker with the given options and a Prometheus for it."""

    def start(*worker_options: str) -> Stack:
        worker = worker_factory(*worker_options)
        return Stack(worker, prometheus_factory(worker))

    return start
