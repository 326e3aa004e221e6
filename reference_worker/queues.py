"""Named task queues, shared by the HTTP threads that add tasks and the pools that run them."""

from __future__ import annotations

import threading
from collections import deque

from reference_worker.tasks import Task


class TaskQueues:
    """First-in first-out queues by name; `take` serves the queues in turn."""

    def __init__(self, names: list[str]) -> None:
        self._queues: dict[str, deque[Task]] = {name: deque() for name in names}
        self._condition = threading.Condition()
        self._closed = False
        self._turn = 0

    @property
    def names(self) -> list[str]:
        return list(self._queues)

    def put(self, task: Task, front: bool = False) -> None:
        """Add a task; `front` puts a requeued task before the others."""
        with self._condition:
            queue = self._queues.setdefault(task.queue, deque())
            if front:
                queue.appendleft(task)
            else:
                queue.append(task)
            self._condition.notify_all()

    def take(self, kind: str) -> Task | None:
        """Wait for a task of `kind`; return None once the queues are closed."""
        with self._condition:
            while not self._closed:
                task = self._pop(kind)
                if task is not None:
                    return task
                self._condition.wait()
            return None

    def _pop(self, kind: str) -> Task | None:
        names = list(self._queues)
        for offset in range(len(names)):
            queue = self._queues[names[(self._turn + offset) % len(names)]]
            for index, task in enumerate(queue):
                if task.kind == kind:
                    del queue[index]
                    self._turn = (self._turn + offset + 1) % len(names)
                    return task
        return None

    def close(self) -> None:
        """Stop handing out tasks: every `take` returns None from now on."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def depths(self) -> dict[str, int]:
        """Return the number of waiting tasks per queue; read at every scrape."""
        with self._condition:
            return {name: len(queue) for name, queue in self._queues.items()}

    def drain(self) -> list[Task]:
        """Remove and return every waiting task, in queue order."""
        with self._condition:
            tasks = [task for queue in self._queues.values() for task in queue]
            for queue in self._queues.values():
                queue.clear()
            return tasks
