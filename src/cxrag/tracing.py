"""Optional OpenTelemetry traces: one span per HTTP request, with child spans for each
retrieval leg, each chat-model call and each ingest part, exported over OTLP/gRPC to the
collector at ``CXRAG_OTEL__ENDPOINT`` (Jaeger, Tempo, an OpenTelemetry Collector).

Off by default: with no endpoint every span is OpenTelemetry's no-op, and nothing leaves the
machine. The provider is this package's own (not the process-global one), so a library that
sets up tracing of its own (Chroma does, when told to) neither receives nor replaces ours.
A caller's W3C ``traceparent`` header continues the caller's trace, as a load balancer or
the host page's backend expects; span names and attributes are bounded (route templates,
error codes, counts), never a message's text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import structlog
from opentelemetry import context, propagate, trace
from opentelemetry.trace import Span, Tracer, TracerProvider

from cxrag.settings import OtelSettings

log = structlog.get_logger(__name__)
_T = TypeVar("_T")
_provider: TracerProvider = trace.NoOpTracerProvider()


def tracer() -> Tracer:
    """The tracer of cxrag's spans (a no-op one until :func:`setup` or :func:`use`)."""
    return _provider.get_tracer("cxrag")


def use(provider: TracerProvider | None) -> None:
    """Send cxrag's spans to ``provider`` (None: back to no-op); tests pass an in-memory one."""
    global _provider
    _provider = provider or trace.NoOpTracerProvider()


def setup(settings: OtelSettings) -> Callable[[], None]:
    """Export spans to ``settings.endpoint`` when it is set; returns what flushes and stops
    the exporter at shutdown (a no-op when tracing is off)."""
    if not settings.endpoint:
        return lambda: None
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider as SdkProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = SdkProvider(resource=Resource.create({SERVICE_NAME: settings.service_name}),
                           sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)))
    exporter = OTLPSpanExporter(endpoint=settings.endpoint, insecure=settings.insecure,
                                timeout=int(settings.timeout_s))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    use(provider)
    log.info("tracing.on", endpoint=settings.endpoint, sample_ratio=settings.sample_ratio)

    def shutdown() -> None:
        use(None)
        provider.shutdown()
    return shutdown


@contextlib.contextmanager
def server_span(method: str, headers: Mapping[str, str]) -> Iterator[Span]:
    """The span of one HTTP request, in the caller's trace when it sent ``traceparent``."""
    parent = propagate.extract(headers) if "traceparent" in headers else None
    with tracer().start_as_current_span(f"HTTP {method}", context=parent,
                                        kind=trace.SpanKind.SERVER) as span:
        yield span


def spanned(name: str, fn: Callable[..., _T], **attributes: Any) -> Callable[..., _T]:
    """``fn`` run inside a span ``name`` that is a child of the span current *now* (the
    caller's), even when ``fn`` then runs on another thread."""
    parent = context.get_current()

    def run(*args: Any, **kwargs: Any) -> _T:
        with tracer().start_as_current_span(name, context=parent, attributes=attributes):
            return fn(*args, **kwargs)
    return run
