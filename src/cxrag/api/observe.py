"""What an operator sees of each request: a request id in every log line and in the answer's
``X-Request-ID`` header (asgi-correlation-id), and Prometheus counts and latencies per route
template (``cxrag.metrics``), and a trace span per request when tracing is on.

A caller's own ``X-Request-ID`` is kept when it is a UUID (a load balancer's, say) and replaced
otherwise, so nothing a caller sends ends up unbounded in the logs. Metrics are labelled with
the route's template (``/v1/conversations/{conversation_id}``), never the raw path, and every
unknown path counts as one route (``unmatched``), every unknown method as ``other``.
"""

from __future__ import annotations

import time
from uuid import uuid4

from asgi_correlation_id import correlation_id
from opentelemetry.trace import StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxrag import tracing
from cxrag.metrics import HTTP_IN_FLIGHT, HTTP_REQUESTS, HTTP_SECONDS

REQUEST_ID = "X-Request-ID"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_TRACE_HEADERS = frozenset({b"traceparent", b"tracestate"})


def new_request_id() -> str:
    """A new request id: a UUID4 in hex (what the middleware accepts from callers too)."""
    return uuid4().hex


class RequestMetrics:
    """Counts and times every HTTP request by method, route template and status, and traces
    it (``cxrag.tracing``, when on); a stream is timed to its last byte."""

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

        method = scope.get("method", "GET")
        method = method if method in METHODS else "other"  # a caller picks the method
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                   if k in _TRACE_HEADERS}
        HTTP_IN_FLIGHT.inc()
        with tracing.server_span(method, headers) as span:
            try:
                await self.app(scope, receive, sending)
            finally:
                HTTP_IN_FLIGHT.dec()
                route = getattr(scope.get("route"), "path", None) or UNMATCHED
                HTTP_REQUESTS.labels(method, route, str(status)).inc()
                HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - began)
                if span.is_recording():
                    span.update_name(f"{method} {route}")
                    span.set_attributes({"http.request.method": method, "http.route": route,
                                         "http.response.status_code": status,
                                         "cxrag.request_id": correlation_id.get() or ""})
                    if status >= 500:
                        span.set_status(StatusCode.ERROR)
