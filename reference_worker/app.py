"""The HTTP API: requests in, responses out, with no socket code (see http_server.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from reference_worker.auth import Authenticator
from reference_worker.routes import find_route
from reference_worker.tasks import InvalidTask, Task, TaskStore
from reference_worker.webhooks import Webhooks

log = logging.getLogger("reference_worker.app")


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query string
    headers: Mapping[str, str]
    body: bytes
    client_ip: str
    request_id: str


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    route: str = ""  # the route template, for the `path` label


class ShuttingDown(Exception):
    """The worker stopped accepting tasks."""


def json_response(status: int, document: Any) -> Response:
    return Response(status, json.dumps(document, sort_keys=True).encode() + b"\n")


class App:
    """Route each request, check its credentials, and call its handler."""

    def __init__(
        self,
        registry: CollectorRegistry,
        authenticator: Authenticator,
        webhooks: Webhooks,
        store: TaskStore,
        make_task: Callable[[object], Task],
        submit: Callable[[Task], None],
        depths: Callable[[], dict[str, int]],
    ) -> None:
        self.registry = registry
        self.authenticator = authenticator
        self.webhooks = webhooks
        self.store = store
        self.make_task = make_task
        self.submit = submit
        self.depths = depths

    def dispatch(self, request: Request) -> Response:
        """Serve one request; the response carries the route template for the metrics."""
        route, template, params = find_route(request.method, request.path)
        if route is None:
            status, message = (
                (405, "method not allowed")
                if template != "(unmatched)"
                else (404, "not found")
            )
            response = json_response(
                status, {"error": f"{message}: {request.method} {request.path}"}
            )
        elif route.authenticated and not (verdict := self._authenticate(request)).ok:
            status = 429 if verdict.reason == "rate_limited" else 401
            response = json_response(
                status, {"error": f"authentication failed: {verdict.reason}"}
            )
        else:
            response = getattr(self, route.handler)(request, params)
        response.route = template
        return response

    @staticmethod
    def dispatch_template(method: str, path: str) -> str:
        """Return the route template of a request rejected before dispatch."""
        return find_route(method, path)[1]

    def _authenticate(self, request: Request) -> Any:
        return self.authenticator.authenticate(
            request.headers, request.client_ip, request.request_id
        )

    def metrics(self, request: Request, params: dict[str, str]) -> Response:
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        return Response(200, encoder(self.registry), content_type)

    def health(self, request: Request, params: dict[str, str]) -> Response:
        return json_response(200, {"status": "ok"})

    def enqueue(self, request: Request, params: dict[str, str]) -> Response:
        try:
            task = self.make_task(json.loads(request.body or b"null"))
        except (ValueError, UnicodeDecodeError) as error:
            message = (
                str(error) if isinstance(error, InvalidTask) else "the body is not JSON"
            )
            log.warning(
                "rejected task from request %s: %s", request.request_id, message
            )
            return json_response(400, {"error": message})
        return self._submit(task, request)

    def _submit(self, task: Task, request: Request) -> Response:
        try:
            self.submit(task)
        except ShuttingDown:
            return json_response(
                503, {"error": "the worker is shutting down; retry later"}
            )
        return json_response(
            202, {"id": task.id, "state": task.state, "queue": task.queue}
        )

    def status(self, request: Request, params: dict[str, str]) -> Response:
        task = self.store.get(params["id"])
        if task is None:
            return json_response(404, {"error": f"task {params['id']} not found"})
        return json_response(200, task)

    def queue_depths(self, request: Request, params: dict[str, str]) -> Response:
        return json_response(200, {"queues": self.depths()})

    @staticmethod
    def fault(request: Request, params: dict[str, str]) -> Response:
        """Respond with the server error in the path, so that load tests can spend an error budget."""
        status = params["status"]
        if not (status.isdigit() and 500 <= int(status) <= 599):
            log.warning(
                "rejected fault request %s: invalid status %r",
                request.request_id,
                status,
            )
            return json_response(
                400, {"error": f"invalid status {status!r}: use a code from 500 to 599"}
            )
        return json_response(int(status), {"error": "fault requested by the client"})

    def webhook(self, request: Request, params: dict[str, str]) -> Response:
        source = params["source"]
        if source not in self.webhooks.sources:
            return json_response(404, {"error": f"unknown webhook source {source!r}"})
        signature = request.headers.get("X-Signature-256", "")
        try:
            result = self.webhooks.handle(
                source, request.body, signature, request.request_id
            )
        except ShuttingDown:
            log.warning(
                "webhook from %s rejected at shutdown (request %s)",
                source,
                request.request_id,
            )
            return json_response(
                503, {"error": "the worker is shutting down; retry later"}
            )
        return json_response(result.status, result.body)
