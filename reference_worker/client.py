"""A small HTTP client for the worker's API, used by the load driver and the tests."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from reference_worker import jwt
from reference_worker.webhooks import sign

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
TIMEOUT_SECONDS = 10


class TargetError(ValueError):
    """The URL is not a worker on this machine."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    sent_bytes: int  # the request body's size


def local_target(url: str) -> tuple[str, int]:
    """Return host and port of an http URL on this machine; raise TargetError otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise TargetError(
            f"invalid --url {url!r}: the load driver only targets http://127.0.0.1:PORT"
        )
    return parts.hostname, parts.port or 80


class Client:
    """One keep-alive connection to the worker; not shared between threads."""

    def __init__(
        self, url: str, api_key: str, jwt_secret: str, webhook_secret: str
    ) -> None:
        self.host, self.port = local_target(url)
        self.api_key, self.jwt_secret, self.webhook_secret = (
            api_key,
            jwt_secret,
            webhook_secret,
        )
        self._connection = http.client.HTTPConnection(
            self.host, self.port, timeout=TIMEOUT_SECONDS
        )

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        try:
            return self._send(method, path, body, headers or {})
        except (http.client.HTTPException, ConnectionError):
            self._connection.close()  # a dropped keep-alive connection: retry once on a new one
            return self._send(method, path, body, headers or {})

    def _send(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> Reply:
        self._connection.request(method, path, body=body, headers=headers)
        response = self._connection.getresponse()
        data = response.read()
        document = json.loads(data) if data.startswith(b"{") else {}
        return Reply(response.status, document, len(body))

    def close(self) -> None:
        self._connection.close()

    def api_key_headers(self, key: str | None = None) -> dict[str, str]:
        return {"X-API-Key": self.api_key if key is None else key}

    def jwt_headers(
        self, expires_in: float = 300, secret: str | None = None
    ) -> dict[str, str]:
        now = time.time()
        claims = {"sub": "load-driver", "iat": int(now), "exp": int(now + expires_in)}
        token = jwt.encode(claims, (secret or self.jwt_secret).encode())
        return {"Authorization": f"Bearer {token}"}

    def enqueue(self, task: dict[str, Any], headers: dict[str, str]) -> Reply:
        body = json.dumps(task).encode()
        return self.request(
            "POST", "/api/tasks", body, {**headers, "Content-Type": "application/json"}
        )

    def webhook(
        self, task: dict[str, Any], source: str = "generic", valid: bool = True
    ) -> Reply:
        event = {"id": uuid.uuid4().hex, "type": "task.requested", "task": task}
        body = json.dumps(event).encode()
        signature = sign(body, self.webhook_secret if valid else "wrong-secret")
        return self.request(
            "POST", f"/webhooks/{source}", body, {"X-Signature-256": signature}
        )
