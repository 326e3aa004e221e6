"""Turn signed webhook events into tasks, and record the webhook metrics.

A sender signs the raw body with HMAC-SHA256 and the shared secret, and sends
`X-Signature-256: sha256=HEX`. An event is a JSON object with an `id`, a
`type`, and for `task.requested` a `task` in the API's task format.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference_worker.logs import ThrottledLog
from reference_worker.tasks import InvalidTask, Task

log = ThrottledLog(logging.getLogger("reference_worker.webhooks"))

# Known event types; any other is recorded as "unknown", so that senders cannot
# create new label values.
EVENT_TYPES = ("task.requested", "ping")


@dataclass(frozen=True)
class WebhookResult:
    status: int
    body: dict[str, Any]


class WebhookError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Webhooks:
    """Verify, parse and process webhook events from the configured sources."""

    def __init__(
        self,
        secret: str,
        sources: list[str],
        metrics: Any,
        make_task: Callable[[object], Task],
        submit: Callable[[Task], None],
    ) -> None:
        self.sources = sources
        self._secret = secret.encode()
        self._metrics = metrics
        self._make_task = make_task
        self._submit = submit

    def handle(
        self, source: str, body: bytes, signature: str, request_id: str
    ) -> WebhookResult:
        """Process one event; every received event is counted, with its outcome."""
        self._metrics.webhook_queue_depth.inc()
        started = time.monotonic()
        event_type, outcome = "unknown", "error"
        try:
            event = self._verify(body, signature)
            event_type = (
                event["type"] if event.get("type") in EVENT_TYPES else "unknown"
            )
            result = self._process(event, event_type)
            outcome = "success"
            return result
        except WebhookError as error:
            log.warning(
                "webhook %s from %s rejected (request %s): %s",
                event_type,
                source,
                request_id,
                error,
            )
            return WebhookResult(error.status, {"error": str(error)})
        finally:
            self._record(
                source, event_type, outcome, len(body), time.monotonic() - started
            )

    def _verify(self, body: bytes, signature: str) -> dict[str, Any]:
        expected = "sha256=" + hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            raise WebhookError(
                401,
                "missing or invalid X-Signature-256; sign the body with HMAC-SHA256",
            )
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise WebhookError(400, "the body is not JSON") from None
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            raise WebhookError(
                400, "an event is a JSON object with a string id and a type"
            )
        return event

    def _process(self, event: dict[str, Any], event_type: str) -> WebhookResult:
        if event_type == "ping":
            return WebhookResult(200, {"event": event["id"]})
        if event_type == "unknown":
            raise WebhookError(
                400,
                f"unknown event type {event.get('type')!r}: use one of {', '.join(EVENT_TYPES)}",
            )
        try:
            task = self._make_task(event.get("task"))
        except InvalidTask as error:
            raise WebhookError(
                400, f"invalid task in event {event['id']}: {error}"
            ) from None
        self._submit(task)
        return WebhookResult(202, {"event": event["id"], "task": task.id})

    def _record(
        self, source: str, event_type: str, outcome: str, size: int, seconds: float
    ) -> None:
        self._metrics.webhook_queue_depth.dec()
        self._metrics.webhook_payload_size_bytes.observe(
            size, event_type=event_type, source=source
        )
        self._metrics.webhook_processing_duration_seconds.observe(
            seconds, event_type=event_type, outcome=outcome
        )
        self._metrics.webhook_events_total.inc(event_type=event_type, outcome=outcome)


def sign(body: bytes, secret: str) -> str:
    """Return the X-Signature-256 header value for `body`, as a sender computes it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
