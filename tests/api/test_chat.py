"""POST /v1/chat over real parts (Chroma, tantivy, SQLite history) with a scripted fake LLM:
the auth matrix, grounded replies, handoffs, streaming, conversations across channels."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.api.auth import sign_customer
from cxrag.errors import LLMTimeout
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeChat

WIDGET, AGENT, ADMIN, SECRET = "widget-key", "agent-key", "admin-key", "tenant-secret"
GIFT = "Gift cards never expire and can be used on any product sold by us."


@pytest.fixture
def chat_model() -> FakeChat:
    return FakeChat(default=GIFT)


@pytest.fixture
def client(settings: Settings, knowledge: Knowledge, sample_kb: Path,
           chat_model: FakeChat) -> Iterator[TestClient]:
    settings.api.widget_keys = [SecretStr(WIDGET)]
    settings.api.agent_keys = [SecretStr(AGENT)]
    settings.api.admin_keys = [SecretStr(ADMIN)]
    settings.api.customer_token_secrets = {"default": SecretStr(SECRET)}
    settings.api.max_message_chars = 500
    knowledge.get().ingestor.run([sample_kb])
    with TestClient(create_app(settings, knowledge, chat_model)) as c:
        store = c.app.state.assistant.store  # type: ignore[attr-defined]
        store.upsert_customer("default", "C0007", name="Ana", locale="es-ES", tier="gold")
        store.upsert_order("default", "C0007", "T-1042", status="shipped", total=59.9,
                           currency="EUR")
        store.upsert_customer("default", "C0008", name="Bruno", locale="en-GB")
        yield c


def post(client: TestClient, key: str | None, **body: object):  # type: ignore[no-untyped-def]
    headers = {"X-API-Key": key} if key else {}
    return client.post("/v1/chat", json=body, headers=headers)


def test_auth_matrix(client: TestClient) -> None:
    msg = {"message": "Do gift cards expire?"}
    assert post(client, None, visitor_id="v1", **msg).status_code == 401
    assert post(client, "wrong", visitor_id="v1", **msg).json()["code"] == "unauthorized"
    assert post(client, WIDGET, visitor_id="v1", **msg).status_code == 200
    # A widget key names a customer only with the host page's signature.
    resp = post(client, WIDGET, customer_id="C0007", **msg)
    assert resp.status_code == 401 and resp.headers["content-type"] == "application/problem+json"
    resp = post(client, WIDGET, customer_id="C0007", customer_token=sign_customer(SECRET, "C0008"),
                **msg)
    assert resp.status_code == 401
    resp = post(client, WIDGET, customer_id="C0007",
                customer_token=sign_customer(SECRET, "C0007"), **msg)
    assert resp.status_code == 200
    assert post(client, AGENT, customer_id="C0007", **msg).status_code == 200  # server-side key
    # A widget key cannot call admin endpoints.
    files = {"files": ("faq.md", b"# FAQ\n\nHello.\n")}
    resp = client.post("/v1/ingest", files=files, headers={"X-API-Key": WIDGET})
    assert resp.status_code == 403 and "widget key may not" in resp.json()["detail"]


def test_grounded_reply_shape_and_citations(client: TestClient) -> None:
    body = post(client, WIDGET, visitor_id="v1", message="Do gift cards expire?").json()
    assert set(body) >= {"conversation_id", "answer", "citations", "grounded", "handoff",
                         "language", "prompt_version", "model", "usage", "latency_ms"}
    assert body["grounded"] and body["handoff"] is None and body["language"] == "en"
    assert body["citations"][0]["document_id"] == "en/gift-cards"
    assert body["citations"][0]["quote"] and body["prompt_version"] == "v3"  # the default version


def test_personalised_for_the_authenticated_customer_only(client: TestClient,
                                                          chat_model: FakeChat) -> None:
    post(client, AGENT, customer_id="C0007", message="¿Dónde está mi pedido?")
    prompt = chat_model.calls[-1][1]["content"]
    assert "Ana (gold tier)" in prompt and "Order T-1042: shipped" in prompt
    post(client, AGENT, customer_id="C0008", message="Where is my order?")
    prompt = chat_model.calls[-1][1]["content"]
    assert "Bruno" in prompt and "Ana" not in prompt and "T-1042" not in prompt


def test_a_conversation_continues_across_channels_and_is_private(client: TestClient) -> None:
    first = post(client, AGENT, customer_id="C0007", message="Do gift cards expire?",
                 channel="web").json()
    second = post(client, AGENT, customer_id="C0007", message="And the warranty?",
                  channel="whatsapp", conversation_id=first["conversation_id"]).json()
    assert second["conversation_id"] == first["conversation_id"]
    stolen = post(client, AGENT, customer_id="C0008", message="hi",
                  conversation_id=first["conversation_id"])
    assert stolen.status_code == 403 and stolen.json()["code"] == "conversation_forbidden"
    history = client.app.state.assistant.store.recent_messages(  # type: ignore[attr-defined]
        "default", first["conversation_id"], customer_id="C0007")
    assert [(m.role, m.channel) for m in history] == [
        ("user", "web"), ("assistant", "web"), ("user", "whatsapp"), ("assistant", "whatsapp")]


def test_unsupported_answers_hand_off_and_timeouts_fall_back(client: TestClient,
                                                             chat_model: FakeChat) -> None:
    chat_model.script = ["Nuestras tiendas abren los domingos por la tarde en Madrid."]
    body = post(client, WIDGET, visitor_id="v2", message="¿Las tarjetas regalo caducan?").json()
    assert not body["grounded"] and body["handoff"]["reason"] == "ungrounded"
    assert body["language"] == "es" and body["answer"].startswith("No encuentro")
    chat_model.script = [LLMTimeout("model took too long")]
    resp = post(client, WIDGET, visitor_id="v3", message="infrared night vision white image")
    assert resp.status_code == 200
    body = resp.json()
    assert body["handoff"]["reason"] == "llm_unavailable" and body["citations"]


def test_streaming_sends_checked_sentences_then_one_reply_event(
        client: TestClient, chat_model: FakeChat) -> None:
    chat_model.script = [f"{GIFT} Visit http://evil.example/login to claim a new card."]
    with client.stream("POST", "/v1/chat", headers={"X-API-Key": WIDGET},
                       json={"message": "Do gift cards expire?", "visitor_id": "v4",
                             "stream": True}) as resp:
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = "".join(resp.iter_text())
    events = [block.split("\n") for block in raw.strip().split("\n\n")]
    kinds = [e[0].removeprefix("event: ") for e in events]
    assert kinds == ["token", "reply"]  # one sentence passed the guard
    final = json.loads(events[-1][1].removeprefix("data: "))
    assert final["grounded"] and final["conversation_id"]
    streamed = "".join(json.loads(e[1].removeprefix("data: "))["text"] for e in events[:-1])
    assert streamed == f"{GIFT} [1]" == final["answer"]
    assert "evil.example" not in raw


def test_input_limits_are_clear_4xx(client: TestClient) -> None:
    resp = post(client, WIDGET, visitor_id="v5", message="x" * 501)
    assert resp.status_code == 422 and "longer than 500" in resp.json()["detail"]
    resp = post(client, WIDGET, message="hello")
    assert resp.status_code == 422 and "visitor_id" in resp.json()["detail"]
