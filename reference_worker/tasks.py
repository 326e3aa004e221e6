"""Tasks: what the API and webhooks accept, and the store that tracks their state."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any

from reference_worker.activities import ACTIVITY_TYPES

MAX_SECONDS = 600.0
MAX_STEPS = 20
FINISHED = ("succeeded", "failed", "timed_out")
KEEP_FINISHED = (
    10_000  # finished tasks kept for status requests, the oldest dropped first
)


class InvalidTask(ValueError):
    """A task request is invalid; the message names the field and the fix."""


@dataclass(frozen=True)
class Step:
    """One activity: its type and how long it works, in seconds."""

    activity_type: str
    seconds: float


@dataclass
class Task:
    """An activity (one step) or a workflow (steps run in order), and its state."""

    id: str
    queue: str
    kind: str  # "activity" or "workflow"
    steps: list[Step]
    timeout: float  # seconds each step may run before it times out
    source: str = "api"
    state: str = "queued"  # then running, succeeded, failed or timed_out
    next_step: int = 0  # the first step not yet finished, for a requeued workflow
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Task:
        steps = [Step(**step) for step in data["steps"]]
        return cls(**{**data, "steps": steps})


def parse_task(
    body: object, queues: list[str], default_timeout: float, source: str
) -> Task:
    """Build a task from a request body; raise InvalidTask naming the field to fix."""
    if not isinstance(body, dict):
        raise InvalidTask("the body must be a JSON object")
    unknown = sorted(
        set(body) - {"queue", "activity_type", "seconds", "timeout", "workflow"}
    )
    if unknown:
        raise InvalidTask(
            f"unknown field {unknown[0]!r}: use queue, activity_type, seconds, timeout or workflow"
        )
    queue = _queue(body.get("queue", queues[0]), queues)
    timeout = _seconds(body.get("timeout", default_timeout), "timeout", minimum=0.01)
    if "workflow" in body:
        steps, kind = _workflow_steps(body["workflow"]), "workflow"
    else:
        steps, kind = [_step(body, "")], "activity"
    return Task(uuid.uuid4().hex, queue, kind, steps, timeout, source)


def _queue(name: object, queues: list[str]) -> str:
    if name not in queues:
        raise InvalidTask(f"unknown queue {name!r}: use one of {', '.join(queues)}")
    return str(name)


def _workflow_steps(steps: object) -> list[Step]:
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise InvalidTask(f"workflow must be a list of 1 to {MAX_STEPS} steps")
    return [_step(step, f"workflow[{index}].") for index, step in enumerate(steps)]


def _step(data: object, prefix: str) -> Step:
    if not isinstance(data, dict):
        raise InvalidTask(
            f"{prefix or 'the body'} must be an object with activity_type and seconds"
        )
    activity_type = data.get("activity_type")
    if activity_type not in ACTIVITY_TYPES:
        raise InvalidTask(
            f"invalid {prefix}activity_type {activity_type!r}: use one of {', '.join(ACTIVITY_TYPES)}"
        )
    return Step(
        str(activity_type), _seconds(data.get("seconds", 0), prefix + "seconds")
    )


def _seconds(value: object, name: str, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidTask(f"{name} must be a number of seconds")
    if not minimum <= value <= MAX_SECONDS:
        raise InvalidTask(
            f"{name} must be between {minimum:g} and {MAX_SECONDS:g} seconds"
        )
    return float(value)


@dataclass
class TaskStore:
    """Every accepted task by id; finished ones are kept up to KEEP_FINISHED."""

    _tasks: OrderedDict[str, Task] = field(default_factory=OrderedDict)
    _finished: OrderedDict[str, None] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, task: Task) -> None:
        with self._lock:
            self._tasks[task.id] = task

    def get(self, task_id: str) -> dict[str, Any] | None:
        """Return a copy of the task's fields, or None for an unknown id."""
        with self._lock:
            task = self._tasks.get(task_id)
            return task.to_dict() if task else None

    def update(self, task: Task, state: str, error: str = "") -> None:
        with self._lock:
            task.state, task.error = state, error
            if state in FINISHED:
                self._finished[task.id] = None
                self._drop_oldest()

    def _drop_oldest(self) -> None:
        while len(self._finished) > KEEP_FINISHED:
            task_id, _ = self._finished.popitem(last=False)
            self._tasks.pop(task_id, None)
