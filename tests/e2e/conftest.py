"""Fixtures of the end-to-end tests: the generated output, and worker plus Prometheus stacks."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from harness import BIN, ROOT, Process, Stack, start_prometheus, start_worker


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
def stack_factory(tmp_path: Path, generated: Path) -> Iterator[Callable[..., Stack]]:
    """Return a function that starts a worker with the given options and a Prometheus for it."""
    started: list[Process] = []

    def start(*worker_options: str) -> Stack:
        worker = start_worker(tmp_path, generated / "python", *worker_options)
        started.append(worker.process)
        prometheus = start_prometheus(
            tmp_path, worker, generated / "prometheus" / "compozy"
        )
        started.append(prometheus.process)
        return Stack(worker, prometheus)

    yield start
    for process in reversed(started):
        process.stop()
