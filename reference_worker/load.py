"""`python -m reference_worker.load`: drive a worker on 127.0.0.1 with one scenario.

Every scenario is bounded in requests and time, and prints what it sent as
JSON on stdout, so that a test can compare it with what Prometheus recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from reference_worker.client import Client, Reply, TargetError
from reference_worker.options import bounded

ENV_PREFIX = "REFERENCE_WORKER_"
STEADY_SECONDS = (0.05, 0.1, 0.15)


@dataclass
class Summary:
    """The requests a scenario sent, and the worker's responses."""

    scenario: str
    responses: Counter[str] = field(default_factory=Counter)  # "METHOD ROUTE STATUS"
    auth: Counter[str] = field(default_factory=Counter)  # success or failure
    failure_reasons: Counter[str] = field(default_factory=Counter)
    webhooks: Counter[str] = field(default_factory=Counter)  # success or error
    steps: list[tuple[str, float]] = field(default_factory=list)  # activities enqueued
    task_body_bytes: list[int] = field(default_factory=list)
    task_ids: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self, route: str, method: str, reply: Reply, authenticated: bool = True
    ) -> None:
        """Count a response, and its authentication outcome unless the route has none."""
        with self.lock:
            self.responses[f"{method} {route} {reply.status}"] += 1
            if authenticated:
                self.auth["failure" if reply.status in (401, 429) else "success"] += 1

    def to_json(self, elapsed: float) -> dict[str, Any]:
        by_type: dict[str, list[float]] = {}
        for activity_type, seconds in self.steps:
            by_type.setdefault(activity_type, []).append(seconds)
        return {
            "scenario": self.scenario,
            "elapsed_seconds": round(elapsed, 3),
            "responses": dict(sorted(self.responses.items())),
            "auth": dict(sorted(self.auth.items())),
            "failure_reasons": dict(sorted(self.failure_reasons.items())),
            "webhooks": dict(sorted(self.webhooks.items())),
            "activities": {
                t: {"count": len(s), "mean_seconds": sum(s) / len(s)}
                for t, s in sorted(by_type.items())
            },
            "task_body_bytes_mean": _mean(self.task_body_bytes),
            **self.extra,
        }


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


class Driver:
    """Send the requests of the scenarios, and record them in the summary."""

    def __init__(self, args: argparse.Namespace, summary: Summary) -> None:
        self.args = args
        self.summary = summary
        self.client = self.new_client()

    def new_client(self) -> Client:
        return Client(
            self.args.url,
            self.args.api_key,
            self.args.jwt_secret,
            self.args.webhook_secret,
        )

    def enqueue(
        self,
        task: dict[str, Any],
        headers: dict[str, str],
        client: Client | None = None,
    ) -> Reply:
        reply = (client or self.client).enqueue(task, headers)
        self.summary.record("/api/tasks", "POST", reply)
        with self.summary.lock:
            self.summary.task_body_bytes.append(reply.sent_bytes)
            if reply.status == 202:
                self.summary.task_ids.append(reply.body["id"])
                self.summary.steps += _steps(task)
        return reply

    def status(self, headers: dict[str, str]) -> None:
        task_id = self.summary.task_ids[-1] if self.summary.task_ids else "none"
        reply = self.client.request("GET", f"/api/tasks/{task_id}", headers=headers)
        self.summary.record("/api/tasks/:id", "GET", reply)

    def webhook(self, task: dict[str, Any], valid: bool) -> None:
        reply = self.client.webhook(task, valid=valid)
        self.summary.record("/webhooks/:source", "POST", reply, authenticated=False)
        self.summary.webhooks["success" if reply.status == 202 else "error"] += 1
        if reply.status == 202:
            self.summary.steps += _steps(task)

    def fault(self, status: int) -> None:
        """Request a server error from the worker, authenticated with the API key."""
        reply = self.client.request(
            "GET", f"/api/fault/{status}", headers=self.client.api_key_headers()
        )
        self.summary.record("/api/fault/:status", "GET", reply)

    def queue_depths(self) -> dict[str, int]:
        reply = self.client.request(
            "GET", "/api/queues", headers=self.client.api_key_headers()
        )
        self.summary.record("/api/queues", "GET", reply)
        return dict(reply.body.get("queues", {}))


def _steps(task: dict[str, Any]) -> list[tuple[str, float]]:
    steps = task.get("workflow", [task])
    return [(step["activity_type"], step["seconds"]) for step in steps]


def paced(rate: float, count: int, deadline: float) -> Iterator[int]:
    """Yield tick numbers at `rate` per second, until `count` ticks or the deadline."""
    started = time.monotonic()
    for tick in range(count):
        wait = started + tick / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        if time.monotonic() > deadline:
            return
        yield tick


def is_fault(tick: int, share: float) -> bool:
    """Spread faults evenly: tick N is one when floor((N + 1) * share) > floor(N * share)."""
    return int((tick + 1) * share) > int(tick * share)


def steady(driver: Driver, args: argparse.Namespace, deadline: float) -> None:
    """Send enqueues (API key and JWT), status reads and webhooks, with one bad key in ten.

    A tick picked by `is_fault` for --error-share requests a 503 instead.
    """
    client = driver.client
    for tick in paced(args.rate, int(args.duration * args.rate), deadline):
        if is_fault(tick, args.error_share):
            driver.fault(503)
            continue
        task = {
            "queue": args.queue,
            "activity_type": "sleep",
            "seconds": STEADY_SECONDS[tick % 3],
        }
        action = tick % 10
        if action in (0, 4, 9):
            driver.enqueue(task, client.api_key_headers())
        elif action == 1:
            driver.enqueue(task, client.jwt_headers())
        elif action == 2:
            driver.status(client.api_key_headers())
        elif action == 3:
            driver.webhook(task, valid=True)
        elif action == 5:
            driver.enqueue(task, client.api_key_headers("wrong-key"))
            driver.summary.failure_reasons["invalid_credentials"] += 1
        elif action == 6:
            driver.enqueue(
                {"queue": args.queue, "workflow": [task, task]}, client.jwt_headers()
            )
        elif action == 7:
            driver.status(client.jwt_headers())
        else:
            driver.webhook(task, valid=False)


def backlog(driver: Driver, args: argparse.Namespace, deadline: float) -> None:
    """Enqueue --tasks activities at once, then wait up to --drain-timeout for the queue to empty."""
    task = {"queue": args.queue, "activity_type": "sleep", "seconds": args.seconds}

    def send(clients: dict[int, Client], index: int) -> None:
        client = clients.setdefault(threading.get_ident(), driver.new_client())
        if time.monotonic() < deadline:
            driver.enqueue(task, client.api_key_headers(), client)

    clients: dict[int, Client] = {}
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(lambda index: send(clients, index), range(args.tasks)))
    driver.summary.extra["max_depth"] = driver.queue_depths().get(args.queue, 0)
    driver.summary.extra["drained"] = wait_for_drain(driver, args, deadline)


def wait_for_drain(driver: Driver, args: argparse.Namespace, deadline: float) -> bool:
    end = min(deadline, time.monotonic() + args.drain_timeout)
    while time.monotonic() < end:
        if driver.queue_depths().get(args.queue, 0) == 0:
            return True
        time.sleep(0.5)
    return False


def auth_failure(driver: Driver, args: argparse.Namespace, deadline: float) -> None:
    """Send --count requests whose credentials fail, spread over five reasons."""
    client = driver.client
    attempts = [
        ("missing_auth", {}),
        ("invalid_credentials", client.api_key_headers("wrong-key")),
        ("invalid_format", {"Authorization": "Bearer not.a.jwt"}),
        ("expired_token", client.jwt_headers(expires_in=-60)),
        ("invalid_credentials", client.jwt_headers(secret="wrong-secret")),
    ]
    for tick in paced(args.rate, args.count, deadline):
        reason, headers = attempts[tick % len(attempts)]
        reply = client.request("GET", "/api/queues", headers=headers)
        driver.summary.record("/api/queues", "GET", reply)
        if reply.status == 401:
            driver.summary.failure_reasons[reason] += 1


def failing(driver: Driver, args: argparse.Namespace, deadline: float) -> None:
    """Enqueue --tasks activities that succeed, fail and time out in turn, then wait for them."""
    kinds = [
        {"activity_type": "sleep", "seconds": 0.05},
        {"activity_type": "fail", "seconds": 0.05},
        {"activity_type": "sleep", "seconds": 1.0, "timeout": 0.2},
    ]
    for index in range(args.tasks):
        driver.enqueue(
            {"queue": args.queue, **kinds[index % 3]}, driver.client.api_key_headers()
        )
    driver.summary.extra["states"] = wait_for_states(driver, args, deadline)


def wait_for_states(
    driver: Driver, args: argparse.Namespace, deadline: float
) -> dict[str, int]:
    """Poll every enqueued task until all have finished or --drain-timeout passes."""
    end = min(deadline, time.monotonic() + args.drain_timeout)
    states: Counter[str] = Counter()
    for task_id in driver.summary.task_ids:
        state = "queued"
        while state in ("queued", "running") and time.monotonic() < end:
            reply = driver.client.request(
                "GET", f"/api/tasks/{task_id}", headers=driver.client.api_key_headers()
            )
            driver.summary.record("/api/tasks/:id", "GET", reply)
            state = reply.body.get("state", "unknown")
            if state in ("queued", "running"):
                time.sleep(0.1)
        states[state] += 1
    return dict(sorted(states.items()))


SCENARIOS = {
    "steady": steady,
    "backlog": backlog,
    "auth-failure": auth_failure,
    "failing": failing,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference_worker.load",
        description="Drive a reference worker on 127.0.0.1 with one scenario, and print what was sent as JSON.",
    )
    add = parser.add_argument
    add("--scenario", choices=sorted(SCENARIOS), required=True)
    add(
        "--url",
        default="http://127.0.0.1:8080",
        help="the worker, on this machine only (default: %(default)s)",
    )
    add(
        "--queue",
        default="default",
        help="the task queue to fill (default: %(default)s)",
    )
    add(
        "--duration",
        type=bounded(float, 1, 300),
        default=20.0,
        help="steady: seconds of traffic (default: %(default)s)",
    )
    add(
        "--rate",
        type=bounded(float, 1, 200),
        default=20.0,
        help="steady, auth-failure: requests per second (default: %(default)s)",
    )
    add(
        "--error-share",
        type=bounded(float, 0, 1),
        default=0.0,
        help="steady: share of requests that ask for a 503 response from GET /api/fault/503 (default: %(default)s)",
    )
    add(
        "--tasks",
        type=bounded(int, 1, 5000),
        default=500,
        help="backlog, failing: tasks to enqueue (default: %(default)s)",
    )
    add(
        "--seconds",
        type=bounded(float, 0, 60),
        default=0.1,
        help="backlog: seconds each activity runs (default: %(default)s)",
    )
    add(
        "--count",
        type=bounded(int, 1, 5000),
        default=200,
        help="auth-failure: failed requests to send (default: %(default)s)",
    )
    add(
        "--concurrency",
        type=bounded(int, 1, 32),
        default=8,
        help="backlog: parallel connections (default: %(default)s)",
    )
    add(
        "--drain-timeout",
        type=bounded(float, 0, 300),
        default=120.0,
        help="backlog, failing: seconds to wait for the tasks to finish; 0 does not wait (default: %(default)s)",
    )
    add("--api-key", default=os.environ.get(ENV_PREFIX + "API_KEY"))
    add("--jwt-secret", default=os.environ.get(ENV_PREFIX + "JWT_SECRET"))
    add("--webhook-secret", default=os.environ.get(ENV_PREFIX + "WEBHOOK_SECRET"))
    return parser


def main() -> int:
    parser = build_parser()
    args = parser.parse_args()
    for option in ("api_key", "jwt_secret", "webhook_secret"):
        if not getattr(args, option):
            parser.error(
                f"missing --{option.replace('_', '-')}: pass it, or set {ENV_PREFIX}{option.upper()}"
            )
    started = time.monotonic()
    # A hard stop for every scenario: its own length, the drain wait, and a minute to spare.
    deadline = started + args.duration + args.drain_timeout + 60
    summary = Summary(args.scenario)
    try:
        SCENARIOS[args.scenario](Driver(args, summary), args, deadline)
    except TargetError as error:
        parser.error(str(error))
    except OSError as error:
        print(f"error: cannot reach the worker at {args.url}: {error}", file=sys.stderr)
        return 1
    json.dump(
        summary.to_json(time.monotonic() - started),
        sys.stdout,
        indent=2,
        sort_keys=True,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
