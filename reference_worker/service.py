"""The worker service: wire the parts together, start them, and stop without losing a task."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from reference_worker.app import App, ShuttingDown
from reference_worker.auth import Authenticator
from reference_worker.http_server import Server
from reference_worker.queues import TaskQueues
from reference_worker.scheduler import Scheduler
from reference_worker.state import StateError, load_tasks, save_tasks
from reference_worker.tasks import Task, TaskStore, parse_task
from reference_worker.webhooks import Webhooks

log = logging.getLogger("reference_worker")


@dataclass(frozen=True)
class Config:
    host: str
    port: int
    queues: list[str]
    max_activities: int
    max_workflows: int
    activity_timeout: float  # seconds
    grace: float  # seconds that running tasks may take to finish at shutdown
    state_file: Path
    api_key: str
    jwt_secret: str
    webhook_secret: str
    webhook_sources: list[str]
    rate_limit: float  # requests per second per user; 0 turns the limit off


class Worker:
    """The running service: HTTP server, queues and scheduler."""

    def __init__(
        self, config: Config, metrics: Any, registry: CollectorRegistry
    ) -> None:
        self.config = config
        self.queues = TaskQueues(config.queues)
        self.store = TaskStore()
        self.scheduler = Scheduler(
            self.queues,
            self.store,
            metrics,
            config.max_activities,
            config.max_workflows,
        )
        self._accepting = True
        self._lock = threading.Lock()
        authenticator = Authenticator(
            config.api_key, config.jwt_secret, metrics, config.rate_limit
        )
        webhooks = Webhooks(
            config.webhook_secret,
            config.webhook_sources,
            metrics,
            self.make_task,
            self.submit,
        )
        app = App(
            registry,
            authenticator,
            webhooks,
            self.store,
            self.make_task,
            self.submit,
            self.queues.depths,
        )
        self.server = Server((config.host, config.port), app, metrics)
        self._serving = threading.Thread(target=self.server.serve_forever, name="http")

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def make_task(self, body: object, source: str = "api") -> Task:
        return parse_task(body, self.queues.names, self.config.activity_timeout, source)

    def submit(self, task: Task) -> None:
        """Accept a task; raise ShuttingDown once the worker has stopped accepting."""
        with self._lock:
            if not self._accepting:
                raise ShuttingDown
            self.store.add(task)
            self.queues.put(task)

    def start(self) -> None:
        """Read back the tasks of the last run, then start running and serving."""
        restored = load_tasks(self.config.state_file)
        for task in restored:
            self.store.add(task)
            self.queues.put(task)
        self.scheduler.start()
        self._serving.start()
        log.info(
            "started on http://%s:%d: queues %s, at most %d activities and %d workflows, %d tasks restored from %s",
            self.config.host,
            self.port,
            ",".join(self.config.queues),
            self.config.max_activities,
            self.config.max_workflows,
            len(restored),
            self.config.state_file,
        )

    def stop(self) -> None:
        """Stop accepting, finish or requeue running tasks, and save every waiting task."""
        log.info(
            "stopping: no new tasks; running tasks have %gs to finish",
            self.config.grace,
        )
        with self._lock:
            self._accepting = False
        self.scheduler.stop(self.config.grace)
        waiting = self.queues.drain()
        try:
            save_tasks(self.config.state_file, waiting)
        except StateError as error:
            ids = ", ".join(task.id for task in waiting)
            log.error("%s; these waiting tasks are lost: %s", error, ids or "none")
        self.server.shutdown()
        self.server.server_close()
        self._serving.join()
        log.info(
            "stopped: %d waiting tasks saved to %s",
            len(waiting),
            self.config.state_file,
        )
