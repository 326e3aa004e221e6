"""Processes for the end-to-end tests: the reference worker and a real Prometheus.

Everything listens on 127.0.0.1 on free ports, runs in the test's temporary
folder, and is stopped in the fixture's teardown, whatever the test did.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRETS = {
    "REFERENCE_WORKER_API_KEY": "e2e-api-key",
    "REFERENCE_WORKER_JWT_SECRET": "e2e-jwt-secret",
    "REFERENCE_WORKER_WEBHOOK_SECRET": "e2e-webhook-secret",
}
START_TIMEOUT = 30.0  # seconds for a process to start serving
STOP_TIMEOUT = 30.0  # seconds for a process to exit after SIGTERM
T = TypeVar("T")


def free_port() -> int:
    """Return a port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(
    check: Callable[[], T], timeout: float, what: str, interval: float = 0.25
) -> T:
    """Poll `check` until it returns a true value; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """Return status and body of a GET, or (0, b"") when no server responds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


@dataclass
class Process:
    """A child process with its log file; `stop` sends SIGTERM, then SIGKILL."""

    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        return self.popen.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def spawn(args: list[str], log: Path, env: dict[str, str] | None = None) -> Process:
    handle = log.open("wb")
    popen = subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    handle.close()
    return Process(popen, log)


@dataclass
class Worker:
    process: Process
    port: int
    state_file: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metrics(self) -> str:
        return http_get(self.url + "/metrics")[1].decode()

    def load(self, scenario: str, *options: str) -> dict[str, Any]:
        """Run the load driver against this worker; return its JSON summary."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "reference_worker.load",
                "--scenario",
                scenario,
                "--url",
                self.url,
                *options,
            ],
            cwd=ROOT,
            env={**os.environ, **SECRETS},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
        return dict(json.loads(result.stdout))


def start_worker(folder: Path, metrics_dir: Path, *options: str) -> Worker:
    """Start `python -m reference_worker` and wait until it serves /healthz."""
    port = free_port()
    state_file = folder / "worker-state.json"
    args = [
        sys.executable,
        "-m",
        "reference_worker",
        "--port",
        str(port),
        "--state-file",
        str(state_file),
    ]
    args += ["--metrics-dir", str(metrics_dir), *options]
    process = spawn(args, folder / f"worker-{port}.log", SECRETS)
    worker = Worker(process, port, state_file)
    try:
        wait_until(
            lambda: _serving(worker), START_TIMEOUT, "the worker to serve /healthz"
        )
    except BaseException:
        process.stop()
        raise
    return worker


def _serving(worker: Worker) -> bool:
    if worker.process.popen.poll() is not None:
        pytest.fail(
            f"the worker exited with {worker.process.popen.returncode}:\n{worker.process.output()}"
        )
    return http_get(worker.url + "/healthz")[0] == 200


@dataclass
class Prometheus:
    process: Process
    port: int
    started: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def query(self, expr: str) -> list[dict[str, Any]]:
        """Run an instant query through the HTTP API; return its vector."""
        status, body = http_get(
            f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        )
        assert status == 200, f"query {expr!r} failed with {status}: {body!r}"
        return list(json.loads(body)["data"]["result"])

    def value(self, expr: str) -> float | None:
        """Return the single value of a query, or None when it returns no series."""
        result = self.query(expr)
        assert len(result) <= 1, f"{expr} returned {len(result)} series: {result}"
        return float(result[0]["value"][1]) if result else None

    def alerts(self) -> list[dict[str, Any]]:
        """Return the active alerts (pending or firing) from /api/v1/alerts."""
        status, body = http_get(f"{self.url}/api/v1/alerts")
        assert status == 200, body
        return list(json.loads(body)["data"]["alerts"])

    def alert_states(self) -> dict[str, str]:
        return {alert["labels"]["alertname"]: alert["state"] for alert in self.alerts()}


def prometheus_binary() -> str:
    path = os.environ.get("PROMETHEUS") or shutil.which("prometheus")
    if path is None:
        pytest.fail(
            "prometheus not found: run `./dev.sh setup` (installs Debian's prometheus package)"
        )
    return path


def start_prometheus(folder: Path, worker: Worker, rules: Path) -> Prometheus:
    """Start Prometheus scraping the worker every second, with the given rule files."""
    port = free_port()
    config = folder / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {rules}/*.rules.yml\n"
        "scrape_configs:\n  - job_name: reference-worker\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{worker.port}']\n"
    )
    args = [
        prometheus_binary(),
        f"--config.file={config}",
        f"--storage.tsdb.path={folder / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    process = spawn(args, folder / "prometheus.log")
    prometheus = Prometheus(process, port)
    try:
        wait_until(lambda: _ready(prometheus), START_TIMEOUT, "Prometheus to be ready")
        wait_until(
            lambda: prometheus.value('up{job="reference-worker"}') == 1,
            START_TIMEOUT,
            "the first scrape",
        )
    except BaseException:
        process.stop()
        raise
    return prometheus


def _ready(prometheus: Prometheus) -> bool:
    if prometheus.process.popen.poll() is not None:
        pytest.fail(
            f"Prometheus exited with {prometheus.process.popen.returncode}:\n{prometheus.process.output()}"
        )
    return http_get(prometheus.url + "/-/ready")[0] == 200


def settle(prometheus: Prometheus) -> None:
    """Wait for three scrapes and evaluations after the load, so that rules see all of it."""
    before = prometheus.value("max(timestamp(up))") or 0
    wait_until(
        lambda: (prometheus.value("max(timestamp(up))") or 0) >= before + 3,
        30,
        "three more scrapes",
    )


@dataclass
class Stack:
    worker: Worker
    prometheus: Prometheus
