"""The reply endpoints' response models: named in the OpenAPI document, and the JSON they
serialise is the payload the reply side builds, key for key and in the same order (the streamed
``reply`` event, which no model touches, is the reference)."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeChat

WIDGET, AGENT = "widget-key", "agent-key"
GIFT = "Gift cards never expire and can be used on any product sold by us."
UNSUPPORTED = "Nuestras tiendas abren los domingos por la tarde en Madrid."
# (usage: a fake stream counts tokens differently from a fake complete)
VOLATILE = {"conversation_id", "message_id", "latency_ms", "usage"}


@pytest.fixture
def chat_model() -> FakeChat:
    return FakeChat(default=GIFT)


@pytest.fixture
def client(settings: Settings, knowledge: Knowledge, sample_kb: Path,
           chat_model: FakeChat) -> Iterator[TestClient]:
    settings.api.widget_keys = [SecretStr(WIDGET)]
    settings.api.agent_keys = [SecretStr(AGENT)]
    knowledge.get().ingestor.run([sample_kb])
    with TestClient(create_app(settings, knowledge, chat_model)) as c:
        yield c


def ref(content: dict[str, Any]) -> str:
    return str(content["application/json"]["schema"]["$ref"]).rsplit("/", 1)[-1]


def test_openapi_names_the_reply_models(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    chat = spec["paths"]["/v1/chat"]["post"]["responses"]["200"]["content"]
    assert ref(chat) == "ChatReply" and "text/event-stream" in chat
    drafts = spec["paths"]["/v1/drafts"]["post"]["responses"]["200"]["content"]
    assert ref(drafts) == "DraftReply"
    handoffs = spec["paths"]["/v1/handoffs"]["post"]["responses"]["201"]["content"]
    assert ref(handoffs) == "HandoffCreated"
    schemas = spec["components"]["schemas"]
    assert {"ChatReply", "ReplyHandoff", "ReplyCitation", "ReplyEscalation", "DraftReply",
            "DraftCitation"} <= set(schemas)
    assert list(schemas["ChatReply"]["properties"]) == [
        "conversation_id", "message_id", "answer", "citations", "grounded", "rung", "handoff",
        "escalation", "language", "prompt_version", "model", "usage", "latency_ms"]


def streamed_reply(client: TestClient, key: str, body: dict[str, Any]) -> dict[str, Any]:
    with client.stream("POST", "/v1/chat", headers={"X-API-Key": key},
                       json={**body, "stream": True}) as resp:
        raw = "".join(resp.iter_text())
    last = raw.strip().split("\n\n")[-1].split("\n")
    assert last[0] == "event: reply"
    reply: dict[str, Any] = json.loads(last[1].removeprefix("data: "))
    return reply


def shape(value: Any) -> Any:
    """Keys in order, all the way down, with the values that do not vary between runs."""
    if isinstance(value, dict):
        return [(k, shape(v)) for k, v in value.items() if k not in VOLATILE]
    if isinstance(value, list):
        return [shape(v) for v in value]
    return value


@pytest.mark.parametrize("key", [WIDGET, AGENT])
@pytest.mark.parametrize("answer", [GIFT, UNSUPPORTED])
def test_the_model_changes_nothing_in_the_json(client: TestClient, chat_model: FakeChat,
                                               key: str, answer: str) -> None:
    body = {"message": "Do gift cards expire?" if answer == GIFT else
            "¿Las tarjetas regalo caducan?"}  # (the Spanish one lands on a handoff)
    chat_model.script = [answer]  # each in a new conversation: no history, one model call
    plain = client.post("/v1/chat", json={**body, "visitor_id": "v-plain"},
                        headers={"X-API-Key": key})
    assert plain.status_code == 200, plain.text
    chat_model.script = [answer]
    streamed = streamed_reply(client, key, {**body, "visitor_id": "v-streamed"})
    assert shape(plain.json()) == shape(streamed)
    assert list(plain.json())[:2] == ["conversation_id", "message_id"]
    handoff = plain.json()["handoff"]
    if answer == UNSUPPORTED:
        assert handoff is not None
        assert ("summary" in handoff) == (key == AGENT)  # left out for a customer, not null


def test_the_draft_is_served_as_built(client: TestClient) -> None:
    ticket = {"subject": "Gift cards", "messages": [{"text": "Do gift cards expire?"}]}
    resp = client.post("/v1/drafts", json={"ticket": ticket}, headers={"X-API-Key": AGENT})
    assert resp.status_code == 200, resp.text
    assert list(resp.json()) == ["draft_id", "draft", "citations", "customer_summary",
                                 "suggested_actions", "confidence", "language",
                                 "prompt_version", "model", "triage"]
