"""Run tasks from the queues with at most `max_activities` activities and
`max_workflows` workflows at once, and record the worker metrics."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from reference_worker.activities import Outcome, run_activity
from reference_worker.queues import TaskQueues
from reference_worker.tasks import Step, Task, TaskStore

log = logging.getLogger("reference_worker.scheduler")

FINAL_STATE = {
    Outcome.SUCCESS: "succeeded",
    Outcome.ERROR: "failed",
    Outcome.TIMEOUT: "timed_out",
}


class Scheduler:
    """Thread pools for activities and workflows; a workflow's steps use activity slots."""

    def __init__(
        self,
        queues: TaskQueues,
        store: TaskStore,
        metrics: Any,
        max_activities: int,
        max_workflows: int,
    ) -> None:
        self.queues, self.store, self.metrics = queues, store, metrics
        self.limits = {"activity": max_activities, "workflow": max_workflows}
        self._slots = threading.BoundedSemaphore(max_activities)
        self._executing = {"activity": 0, "workflow": 0}
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Publish the limits and start one thread per slot."""
        self.metrics.worker_max_concurrent_activities.set(self.limits["activity"])
        self.metrics.worker_max_concurrent_workflows.set(self.limits["workflow"])
        self.metrics.worker_task_queue_depth.set_callback(self.queues.depths)
        for kind, limit in self.limits.items():
            for number in range(limit):
                thread = threading.Thread(
                    target=self._loop, args=(kind,), name=f"{kind}-{number}"
                )
                thread.start()
                self._threads.append(thread)

    def stop(self, grace: float) -> None:
        """Stop taking tasks, let running ones finish for `grace` seconds, then requeue them."""
        self.queues.close()
        deadline = time.monotonic() + grace
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._cancel.set()
        for thread in self._threads:
            thread.join()

    def _loop(self, kind: str) -> None:
        while (task := self.queues.take(kind)) is not None:
            if kind == "activity":
                self._run_activity_task(task)
            else:
                self._run_workflow(task)

    def _run_activity_task(self, task: Task) -> None:
        if not self._acquire_slot():
            self.queues.put(task, front=True)
            return
        try:
            self.store.update(task, "running")
            outcome = self._run_step(task, task.steps[0])
        finally:
            self._slots.release()
        self._finish(task, outcome)

    def _run_workflow(self, task: Task) -> None:
        self.store.update(task, "running")
        self._track("workflow", 1)
        try:
            outcome = self._run_steps(task)
        finally:
            self._track("workflow", -1)
        self._finish(task, outcome)

    def _run_steps(self, task: Task) -> Outcome:
        while task.next_step < len(task.steps):
            if not self._acquire_slot():
                return Outcome.CANCELLED
            try:
                outcome = self._run_step(task, task.steps[task.next_step])
            finally:
                self._slots.release()
            if outcome is not Outcome.SUCCESS:
                return outcome
            task.next_step += 1
        return Outcome.SUCCESS

    def _acquire_slot(self) -> bool:
        """Wait for a free activity slot; return False when a shutdown cancels the wait."""
        while not self._slots.acquire(timeout=0.1):
            if self._cancel.is_set():
                return False
        return True

    def _run_step(self, task: Task, step: Step) -> Outcome:
        self._track("activity", 1)
        started = time.monotonic()
        try:
            outcome = run_activity(
                step.activity_type, step.seconds, task.timeout, self._cancel
            )
        finally:
            self._track("activity", -1)
        if outcome is not Outcome.CANCELLED:
            self.metrics.worker_activity_duration_seconds.observe(
                time.monotonic() - started,
                activity_type=step.activity_type,
                outcome=outcome.value,
            )
        return outcome

    def _finish(self, task: Task, outcome: Outcome) -> None:
        if outcome is Outcome.CANCELLED:
            log.info(
                "requeued task %s (%s) on queue %s at shutdown",
                task.id,
                task.kind,
                task.queue,
            )
            self.store.update(task, "queued")
            self.queues.put(task, front=True)
            return
        step = task.steps[min(task.next_step, len(task.steps) - 1)]
        error = (
            ""
            if outcome is Outcome.SUCCESS
            else f"{step.activity_type} activity: {outcome.value}"
        )
        if error:
            log.warning("task %s on queue %s failed: %s", task.id, task.queue, error)
        self.store.update(task, FINAL_STATE[outcome], error)

    def _track(self, kind: str, change: int) -> None:
        """Count a start or an end, and publish the executing gauge and utilisation."""
        with self._lock:
            self._executing[kind] += change
            executing = self._executing[kind]
            gauge = (
                self.metrics.worker_activities_executing
                if kind == "activity"
                else self.metrics.worker_workflows_executing
            )
            gauge.set(executing)
            self.metrics.worker_utilization_ratio.set(
                executing / self.limits[kind], worker_type=kind
            )
