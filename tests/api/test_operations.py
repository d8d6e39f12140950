"""What an operator sees: Prometheus metrics at /metrics, a request id on every answer and log
line, and /readyz checking every engine a reply depends on."""

from __future__ import annotations

import io
import json
import logging
import re
import socket
import time

import pytest
import redis
from asgi_correlation_id import correlation_id
from fastapi.testclient import TestClient

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.logs import configure_logging
from cxrag.metrics import REGISTRY
from cxrag.settings import Settings
from tests.api.conftest import with_keys
from tests.conftest import FakeChat
from tests.uploads import upload

ADMIN = {"X-API-Key": "admin-k"}
AGENT = {"X-API-Key": "agent-k"}
WIDGET = {"X-API-Key": "widget-k"}
VISITOR = "visitor-operations-1"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def client(keyed_client: TestClient) -> TestClient:
    return keyed_client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_metrics_take_an_admin_key_unless_public(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=AGENT).status_code == 403
    resp = client.get("/metrics", headers=ADMIN)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    assert "cxrag_http_requests_total" in resp.text
    client.app.state.settings.api.metrics_public = True  # type: ignore[attr-defined]
    assert client.get("/metrics").status_code == 200


def test_requests_are_counted_by_route_template_never_by_raw_path(client: TestClient) -> None:
    route = "/v1/conversations/{conversation_id}"
    owner = {**WIDGET, "X-Visitor-Id": VISITOR}
    status = str(client.get("/v1/conversations/secret-id-0", headers=owner).status_code)
    assert status == "404"
    before = sample("cxrag_http_requests_total", method="GET", route=route, status=status)
    for n in range(1, 4):
        resp = client.get(f"/v1/conversations/secret-id-{n}", headers=owner)
        assert str(resp.status_code) == status
    assert sample("cxrag_http_requests_total", method="GET", route=route,
                  status=status) == before + 3
    unmatched = sample("cxrag_http_requests_total", method="other", route="unmatched",
                       status="404")
    assert client.request("BREW", "/no/such/path/123").status_code in (404, 405)
    client.request("BREW", "/no/such/path/456")
    assert sample("cxrag_http_requests_total", method="other", route="unmatched",
                  status="404") == unmatched + 2
    text = client.get("/metrics", headers=ADMIN).text
    assert "secret-id" not in text and "/no/such/path" not in text and "BREW" not in text
    assert sample("cxrag_http_request_seconds_count", method="GET", route=route) >= 3


def test_errors_replies_retrieval_and_handoffs_are_counted(client: TestClient) -> None:
    unauthorized = sample("cxrag_errors_total", code="unauthorized", status="401")
    client.post("/v1/search", json={"query": "gift"}, headers={"X-API-Key": "wrong"})
    assert sample("cxrag_errors_total", code="unauthorized", status="401") == unauthorized + 1
    lexical = sample("cxrag_retrieval_leg_seconds_count", leg="lexical")
    chunks = sample("cxrag_retrieval_leg_seconds_count", leg="chunks")
    assert client.post("/v1/search", json={"query": "gift cards"},
                       headers=AGENT).status_code == 200
    assert sample("cxrag_retrieval_leg_seconds_count", leg="lexical") == lexical + 1
    assert sample("cxrag_retrieval_leg_seconds_count", leg="chunks") == chunks + 1
    # The fake model says NO_ANSWER: the reply lands on a rung the metrics name.
    rungs = {r: sample("cxrag_replies_total", rung=r) for r in
             ("generated", "extractive", "account", "handoff", "escalated", "fallback")}
    resp = client.post("/v1/chat", json={"message": "Do gift cards expire?",
                                         "visitor_id": VISITOR}, headers=WIDGET)
    assert resp.status_code == 200, resp.text
    rung = resp.json()["rung"]
    assert sample("cxrag_replies_total", rung=rung) == rungs[rung] + 1
    requested = sample("cxrag_handoffs_total", reason="requested", kind="requested")
    resp = client.post("/v1/handoffs", json={"channel": "web"},
                       headers={**WIDGET, "X-Visitor-Id": VISITOR})
    assert resp.status_code == 201, resp.text
    assert sample("cxrag_handoffs_total", reason="requested", kind="requested") == requested + 1


def test_ingest_runs_are_counted(client: TestClient) -> None:
    added = sample("cxrag_ingest_documents_total", outcome="added")
    failed = sample("cxrag_ingest_documents_total", outcome="failed")
    files = [("files", ("faq.md", b"# FAQ\n\nWe reply within one business day.\n")),
             ("files", ("broken.pdf", b"%PDF-1.4 garbage"))]
    jobs = sample("cxrag_ingest_jobs_total", queue="local")
    parts = sample("cxrag_ingest_job_parts_total", outcome="done")
    upload(client, files, ADMIN)
    assert sample("cxrag_ingest_jobs_total", queue="local") == jobs + 1
    assert sample("cxrag_ingest_job_parts_total", outcome="done") == parts + 1
    assert sample("cxrag_ingest_documents_total", outcome="added") == added + 1
    assert sample("cxrag_ingest_documents_total", outcome="failed") == failed + 1


def test_every_answer_has_a_request_id_and_a_callers_uuid_is_kept(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    ids = [r.headers["X-Request-ID"] for r in (first, second)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]
    mine = "4f8b9c1e2d3a4b5c8d7e6f5a4b3c2d1e"
    assert client.get("/healthz", headers={"X-Request-ID": mine}).headers["X-Request-ID"] == mine
    hostile = "<script>" + "x" * 5000
    got = client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", got)  # replaced, not echoed into logs and headers
    refused = client.post("/v1/search", json={"query": "x"})  # refusals carry one too
    assert refused.status_code == 401 and refused.headers["X-Request-ID"]


def test_json_log_lines_carry_the_request_id() -> None:
    stream = io.StringIO()
    configure_logging("json", "INFO", stream)
    try:
        token = correlation_id.set("4f8b9c1e2d3a4b5c8d7e6f5a4b3c2d1e")
        logging.getLogger("cxrag.test").info("inside a request")
        correlation_id.reset(token)
        logging.getLogger("cxrag.test").info("outside")
    finally:
        configure_logging("console", "WARNING")
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["request_id"] == "4f8b9c1e2d3a4b5c8d7e6f5a4b3c2d1e"
    assert inside["event"] == "inside a request" and "request_id" not in outside


def test_readyz_names_every_engine_and_each_one_down(client: TestClient,
                                                     settings: Settings) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert set(checks) == {"llm", "embedding", "chroma", "catalog", "database", "rate_limits"}
    dialect = "postgresql" if settings.database_url else "sqlite"
    assert checks["database"] == f"ok ({dialect})" and checks["rate_limits"] == "ok (memory)"
    store = client.app.state.assistant.store  # type: ignore[attr-defined]

    def down() -> str:
        raise ConnectionRefusedError("database down")

    store.ping = down
    resp = client.get("/readyz")
    assert resp.status_code == 503
    body = resp.json()["checks"]
    assert body["database"] == "error: ConnectionRefusedError" and body["llm"] == "ok"


def test_readyz_checks_redis_when_configured(settings: Settings, knowledge: Knowledge) -> None:
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=2).ping()
        up = True
    except redis.RedisError:
        up = False
    for url, expected in ((f"redis://127.0.0.1:{free_port()}/0", 503),
                          ("redis://127.0.0.1:6379/0", 200)):
        if expected == 200 and not up:
            continue
        settings.redis_url = url
        with TestClient(create_app(settings, knowledge, FakeChat())) as c:
            began = time.perf_counter()
            resp = c.get("/readyz")
            assert time.perf_counter() - began < 10
        assert resp.status_code == expected, resp.text
        assert resp.json()["checks"]["rate_limits"].endswith(
            "(redis)" if expected == 200 else "redis not answering")


def test_the_guards_gazetteer_is_read_at_start_up_not_in_the_first_reply(
        settings: Settings, knowledge: Knowledge) -> None:
    from cxrag.guard import places

    places._gazetteer.cache_clear()
    with_keys(settings, "widget-k", "agent-k", "admin-k")
    with TestClient(create_app(settings, knowledge, FakeChat())):
        assert places._gazetteer.cache_info().currsize == 1
