"""POST /v1/triage, and the triage that chat replies, handoffs and drafts carry (real
embedder and sentiment, real Chroma and SQLite, a scripted fake LLM)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.embed.onnx import UseMultilingualEmbedder
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from cxrag.store.records import TicketRecord
from tests.conftest import FakeChat

WIDGET, AGENT = "widget-key", "agent-key"
A = {"X-API-Key": AGENT}
GIFT = "Gift cards never expire and can be used on any product sold by us."


@pytest.fixture
def client(settings: Settings, sample_kb: Path,
           use_embedder: UseMultilingualEmbedder) -> Iterator[TestClient]:
    settings.api.widget_keys = [SecretStr(WIDGET)]
    settings.api.agent_keys = [SecretStr(AGENT)]
    knowledge = Knowledge(settings, embedder=use_embedder)
    knowledge.get().ingestor.run([sample_kb])
    with TestClient(create_app(settings, knowledge, FakeChat(default=GIFT))) as c:
        store = c.app.state.assistant.store  # type: ignore[attr-defined]
        store.upsert_customer("default", "C0007", name="Ana", locale="es-ES", tier="plus")
        store.upsert_customer("default", "C0008", name="Bruno", locale="en-GB", tier="standard")
        for i in range(3):  # Bruno wrote three times this week
            store.record_ticket("default", TicketRecord(
                id=f"TK-{i}", customer_id="C0008", channel="email", subject="Late parcel",
                status="open", category="shipping", tags=[], priority="normal",
                created_at=datetime.now(UTC) - timedelta(days=i + 1), resolved_at=None,
                csat=None, summary=None, resolution=None))
        yield c
    knowledge.close()


def test_triage_returns_the_documented_fields(client: TestClient) -> None:
    resp = client.post("/v1/triage", headers=A, json={"text": "Me han cobrado dos veces el "
                                                               "mismo pedido"})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) >= {"category", "confidence", "priority", "language", "sentiment",
                         "frustration", "escalate", "queue", "out_of_scope"}
    assert body["category"] == "payments" and body["language"] == "es"
    assert body["sentiment"]["label"] == "negative" and body["queue"] == "payments-es"
    assert body["classifier"] == "zero-shot" and body["escalate"] is False
    assert [r["code"] for r in body["frustration"]["reasons"]] == ["negative_sentiment"]


def test_triage_needs_an_agent_key(client: TestClient) -> None:
    body = {"text": "hola"}
    assert client.post("/v1/triage", json=body).status_code == 401
    assert client.post("/v1/triage", json=body, headers={"X-API-Key": WIDGET}).status_code == 403
    assert client.post("/v1/triage", json={"text": ""}, headers=A).status_code == 422


def test_the_customers_tier_history_and_load_hints_count(client: TestClient) -> None:
    text = "My parcel is late and nobody tells me anything."
    anonymous = client.post("/v1/triage", headers=A, json={"text": text}).json()
    bruno = client.post("/v1/triage", headers=A, json={"text": text, "customer_id": "C0008"})
    bruno_body = bruno.json()
    assert bruno_body["frustration"]["score"] > anonymous["frustration"]["score"]
    assert "repeated_contacts_history" in [r["code"] for r in bruno_body["frustration"]["reasons"]]
    assert bruno_body["escalate"] and bruno_body["escalation_reason"] == "frustration"
    ana = client.post("/v1/triage", headers=A, json={
        "text": "¿Cuándo llega mi pedido?", "customer_id": "C0007"}).json()
    assert ana["queue"] == "vip"
    busy = client.post("/v1/triage", headers=A, json={
        "text": "¿Cuándo llega mi pedido?", "customer_id": "C0007", "load": {"vip": 1.0}})
    assert busy.json()["queue"] == "vip"  # a VIP queue at capacity still beats the others
    assert client.post("/v1/triage", headers=A, json={
        "text": "hola", "conversation_id": "nope"}).status_code == 404


def test_a_frustrated_chat_message_goes_to_a_person_with_the_analysis(
        client: TestClient) -> None:
    resp = client.post("/v1/chat", headers=A, json={
        "channel": "web", "customer_id": "C0008",
        "message": "THIS IS THE THIRD TIME I WRITE!!! Where is my parcel???"})
    body = resp.json()
    assert resp.status_code == 200 and body["grounded"] is False
    handoff = body["handoff"]
    assert handoff["reason"] == "frustration" and handoff["queue"] == "support-en"
    assert handoff["priority"] == "high" and handoff["triage"]["escalate"] is True
    assert "Triage:" in handoff["summary"] and "frustration" in handoff["summary"]
    assert body["escalation"] == {"escalate": True, "reason": "frustration",
                                  "queue": "support-en", "priority": "high"}
    # the next message of the conversation still knows Bruno, and the triage is stored
    history = client.get("/v1/customers/C0008/history", headers=A).json()
    stored = [m for m in history["messages"] if m["role"] == "assistant"][-1]
    assert stored["meta"]["handoff"]["triage"]["frustration"]["score"] >= 0.7


def test_a_calm_question_is_answered_and_carries_the_decision(client: TestClient) -> None:
    body = client.post("/v1/chat", headers=A, json={
        "channel": "web", "visitor_id": "v-9", "message": "Do gift cards expire?"}).json()
    assert body["grounded"] is True and body["handoff"] is None
    assert body["escalation"]["escalate"] is False and body["escalation"]["queue"]


def test_asking_for_a_person_routes_by_what_they_wrote(client: TestClient) -> None:
    first = client.post("/v1/chat", headers=A, json={
        "channel": "web", "customer_id": "C0007", "message": "¿Caducan las tarjetas regalo?"})
    resp = client.post("/v1/handoffs", headers={**A, "X-Customer-Id": "C0007"},
                       json={"conversation_id": first.json()["conversation_id"]})
    body = resp.json()
    assert resp.status_code == 201, body
    assert body["queue"] == "vip" and body["priority"] == "high"  # normal, one up for VIP
    assert "Triage:" in body["summary"] and "contact(s) recently" not in body["summary"]


def test_a_draft_carries_the_triage_and_suggests_the_escalation(client: TestClient) -> None:
    resp = client.post("/v1/drafts", headers=A, json={"ticket": {
        "subject": "Cargo duplicado", "customer_id": "C0007",
        "messages": [{"author": "customer", "text": "Me habéis cobrado dos veces y es una "
                      "estafa. Si no me devolvéis el dinero hoy os denuncio."}]}})
    body = resp.json()
    assert resp.status_code == 200, body
    triage = body["triage"]
    assert triage["escalate"] and triage["escalation_reason"] in {"legal", "fraud"}
    assert triage["priority"] == "urgent" and triage["queue"] == "priority-es"
    assert body["suggested_actions"][0].startswith("Escalate to priority-es (urgent priority)")


def test_outside_business_hours_the_customer_is_told_when_people_are_back(
        settings: Settings, sample_kb: Path, use_embedder: UseMultilingualEmbedder,
        tmp_path: Path) -> None:
    opens = (datetime.now(UTC) + timedelta(hours=2)).replace(minute=0)
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "escalation:\n  business_hours:\n    timezone: UTC\n"
        "    days: [mon, tue, wed, thu, fri, sat, sun]\n"
        f"    open: '{opens:%H}:00'\n    close: '{opens:%H}:30'\n")
    settings.cx.policy_file = policy
    settings.api.agent_keys = [SecretStr(AGENT)]
    knowledge = Knowledge(settings, embedder=use_embedder)
    with TestClient(create_app(settings, knowledge, FakeChat(default=GIFT))) as c:
        body = c.post("/v1/chat", headers=A, json={
            "channel": "web", "visitor_id": "v-1",
            "message": "Quiero hablar con una persona, por favor"}).json()
        assert body["handoff"]["reason"] == "requested_human"
        assert body["answer"].endswith(f"vuelve el {_DAYS_ES[opens.weekday()]} a las "
                                       f"{opens:%H}:00 (UTC).")
        triage = c.post("/v1/triage", headers=A, json={"text": "hola"}).json()
        assert triage["within_business_hours"] is False
        assert triage["next_open"] == opens.strftime("%Y-%m-%dT%H:00:00+00:00")
    knowledge.close()


_DAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
