"""The reference worker's parts in-process: task parsing, routes, queues, scheduler."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from reference_worker.app import App, Request
from reference_worker.load import is_fault
from reference_worker.logs import ThrottledLog
from reference_worker.metrics import DEFAULT_FOLDER, load_metrics
from reference_worker.queues import TaskQueues
from reference_worker.routes import find_route
from reference_worker.scheduler import Scheduler
from reference_worker.tasks import InvalidTask, Step, Task, TaskStore, parse_task

QUEUES = ["default", "emails"]


def task(kind: str = "activity", queue: str = "default", *steps: Step) -> Task:
    return Task(
        f"{kind}-{queue}-{time.monotonic_ns()}",
        queue,
        kind,
        list(steps) or [Step("sleep", 0)],
        5,
    )


def test_parse_activity() -> None:
    parsed = parse_task({"activity_type": "fail", "seconds": 1}, QUEUES, 30, "api")

    assert (parsed.queue, parsed.kind, parsed.timeout) == ("default", "activity", 30)
    assert parsed.steps == [Step("fail", 1.0)]


def test_parse_workflow() -> None:
    body = {
        "queue": "emails",
        "timeout": 2,
        "workflow": [{"activity_type": "sleep"}, {"activity_type": "fail"}],
    }

    parsed = parse_task(body, QUEUES, 30, "api")

    assert (parsed.queue, parsed.kind, parsed.timeout) == ("emails", "workflow", 2)
    assert parsed.steps == [Step("sleep", 0), Step("fail", 0)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "the body must be a JSON object"),
        (
            {"activity_type": "sleep", "priority": 1},
            "unknown field 'priority': use queue, activity_type, seconds, timeout or workflow",
        ),
        (
            {"queue": "later", "activity_type": "sleep"},
            "unknown queue 'later': use one of default, emails",
        ),
        (
            {"activity_type": "sleep", "seconds": -1},
            "seconds must be between 0 and 600 seconds",
        ),
        (
            {"activity_type": "sleep", "seconds": True},
            "seconds must be a number of seconds",
        ),
        (
            {"activity_type": "sleep", "timeout": 0},
            "timeout must be between 0.01 and 600 seconds",
        ),
        ({"workflow": []}, "workflow must be a list of 1 to 20 steps"),
        (
            {"workflow": [{"activity_type": "nap"}]},
            "invalid workflow[0].activity_type 'nap': use one of sleep, fail",
        ),
    ],
)
def test_parse_rejects(body: Any, message: str) -> None:
    with pytest.raises(InvalidTask) as error:
        parse_task(body, QUEUES, 30, "api")

    assert str(error.value) == message


@pytest.mark.parametrize(
    ("method", "path", "template", "found"),
    [
        ("GET", "/api/tasks/abc123", "/api/tasks/:id", True),
        ("POST", "/api/tasks", "/api/tasks", True),
        ("GET", "/api/fault/503", "/api/fault/:status", True),
        ("POST", "/webhooks/generic", "/webhooks/:source", True),
        ("DELETE", "/api/tasks/abc123", "/api/tasks/:id", False),
        ("GET", "/api/tasks/abc/extra", "(unmatched)", False),
        ("GET", "/", "(unmatched)", False),
    ],
)
def test_route_templates(method: str, path: str, template: str, found: bool) -> None:
    route, matched, _ = find_route(method, path)

    assert matched == template
    assert (route is not None) == found


@pytest.mark.parametrize(
    ("share", "faults"),
    [
        (0.0, []),
        (0.2, [4, 9, 14, 19]),
        (0.5, list(range(1, 20, 2))),
        (1.0, list(range(20))),
    ],
)
def test_is_fault_spreads_share(share: float, faults: list[int]) -> None:
    assert [tick for tick in range(20) if is_fault(tick, share)] == faults


@pytest.mark.parametrize(
    ("status", "expected", "body"),
    [
        ("503", 503, {"error": "fault requested by the client"}),
        ("599", 599, {"error": "fault requested by the client"}),
        ("404", 400, {"error": "invalid status '404': use a code from 500 to 599"}),
        ("5xx", 400, {"error": "invalid status '5xx': use a code from 500 to 599"}),
    ],
)
def test_fault_responds_server_error(status: str, expected: int, body: Any) -> None:
    request = Request("GET", f"/api/fault/{status}", {}, b"", "127.0.0.1", "r1")

    response = App.fault(request, {"status": status})

    assert response.status == expected
    assert json.loads(response.body) == body


def test_queues_take_kind_in_turn() -> None:
    queues = TaskQueues(QUEUES)
    first, second = task("activity", "default"), task("activity", "default")
    other, workflow = task("activity", "emails"), task("workflow", "default")
    for item in (first, second, workflow, other):
        queues.put(item)

    taken = [queues.take("activity") for _ in range(3)]

    assert taken == [first, other, second]
    assert queues.take("workflow") is workflow
    assert queues.depths() == {"default": 0, "emails": 0}


def test_closed_queues_return_none() -> None:
    queues = TaskQueues(QUEUES)
    results: list[Task | None] = []
    waiter = threading.Thread(target=lambda: results.append(queues.take("activity")))
    waiter.start()

    queues.close()
    waiter.join(10)

    assert results == [None]


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
def scheduler(registry: CollectorRegistry) -> Iterator[Scheduler]:
    queues = TaskQueues(QUEUES)
    scheduler = Scheduler(
        queues, TaskStore(), load_metrics(DEFAULT_FOLDER, registry), 1, 1
    )
    scheduler.start()
    yield scheduler
    scheduler.stop(grace=0)


def wait_for(check: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_scheduler_publishes_limits(
    scheduler: Scheduler, registry: CollectorRegistry
) -> None:
    assert registry.get_sample_value("compozy_worker_max_concurrent_activities") == 1
    assert registry.get_sample_value("compozy_worker_max_concurrent_workflows") == 1
    assert (
        registry.get_sample_value(
            "compozy_worker_task_queue_depth", {"queue_name": "emails"}
        )
        == 0
    )


def test_running_activity_is_utilisation(
    scheduler: Scheduler, registry: CollectorRegistry
) -> None:
    running = task("activity", "default", Step("sleep", 30))
    waiting = task("activity", "default")
    scheduler.store.add(running)
    scheduler.queues.put(running)
    scheduler.queues.put(waiting)

    wait_for(
        lambda: registry.get_sample_value("compozy_worker_activities_executing") == 1
    )

    assert (
        registry.get_sample_value(
            "compozy_worker_utilization_ratio", {"worker_type": "activity"}
        )
        == 1
    )
    assert (
        registry.get_sample_value(
            "compozy_worker_task_queue_depth", {"queue_name": "default"}
        )
        == 1
    )


def test_workflow_stops_at_failed_step(
    scheduler: Scheduler, registry: CollectorRegistry
) -> None:
    workflow = task(
        "workflow", "emails", Step("sleep", 0), Step("fail", 0), Step("sleep", 0)
    )
    scheduler.store.add(workflow)
    scheduler.queues.put(workflow)

    wait_for(lambda: workflow.state == "failed")

    assert workflow.next_step == 1
    assert workflow.error == "fail activity: error"
    success = {"activity_type": "sleep", "outcome": "success"}
    error = {"activity_type": "fail", "outcome": "error"}
    assert (
        registry.get_sample_value(
            "compozy_worker_activity_duration_seconds_count", success
        )
        == 1
    )
    assert (
        registry.get_sample_value(
            "compozy_worker_activity_duration_seconds_count", error
        )
        == 1
    )


def test_stop_requeues_running_task(
    scheduler: Scheduler, registry: CollectorRegistry
) -> None:
    running = task("activity", "default", Step("sleep", 30))
    scheduler.store.add(running)
    scheduler.queues.put(running)
    wait_for(lambda: running.state == "running")

    scheduler.stop(grace=0)

    assert running.state == "queued"
    assert scheduler.queues.drain() == [running]
    assert registry.get_sample_value("compozy_worker_activities_executing") == 0


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_throttled_log_counts_suppressed(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    log = ThrottledLog(logging.getLogger("test.throttled"), per_second=2, clock=clock)

    with caplog.at_level(logging.WARNING, "test.throttled"):
        for number in range(5):
            log.warning("failure %d", number)
        clock.now += 1
        log.warning("failure %d", 5)

    assert caplog.messages == [
        "failure 0",
        "failure 1",
        "failure 5 (3 similar warnings suppressed before this one)",
    ]
