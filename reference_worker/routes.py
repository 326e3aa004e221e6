"""Route templates: match a request path, and name it without its ids for the `path` label."""

from __future__ import annotations

from dataclasses import dataclass

UNMATCHED = "(unmatched)"  # the `path` label of requests that match no route


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # such as /api/tasks/:id
    handler: str  # the name of the App method that serves it
    authenticated: bool = True

    def match(self, path: str) -> dict[str, str] | None:
        """Return the template's parameters taken from `path`, or None when it does not match."""
        want, got = self.template.strip("/").split("/"), path.strip("/").split("/")
        if len(want) != len(got):
            return None
        params = {}
        for pattern, part in zip(want, got, strict=True):
            if pattern.startswith(":") and part:
                params[pattern[1:]] = part
            elif pattern != part:
                return None
        return params


ROUTES = (
    Route("GET", "/metrics", "metrics", authenticated=False),
    Route("GET", "/healthz", "health", authenticated=False),
    Route("POST", "/api/tasks", "enqueue"),
    Route("GET", "/api/tasks/:id", "status"),
    Route("GET", "/api/queues", "queue_depths"),
    Route("GET", "/api/fault/:status", "fault"),
    Route("POST", "/webhooks/:source", "webhook", authenticated=False),
)


def find_route(method: str, path: str) -> tuple[Route | None, str, dict[str, str]]:
    """Return the route for the request, its template, and its parameters.

    A path that matches a route for another method returns that route's
    template with no route, so that the 405 response is labelled with it.
    """
    template = UNMATCHED
    for route in ROUTES:
        params = route.match(path)
        if params is None:
            continue
        if route.method == method:
            return route, route.template, params
        template = route.template
    return None, template, {}
