"""Agent endpoints: drafts and feedback, customer profile/events/history; role checks."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeChat

WIDGET, AGENT = "widget-key", "agent-key"
A = {"X-API-Key": AGENT}
WARRANTY = "Todos los dispositivos Luma tienen dos años de garantía."


@pytest.fixture
def client(settings: Settings, knowledge: Knowledge, sample_kb: Path) -> Iterator[TestClient]:
    settings.api.widget_keys = [SecretStr(WIDGET)]
    settings.api.agent_keys = [SecretStr(AGENT)]
    knowledge.get().ingestor.run([sample_kb])
    with TestClient(create_app(settings, knowledge, FakeChat(default=WARRANTY))) as c:
        yield c


def test_widget_keys_cannot_reach_agent_endpoints(client: TestClient) -> None:
    w = {"X-API-Key": WIDGET}
    assert client.get("/v1/customers/C1/history", headers=w).status_code == 403
    assert client.put("/v1/customers/C1", json={"name": "x"}, headers=w).status_code == 403
    assert client.post("/v1/drafts", json={}, headers=w).status_code in (403, 422)
    assert client.get("/v1/feedback/export", headers=w).status_code == 403
    assert client.get("/v1/customers/C1/history").status_code == 401


def test_customer_profile_events_and_history(client: TestClient) -> None:
    resp = client.put("/v1/customers/C0042", headers=A,
                      json={"name": "Lucía", "locale": "es-MX", "tier": "gold"})
    assert resp.status_code == 200 and resp.json()["name"] == "Lucía"
    resp = client.post("/v1/customers/C0042/events", headers=A,
                       json={"kind": "order_delayed", "data": {"order": "T-9"}})
    assert resp.status_code == 200
    hist = client.get("/v1/customers/C0042/history", headers=A).json()
    assert hist["customer"]["tier"] == "gold" and hist["events"][0]["kind"] == "order_delayed"
    missing = client.get("/v1/customers/NOPE/history", headers=A)
    assert missing.status_code == 404 and missing.json()["code"] == "customer_not_found"
    assert client.post("/v1/customers/NOPE/events", headers=A,
                       json={"kind": "x"}).status_code == 404


def test_draft_then_feedback_then_export(client: TestClient) -> None:
    client.put("/v1/customers/C0042", headers=A, json={"name": "Lucía", "tier": "gold"})
    ticket = {"subject": "Garantía de mi cámara Luma", "customer_id": "C0042",
              "messages": [{"author": "customer", "text": "¿Cuántos años de garantía tiene?"}]}
    body = client.post("/v1/drafts", headers=A, json={"ticket": ticket}).json()
    assert body["draft"].startswith(WARRANTY) and body["confidence"] == 1.0
    assert body["citations"][0]["document_id"] == "es/garantia"
    assert "Lucía (gold tier)" in body["customer_summary"] and body["suggested_actions"]
    assert body["language"] == "es"
    fb = client.post(f"/v1/drafts/{body['draft_id']}/feedback", headers=A,
                     json={"accepted": False, "edited_text": "Tiene 2 años.", "rating": 4})
    assert fb.status_code == 200
    assert client.post(f"/v1/drafts/{body['draft_id']}/feedback", headers=A,
                       json={}).status_code == 422
    assert client.post("/v1/drafts/nope/feedback", headers=A,
                       json={"accepted": True}).status_code == 404
    rows = client.get("/v1/feedback/export", headers=A).json()
    assert len(rows) == 1 and rows[0]["edited_text"] == "Tiene 2 años." and rows[0]["rating"] == 4
