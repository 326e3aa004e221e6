"""The reference worker as a process: its API, webhooks, metrics and shutdown."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import ROOT, SECRETS, Worker, http_get, start_worker, wait_until
from prometheus_client.parser import text_string_to_metric_families

from reference_worker.client import Client


@pytest.fixture
def worker(tmp_path: Path, generated: Path) -> Iterator[Worker]:
    worker = start_worker(
        tmp_path, generated / "python", "--max-activities", "1", "--grace", "0.3"
    )
    yield worker
    worker.process.stop()


def client(worker: Worker) -> Client:
    return Client(worker.url, *SECRETS.values())


def sample(worker: Worker, name: str, labels: dict[str, str]) -> float | None:
    for family in text_string_to_metric_families(worker.metrics()):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return None


def wait_for_state(
    api: Client, task_id: str, states: tuple[str, ...], timeout: float = 30
) -> str:
    def state() -> str:
        reply = api.request(
            "GET", f"/api/tasks/{task_id}", headers=api.api_key_headers()
        )
        return str(reply.body.get("state")) if reply.body.get("state") in states else ""

    return wait_until(state, timeout, f"task {task_id} to reach {', '.join(states)}")


def test_failing_activities_by_outcome(worker: Worker) -> None:
    sent = worker.load("failing", "--tasks", "9")

    assert sent["states"] == {"failed": 3, "succeeded": 3, "timed_out": 3}
    for activity_type, outcome in (
        ("sleep", "success"),
        ("fail", "error"),
        ("sleep", "timeout"),
    ):
        labels = {"activity_type": activity_type, "outcome": outcome}
        assert (
            sample(worker, "compozy_worker_activity_duration_seconds_count", labels)
            == 3
        )


def test_route_templates_label_path(worker: Worker) -> None:
    api = client(worker)
    task = api.enqueue({"activity_type": "sleep", "seconds": 0}, api.api_key_headers())
    api.request("GET", f"/api/tasks/{task.body['id']}", headers=api.api_key_headers())
    api.request("GET", "/no/such/route")
    api.request("DELETE", "/api/tasks")

    def count(method: str, path: str, status: str) -> float | None:
        labels = {"method": method, "path": path, "status_code": status}
        return sample(worker, "compozy_http_requests_total", labels)

    assert (
        wait_until(
            lambda: count("GET", "/api/tasks/:id", "200"), 10, "the status request"
        )
        == 1
    )
    assert count("POST", "/api/tasks", "202") == 1
    assert count("GET", "/(unmatched)", "404") is None
    assert count("GET", "(unmatched)", "404") == 1
    assert count("DELETE", "/api/tasks", "405") == 1


def test_webhooks_counted_by_outcome(worker: Worker) -> None:
    api = client(worker)
    task = {"activity_type": "sleep", "seconds": 0}

    accepted = api.webhook(task)
    forged = api.webhook(task, valid=False)
    unknown_source = api.webhook(task, source="elsewhere")

    assert accepted.status == 202
    assert wait_for_state(api, accepted.body["task"], ("succeeded",)) == "succeeded"
    assert forged.status == 401
    assert unknown_source.status == 404
    success = {"event_type": "task.requested", "outcome": "success"}
    error = {"event_type": "unknown", "outcome": "error"}
    assert sample(worker, "compozy_webhook_events_total", success) == 1
    assert sample(worker, "compozy_webhook_events_total", error) == 1
    assert sample(worker, "compozy_webhook_queue_depth", {}) == 0


def test_invalid_task_is_rejected_with_fix(worker: Worker) -> None:
    api = client(worker)

    reply = api.enqueue({"activity_type": "dance"}, api.api_key_headers())

    assert reply.status == 400
    assert reply.body == {
        "error": "invalid activity_type 'dance': use one of sleep, fail"
    }


def test_sigterm_requeues_and_restart_runs_all(worker: Worker, generated: Path) -> None:
    api = client(worker)
    long = api.enqueue(
        {"activity_type": "sleep", "seconds": 2}, api.api_key_headers()
    ).body["id"]
    waiting = [
        api.enqueue(
            {"activity_type": "sleep", "seconds": 0.1}, api.api_key_headers()
        ).body["id"]
        for _ in range(3)
    ]
    wait_for_state(api, long, ("running",))

    assert worker.process.stop() == 0
    saved = json.loads(worker.state_file.read_text())["tasks"]
    assert [task["id"] for task in saved] == [long, *waiting]
    assert f"requeued task {long}" in worker.process.output()

    restarted = start_worker(worker.state_file.parent, generated / "python")
    try:
        api = client(restarted)
        for task_id in [long, *waiting]:
            assert wait_for_state(api, task_id, ("succeeded",)) == "succeeded"
    finally:
        assert restarted.process.stop() == 0
    assert json.loads(worker.state_file.read_text())["tasks"] == []


def test_shutdown_rejects_new_tasks(tmp_path: Path, generated: Path) -> None:
    # The running task takes the only slot and outlasts the 5s grace, so the
    # worker stays up that long, and a task accepted after it can only wait.
    worker = start_worker(
        tmp_path, generated / "python", "--grace", "5", "--max-activities", "1"
    )
    api = client(worker)
    accepted = [
        api.enqueue({"activity_type": "sleep", "seconds": 30}, api.api_key_headers())
    ]
    try:
        worker.process.popen.terminate()

        def rejected() -> bool:
            reply = api.enqueue(
                {"activity_type": "sleep", "seconds": 0}, api.api_key_headers()
            )
            accepted.append(reply)
            return reply.status == 503

        assert wait_until(rejected, 4, "the worker to reject new tasks")
    finally:
        assert worker.process.stop() == 0
    saved = json.loads(worker.state_file.read_text())["tasks"]
    # Tasks accepted before the signal was handled are kept, like the running one.
    assert [task["id"] for task in saved] == [
        r.body["id"] for r in accepted if r.status == 202
    ]


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_worker_without_secrets_names_fix() -> None:
    result = run_module(
        "reference_worker", "--port", "0", "--api-key", "k", "--jwt-secret", "s"
    )

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "python -m reference_worker: error: missing --webhook-secret: pass it, "
        "or set REFERENCE_WORKER_WEBHOOK_SECRET"
    )


def test_load_driver_rejects_remote_url() -> None:
    result = run_module(
        "reference_worker.load",
        "--scenario",
        "steady",
        "--url",
        "http://192.0.2.1:8080",
        "--api-key",
        "k",
        "--jwt-secret",
        "s",
        "--webhook-secret",
        "w",
    )

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "python -m reference_worker.load: error: invalid --url 'http://192.0.2.1:8080': "
        "the load driver only targets http://127.0.0.1:PORT"
    )


def test_healthz_needs_no_credentials(worker: Worker) -> None:
    assert http_get(worker.url + "/healthz") == (200, b'{"status": "ok"}\n')
