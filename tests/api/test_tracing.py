"""Optional OpenTelemetry traces: a span per HTTP request (its route template, status and
request id; a caller's traceparent continued), retrieval legs and chat-model calls as its
children, and nothing at all when no endpoint is configured."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cxrag import tracing
from cxrag.generate.client import OpenAIChat
from cxrag.settings import OtelSettings
from tests.generate.test_client import MESSAGES, Stub, completion

AGENT = {"X-API-Key": "agent-k"}
WIDGET = {"X-API-Key": "widget-k"}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider)
    yield exporter
    tracing.use(None)
    provider.shutdown()


@pytest.fixture
def client(keyed_client: TestClient) -> TestClient:
    return keyed_client


def _named(spans: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {s.name: s for s in spans.get_finished_spans()}


def test_a_search_is_one_trace_with_a_span_per_retrieval_leg(
        client: TestClient, spans: InMemorySpanExporter) -> None:
    resp = client.post("/v1/search", json={"query": "gift cards"}, headers=AGENT)
    assert resp.status_code == 200
    named = _named(spans)
    root = named["POST /v1/search"]
    assert root.attributes is not None and root.context is not None
    assert root.attributes["http.route"] == "/v1/search"
    assert root.attributes["http.response.status_code"] == 200
    assert root.attributes["cxrag.request_id"] == resp.headers["X-Request-ID"]
    for leg in ("lexical", "embed_query", "chunks", "documents"):
        span = named[f"retrieval.{leg}"]  # the documents leg runs on another thread
        assert span.context is not None and span.parent is not None
        assert span.context.trace_id == root.context.trace_id
        assert span.parent.span_id == root.context.span_id


def test_a_callers_traceparent_is_continued_and_paths_stay_templates(
        client: TestClient, spans: InMemorySpanExporter) -> None:
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    client.get("/v1/conversations/secret-id-7",
               headers={**WIDGET, "X-Visitor-Id": "v-trace-1",
                        "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
    root = _named(spans)["GET /v1/conversations/{conversation_id}"]
    assert root.context is not None and format(root.context.trace_id, "032x") == trace_id
    assert root.attributes is not None and root.attributes["http.response.status_code"] == 404
    client.get("/no/such/path/secret-id-8")
    names = [s.name for s in spans.get_finished_spans()]
    assert "GET unmatched" in names and not any("secret-id" in n for n in names)


def test_a_chat_reply_has_its_model_call_in_the_trace(
        client: TestClient, spans: InMemorySpanExporter) -> None:
    stub = Stub()
    thread = threading.Thread(target=stub.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        stub.reply = lambda h: h.send_json(200, completion("Hola"))
        with tracing.tracer().start_as_current_span("caller") as caller:
            OpenAIChat(stub.url, "k", "stub-model", max_retries=0).complete(MESSAGES)
    finally:
        stub.release.set()
        stub.shutdown()
        stub.server_close()
    call = _named(spans)["llm.complete"]
    assert call.parent is not None and call.parent.span_id == caller.get_span_context().span_id
    assert call.attributes is not None
    assert call.attributes["cxrag.outcome"] == "ok"
    assert call.attributes["gen_ai.usage.input_tokens"] == 7
    assert call.attributes["gen_ai.request.model"] == "stub-model"


def test_tracing_is_off_without_an_endpoint() -> None:
    stop = tracing.setup(OtelSettings())
    with tracing.tracer().start_as_current_span("x") as span:
        assert not span.is_recording()
    stop()


def test_an_endpoint_turns_on_export_until_shutdown() -> None:
    stop = tracing.setup(OtelSettings(endpoint="http://127.0.0.1:1", timeout_s=0.5))
    try:
        with tracing.tracer().start_as_current_span("x") as span:
            assert span.is_recording()
    finally:
        stop()  # flushes to a port nobody listens on: it gives up, it does not hang
    with tracing.tracer().start_as_current_span("y") as span:
        assert not span.is_recording()
