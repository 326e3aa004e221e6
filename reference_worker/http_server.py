"""The threaded HTTP server, and the middleware that records the HTTP metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from reference_worker.app import App, Request, Response, json_response

log = logging.getLogger("reference_worker.http")

MAX_BODY_BYTES = 1 << 20
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyError(ValueError):
    """The request body cannot be read; `status` is the status of the error response."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Server(ThreadingHTTPServer):
    """The threaded HTTP server, with the App and the generated metrics its handlers use."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App, metrics: Any) -> None:
        super().__init__(address, Handler)
        self.app = app
        self.metrics = metrics

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.exception("connection from %s failed", client_address[0])


class Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def _serve(self, method: str) -> None:
        """Middleware: count the request in flight, serve it, then observe it."""
        metrics = self.server.metrics
        in_flight = metrics.http_requests_in_flight.labels(method=method)
        in_flight.inc()
        started = time.monotonic()
        try:
            body, response = self._respond(method)
            self._send_or_log(response)
        finally:
            in_flight.dec()
        route = response.route
        metrics.http_requests_total.inc(
            method=method, path=route, status_code=response.status
        )
        metrics.http_request_size_bytes.observe(len(body), method=method, path=route)
        metrics.http_response_size_bytes.observe(
            len(response.body), method=method, path=route
        )
        metrics.http_request_duration_seconds.observe(
            time.monotonic() - started, method=method, path=route
        )

    def _respond(self, method: str) -> tuple[bytes, Response]:
        request_id = self._request_id()
        path = urlsplit(self.path).path
        try:
            body = self._read_body()
        except BodyError as error:
            log.warning("request %s rejected: %s", request_id, error)
            self.close_connection = True
            response = json_response(error.status, {"error": str(error)})
            response.route = self.server.app.dispatch_template(method, path)
            return b"", self._with_id(response, request_id)
        request = Request(
            method, path, self.headers, body, self.client_address[0], request_id
        )
        return body, self._with_id(self._dispatch(request), request_id)

    def _dispatch(self, request: Request) -> Response:
        try:
            return self.server.app.dispatch(request)
        except Exception:  # a bug in a handler: respond 500 and keep serving
            log.exception(
                "request %s %s %s failed",
                request.request_id,
                request.method,
                request.path,
            )
            response = json_response(
                500, {"error": "internal error", "request_id": request.request_id}
            )
            response.route = self.server.app.dispatch_template(
                request.method, request.path
            )
            return response

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit():
            raise BodyError(400, f"invalid Content-Length {length!r}")
        if int(length) > MAX_BODY_BYTES:
            raise BodyError(
                413, f"body too large: {length} bytes; the limit is {MAX_BODY_BYTES}"
            )
        try:
            return self.rfile.read(int(length))
        except OSError as error:
            raise BodyError(400, f"cannot read the body: {error}") from None

    def _request_id(self) -> str:
        header = self.headers.get("X-Request-Id", "")
        return header if REQUEST_ID.match(header) else uuid.uuid4().hex[:16]

    @staticmethod
    def _with_id(response: Response, request_id: str) -> Response:
        response.headers["X-Request-Id"] = request_id
        return response

    def _send_or_log(self, response: Response) -> None:
        try:
            self._send(response)
        except OSError as error:  # the client went away before the response was sent
            request_id = response.headers["X-Request-Id"]
            log.warning("request %s: response not sent: %s", request_id, error)
            self.close_connection = True

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)
