from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeChat
from tests.uploads import upload

ADMIN = "admin-secret"
AGENT = {"X-API-Key": "agent-secret"}


@pytest.fixture
def client(settings: Settings, knowledge: Knowledge, sample_kb: Path) -> Iterator[TestClient]:
    settings.api.admin_keys = [SecretStr(ADMIN)]
    settings.api.agent_keys = [SecretStr(AGENT["X-API-Key"])]
    settings.api.widget_keys = [SecretStr("widget-key")]
    knowledge.get().ingestor.run([sample_kb])
    with TestClient(create_app(settings, knowledge, FakeChat())) as c:
        yield c


def test_search_returns_documents(client: TestClient) -> None:
    resp = client.post("/v1/search", json={"query": "gift cards expire", "k": 2}, headers=AGENT)
    assert resp.status_code == 200
    body = resp.json()
    assert body["results"][0]["document_id"] == "en/gift-cards"
    assert set(body["results"][0]) >= {"document_id", "chunk_id", "title", "source", "score",
                                         "text", "language"}
    assert len(body["results"]) == 2


def test_search_takes_the_conversation_and_reports_relevance(client: TestClient) -> None:
    resp = client.post("/v1/search", json={"query": "do they expire?", "k": 2,
                                           "history": ["I was given gift cards"]},
                       headers=AGENT)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["results"][0]["document_id"] == "en/gift-cards"
    assert "relevance" in body  # null here: the test embedder has no fitted score
    for history in (["x" * 2001], ["turn"] * 21):
        resp = client.post("/v1/search", json={"query": "q", "history": history}, headers=AGENT)
        assert resp.status_code == 422 and resp.json()["code"] == "invalid_request"


def test_search_filters(client: TestClient) -> None:
    resp = client.post("/v1/search", json={"query": "garantía devolución pedido", "k": 5,
                                           "filters": {"language": "es", "tag": "returns"}},
                       headers=AGENT)
    results = resp.json()["results"]
    assert [r["document_id"] for r in results] == ["es/devoluciones"]


def test_search_needs_an_agent_key(client: TestClient) -> None:
    assert client.post("/v1/search", json={"query": "gift"}).status_code == 401
    resp = client.post("/v1/search", json={"query": "gift"}, headers={"X-API-Key": "widget-key"})
    assert resp.status_code == 403 and resp.json()["code"] == "forbidden"


def test_invalid_request_is_problem_json(client: TestClient) -> None:
    resp = client.post("/v1/search", json={"query": "", "k": 500}, headers=AGENT)
    assert resp.status_code == 422
    assert resp.headers["content-type"] == "application/problem+json"
    body = resp.json()
    assert body["code"] == "invalid_request" and body["status"] == 422 and body["errors"]


def test_bad_collection_name_is_problem_json(client: TestClient) -> None:
    resp = client.post("/v1/search", json={"query": "x", "collection": "../etc"},
                       headers=AGENT)
    assert resp.status_code == 422 and resp.json()["code"] == "invalid_name"


def test_ingest_needs_admin_key(client: TestClient, tmp_path: Path) -> None:
    files = {"files": ("faq.md", b"# FAQ\n\nWe reply within one business day.\n")}
    assert client.post("/v1/ingest", files=files).status_code == 401
    resp = client.post("/v1/ingest", files=files, headers={"X-API-Key": "nope"})
    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"
    job = upload(client, files, {"X-API-Key": ADMIN})
    assert job["added"] == 1 and job["status"] == "done" and job["files_done"] == 1
    bad = {"files": ("broken.pdf", b"%PDF-1.4 garbage")}
    job = upload(client, bad, {"X-API-Key": ADMIN})
    assert job["failed"] == 1 and job["failures"][0]["source"] == "broken.pdf"
    hit = client.post("/v1/search", json={"query": "reply within one business day"},
                      headers=AGENT).json()
    assert hit["results"][0]["title"] == "FAQ"


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert ready.json()["checks"]["llm"] == "ok"
    assistant = client.app.state.assistant  # type: ignore[attr-defined]
    assistant.health = lambda: {"llm": False}  # the embedded model stopped answering
    down = client.get("/readyz")
    assert down.status_code == 503 and down.json()["checks"]["llm"] == "not answering"


def test_openapi_has_examples(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/v1/search" in spec["paths"] and "/v1/ingest" in spec["paths"]
    assert "examples" in str(spec["components"]["schemas"]["SearchRequest"])
