"""What an operator sees of each request: a request id in every log line and in the answer's
``X-Request-ID`` header (asgi-correlation-id), and Prometheus counts and latencies per route
template (``cxrag.metrics``).

A caller's own ``X-Request-ID`` is kept when it is a UUID (a load balancer's, say) and replaced
otherwise, so nothing a caller sends ends up unbounded in the logs. Metrics are labelled with
the route's template (``/v1/conversations/{conversation_id}``), never the raw path, and every
unknown path counts as one route (``unmatched``), every unknown method as ``other``.
"""

from __future__ import annotations

import time
from uuid import uuid4

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxrag.metrics import HTTP_IN_FLIGHT, HTTP_REQUESTS, HTTP_SECONDS

REQUEST_ID = "X-Request-ID"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def new_request_id() -> str:
    """A new request id: a UUID4 in hex (what the middleware accepts from callers too)."""
    return uuid4().hex


class RequestMetrics:
    """Counts and times every HTTP request by method, route template and status; a stream
    is timed to its last byte."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        HTTP_IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, sending)
        finally:
            HTTP_IN_FLIGHT.dec()
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = scope.get("method", "GET")
            method = method if method in METHODS else "other"  # a caller picks the method
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - began)
