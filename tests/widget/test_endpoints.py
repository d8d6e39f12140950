"""The widget's endpoints: a conversation read back, thumbs on replies, talking to a person.

Each works for the conversation's owner alone (visitor id, or signed customer), with a widget
key or above; the widget key reaches nothing else.
"""

from typing import Any

from fastapi.testclient import TestClient

from cxrag.api.auth import sign_customer
from tests.conftest import FakeChat
from tests.widget.conftest import AGENT, SECRET, WIDGET

W = {"X-API-Key": WIDGET}
ANA = {"X-Customer-Id": "C0007", "X-Customer-Token": sign_customer(SECRET, "C0007")}


def chat(client: TestClient, **body: Any) -> dict[str, Any]:
    resp = client.post("/v1/chat", headers=W, json={"channel": "web", **body})
    assert resp.status_code == 200, resp.text
    result: dict[str, Any] = resp.json()
    return result


def test_a_reply_names_its_message_and_numbers_its_citations(client: TestClient) -> None:
    body = chat(client, message="Do gift cards expire?", visitor_id="v-1")
    assert isinstance(body["message_id"], int) and body["answer"].endswith("[1]")
    assert body["citations"][0]["number"] == 1
    assert body["citations"][0]["document_id"] == "en/gift-cards"


def test_the_owner_reads_the_conversation_back_and_nobody_else(client: TestClient) -> None:
    first = chat(client, message="Do gift cards expire?", visitor_id="v-1")
    url = f"/v1/conversations/{first['conversation_id']}"
    resp = client.get(url, headers={**W, "X-Visitor-Id": "v-1"})
    assert resp.status_code == 200, resp.text
    conv = resp.json()
    assert conv["status"] == "open" and conv["conversation_id"] == first["conversation_id"]
    user, answer = conv["messages"]
    assert (user["role"], user["text"]) == ("user", "Do gift cards expire?")
    assert answer["id"] == first["message_id"] and answer["text"] == first["answer"]
    assert answer["citations"][0]["title"] == "Gift cards" and answer["grounded"]
    assert "usage" not in answer and "model" not in answer

    other = client.get(url, headers={**W, "X-Visitor-Id": "v-2"})
    assert other.status_code == 403 and other.json()["code"] == "conversation_forbidden"
    assert client.get("/v1/conversations/nope", headers={**W, "X-Visitor-Id": "v-1"}
                      ).json()["code"] == "conversation_not_found"
    assert client.get(url, headers=W).status_code == 422  # who is asking?
    assert client.get(url, headers={"X-Visitor-Id": "v-1"}).status_code == 401


def test_a_signed_customer_reads_their_conversation(client: TestClient) -> None:
    token = ANA["X-Customer-Token"]
    first = chat(client, message="¿Caducan las tarjetas regalo?", customer_id="C0007",
                 customer_token=token)
    url = f"/v1/conversations/{first['conversation_id']}"
    assert client.get(url, headers={**W, **ANA}).status_code == 200
    forged = {**ANA, "X-Customer-Token": sign_customer(SECRET, "C0008")}
    assert client.get(url, headers={**W, **forged}).status_code == 401
    # Knowing the customer's conversation id is not enough for a visitor.
    assert client.get(url, headers={**W, "X-Visitor-Id": "v-1"}).status_code == 403
    agent = client.get(url, headers={"X-API-Key": AGENT, "X-Customer-Id": "C0007"})
    assert agent.status_code == 200


def test_thumbs_on_a_reply_are_one_verdict_that_feeds_the_export(client: TestClient) -> None:
    first = chat(client, message="Do gift cards expire?", visitor_id="v-1")
    url = (f"/v1/conversations/{first['conversation_id']}/messages/{first['message_id']}"
           "/feedback")
    me = {**W, "X-Visitor-Id": "v-1"}
    up = client.put(url, headers=me, json={"rating": "up"})
    assert up.status_code == 200, up.text
    assert up.json()["rating"] == "up" and up.json()["comment"] is None
    down = client.put(url, headers=me, json={"rating": "down", "comment": "Not my question"})
    assert down.json()["feedback_id"] == up.json()["feedback_id"]  # replaced, not added

    rows = client.get("/v1/feedback/export", headers={"X-API-Key": AGENT}).json()
    assert len(rows) == 1
    assert (rows[0]["rating"], rows[0]["comment"]) == (1, "Not my question")
    assert rows[0]["target"]["question"] == "Do gift cards expire?"

    assert client.put(url, headers={**W, "X-Visitor-Id": "v-2"},
                      json={"rating": "up"}).status_code == 403
    question = url.replace(f"/messages/{first['message_id']}/",
                           f"/messages/{first['message_id'] - 1}/")
    resp = client.put(question, headers=me, json={"rating": "up"})
    assert resp.status_code == 404 and resp.json()["code"] == "feedback_target_not_found"
    assert client.put(url, headers=me, json={"rating": 5}).status_code == 422


def stored_summary(client: TestClient, conversation_id: str, **owner: str) -> str:
    """The handoff summary the agents get (from the store)."""
    store = client.app.state.assistant.store  # type: ignore[attr-defined]
    _, messages = store.conversation("default", conversation_id, **owner)
    summary: str = messages[-1].meta["handoff"]["summary"]
    return summary


def test_talk_to_a_person_at_any_time(client: TestClient) -> None:
    me = {**W, "X-Visitor-Id": "v-9"}
    resp = client.post("/v1/handoffs", headers=me, json={"locale": "es-ES"})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["reason"], body["queue"], body["status"]) == ("requested", "support-es",
                                                              "handoff")
    # The summary and triage are for the agents: the widget's caller never sees them.
    assert body["summary"] is None and body["priority"] is None and "triage" not in body
    assert "anonymous visitor (es) asked to talk to a person" in stored_summary(
        client, body["conversation_id"], visitor_id="v-9")
    conv = client.get(f"/v1/conversations/{body['conversation_id']}", headers=me).json()
    assert conv["status"] == "handoff"
    assert conv["messages"][-1]["role"] == "system"
    assert conv["messages"][-1]["handoff"]["queue"] == "support-es"


def test_a_handoff_carries_the_conversation_and_the_customers_data(
        client: TestClient, chat_model: FakeChat) -> None:
    first = chat(client, message="Where is my order?", customer_id="C0007",
                 customer_token=ANA["X-Customer-Token"])
    resp = client.post("/v1/handoffs", headers={**W, **ANA},
                       json={"conversation_id": first["conversation_id"]})
    body = resp.json()
    assert body["conversation_id"] == first["conversation_id"] and body["queue"] == "vip"
    assert body["summary"] is None
    summary = stored_summary(client, body["conversation_id"], customer_id="C0007")
    assert summary.startswith("Ana (en) asked to talk to a person")
    assert "Order T-1042: shipped" in summary and "customer: Where is my order?" in summary
    # "Where is my order?" is answered from her order first (the account rung), then the model
    assert "assistant: Your order T-1042" in summary
    # The conversation goes on; the handoff note never reaches the model's prompt.
    again = chat(client, message="And gift cards?", customer_id="C0007",
                 customer_token=ANA["X-Customer-Token"],
                 conversation_id=first["conversation_id"])
    assert again["conversation_id"] == first["conversation_id"]
    assert all("talk to a person" not in m["content"] for m in chat_model.calls[-1])
    other = client.post("/v1/handoffs", headers={**W, "X-Visitor-Id": "v-1"},
                        json={"conversation_id": first["conversation_id"]})
    assert other.status_code == 403


def test_a_widget_key_reaches_chat_and_feedback_only(client: TestClient) -> None:
    me = {**W, "X-Visitor-Id": "v-1"}
    assert client.get("/v1/feedback/export", headers=me).status_code == 403
    assert client.get("/v1/customers/C0007/history", headers=me).status_code == 403
    assert client.put("/v1/customers/C0007", headers=me, json={"name": "x"}).status_code == 403
    assert client.post("/v1/drafts", headers=me, json={"ticket": {
        "subject": "x", "messages": [{"text": "y"}]}}).status_code == 403
    files = {"files": ("faq.md", b"# FAQ\n\nHello there.\n")}
    assert client.post("/v1/ingest", headers=me, files=files).status_code == 403
