"""Hostile input gets a clear 4xx and holds nothing: body limits before the key, nested JSON,
collections a widget key may not create, rate limits, upload names, CORS on refusals, and what
a widget's caller may see of a reply."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.api.conftest import with_keys
from tests.conftest import FakeChat
from tests.uploads import upload

WIDGET, AGENT, ADMIN = "widget-key", "agent-key", "admin-key"
W, A, ROOT = {"X-API-Key": WIDGET}, {"X-API-Key": AGENT}, {"X-API-Key": ADMIN}
GIFT = "Gift cards never expire and can be used on any product sold by us."


@pytest.fixture
def client(settings: Settings, knowledge: Knowledge, sample_kb: Path) -> Iterator[TestClient]:
    with_keys(settings, WIDGET, AGENT, ADMIN)
    settings.api.widget_origins = {WIDGET: ["https://shop.example"]}
    knowledge.get().ingestor.run([sample_kb])
    with TestClient(create_app(settings, knowledge, FakeChat(default=GIFT))) as c:
        yield c


def nested(depth: int) -> dict[str, object]:
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return {"a": value}


@pytest.mark.parametrize("depth", [9, 300, 900])
def test_deeply_nested_json_is_refused_and_the_customer_stays_readable(
        client: TestClient, depth: int) -> None:
    assert client.put("/v1/customers/C1", headers=A, json={"name": "Ana"}).status_code == 200
    resp = client.put("/v1/customers/C1", headers=A,
                      json={"name": "Ana", "attributes": nested(depth)})
    assert resp.status_code == 422 and "nested deeper" in resp.text
    resp = client.post("/v1/customers/C1/events", headers=A,
                       json={"kind": "x", "data": nested(depth)})
    assert resp.status_code == 422
    assert client.get("/v1/customers/C1/history", headers=A).status_code == 200


def test_json_nested_past_the_parser_is_a_problem_not_a_crash(client: TestClient) -> None:
    body = '{"name": "Ana", "attributes": ' + "[" * 50_000 + "]" * 50_000 + "}"
    resp = client.put("/v1/customers/C1", headers={**A, "Content-Type": "application/json"},
                      content=body)
    assert 400 <= resp.status_code < 500
    assert resp.headers["content-type"] == "application/problem+json"


def test_free_form_json_within_bounds_is_kept(client: TestClient) -> None:
    attrs = {"plan": "gold", "prefs": {"lang": "es", "tags": ["a", "b"]}}
    assert client.put("/v1/customers/C2", headers=A,
                      json={"name": "Bo", "attributes": attrs}).json()["attributes"] == attrs


def test_bodies_over_the_limit_are_refused_before_the_key(client: TestClient,
                                                        settings: Settings) -> None:
    big = "x" * (settings.api.max_body_kb * 1024 + 10)
    resp = client.post("/v1/chat", content=json.dumps({"message": big, "visitor_id": "v"}),
                       headers={"Content-Type": "application/json"})  # no key at all
    assert resp.status_code == 413 and resp.json()["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"message": "'
        for _ in range(settings.api.max_body_kb + 4):
            yield b"y" * 1024
        yield b'", "visitor_id": "v"}'

    resp = client.post("/v1/chat", content=chunks(),
                       headers={**W, "Content-Type": "application/json"})
    assert resp.status_code == 413


def test_an_upload_is_not_read_before_the_admin_key_is_checked(client: TestClient) -> None:
    files = {"files": ("faq.md", b"# FAQ\n\nHello.\n")}
    assert client.post("/v1/ingest", files=files).status_code == 401
    assert client.post("/v1/ingest", files=files, headers=A).status_code == 403


@pytest.mark.parametrize("name", ["..", ".", "a" * 300 + ".md", "/", "dir/.."])
def test_bad_upload_names_are_4xx_and_leave_no_file(client: TestClient, settings: Settings,
                                                    name: str) -> None:
    resp = client.post("/v1/ingest", headers=ROOT, files={"files": (name, b"# Hi\n\nText.\n")})
    assert resp.status_code == 422, resp.text
    uploads = settings.collection_dir("default", "knowledge") / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_an_oversized_file_is_reported_and_the_rest_indexed(client: TestClient,
                                                           settings: Settings) -> None:
    settings.ingest.max_file_mb = 0.01
    files = [("files", ("big.txt", b"word " * 5000)), ("files", ("ok.md", b"# Ok\n\nFine.\n"))]
    body = upload(client, files, ROOT)
    assert body["failed"] == 1 and body["failures"][0]["source"] == "big.txt"
    assert body["failures"][0]["code"] == "document_too_large"  # as an inline ingest says
    assert body["added"] == 1 and body["status"] == "done"


def test_a_widget_key_cannot_create_collections(client: TestClient, settings: Settings) -> None:
    for name in ("spam-1", "spam-2", "spam-3"):
        resp = client.post("/v1/chat", headers=W, json={"message": "hi", "visitor_id": "v",
                                                        "collection": name})
        assert resp.status_code == 403 and "may not use collection" in resp.json()["detail"]
    resp = client.post("/v1/chat", headers=A, json={"message": "hi", "visitor_id": "v",
                                                    "collection": "spam-4"})
    assert resp.status_code == 404 and resp.json()["code"] == "collection_not_found"
    resp = client.post("/v1/search", headers=A, json={"query": "hi", "collection": "spam-5"})
    assert resp.status_code == 404
    knowledge = client.app.state.knowledge  # type: ignore[attr-defined]
    assert not any(knowledge.exists(f"spam-{i}", "default") for i in range(1, 6))
    collections = settings.data_dir / "collections" / "default"
    if not settings.database_url:  # embedded: not even a folder was made for them
        assert sorted(p.name for p in collections.iterdir()) == ["knowledge"]


def test_a_widget_key_uses_the_collections_listed_for_it(client: TestClient,
                                                         settings: Settings) -> None:
    settings.api.widget_collections = {WIDGET: ["knowledge"]}
    resp = client.post("/v1/chat", headers=W, json={"message": "Do gift cards expire?",
                                                    "visitor_id": "v", "collection": "knowledge"})
    assert resp.status_code == 200


def test_rate_limits_per_visitor_and_per_key(client: TestClient, settings: Settings) -> None:
    settings.api.rate_limits.per_visitor = "3/minute"
    app = client.app
    from cxrag.api.throttle import RateLimiter
    app.state.rate_limiter = RateLimiter(settings)  # type: ignore[attr-defined]
    codes = [client.post("/v1/chat", headers=W, json={"message": "Do gift cards expire?",
                                                      "visitor_id": "v-rl"}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = client.post("/v1/chat", headers=W, json={"message": "hi", "visitor_id": "v-rl"})
    assert resp.json()["code"] == "rate_limited" and int(resp.headers["retry-after"]) >= 1
    # Another visitor is not held back by this one.
    assert client.post("/v1/chat", headers=W, json={"message": "hi",
                                                    "visitor_id": "v-other"}).status_code == 200
    settings.api.rate_limits.per_key = "2/minute"
    app.state.rate_limiter = RateLimiter(settings)  # type: ignore[attr-defined]
    codes = [client.get("/v1/feedback/export", headers=A).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_rate_limits_per_address_count_bad_keys(client: TestClient, settings: Settings) -> None:
    settings.api.rate_limits.per_ip = "5/minute"
    from cxrag.api.throttle import RateLimiter
    client.app.state.rate_limiter = RateLimiter(settings)  # type: ignore[attr-defined]
    codes = [client.post("/v1/search", headers={"X-API-Key": f"guess-{i}"},
                         json={"query": "x"}).status_code for i in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]


def test_a_refusal_to_another_origin_carries_no_cors_headers(client: TestClient) -> None:
    for key in (None, "unknown-key"):
        headers = {"Origin": "https://evil.example", **({"X-API-Key": key} if key else {})}
        resp = client.post("/v1/chat", headers=headers, json={"message": "hi",
                                                              "visitor_id": "v"})
        assert resp.status_code == 401
        assert "access-control-allow-origin" not in resp.headers


def test_a_widget_caller_sees_no_summary_triage_or_server_paths(client: TestClient) -> None:
    resp = client.post("/v1/chat", headers=W, json={"message": "Do gift cards expire?",
                                                    "visitor_id": "v-view"}).json()
    assert resp["citations"] and all(c["source"] == "" for c in resp["citations"])
    handed = client.post("/v1/chat", headers=W, json={
        "message": "I want to talk to a human agent now", "visitor_id": "v-view"}).json()
    assert handed["handoff"] and set(handed["handoff"]) == {"reason", "queue"}
    assert set(handed["escalation"]) == {"escalate", "reason"}
    conversation = client.get(f"/v1/conversations/{handed['conversation_id']}",
                              headers={**W, "X-Visitor-Id": "v-view"}).json()
    for message in conversation["messages"]:
        assert not (message.get("handoff") or {}).get("summary")
        assert all(c["source"] == "" for c in message.get("citations", []))
    # Agents see everything.
    agent = client.post("/v1/chat", headers=A, json={
        "message": "I want to talk to a human agent now", "visitor_id": "v-agent"}).json()
    assert agent["handoff"]["summary"] and agent["handoff"]["triage"]
    cited = client.post("/v1/chat", headers=A, json={"message": "Do gift cards expire?",
                                                     "visitor_id": "v-agent2"}).json()
    assert cited["citations"][0]["source"].endswith("gift-cards.txt")


def test_unknown_routes_and_bad_bodies_are_problem_json(client: TestClient) -> None:
    for resp in (client.get("/v1/nope", headers=A),
                 client.post("/v1/chat", headers={**W, "Content-Type": "application/json"},
                             content=b"{not json")):
        assert 400 <= resp.status_code < 500
        assert resp.headers["content-type"] == "application/problem+json"


def test_a_non_ascii_customer_token_is_401_not_500(client: TestClient,
                                                    settings: Settings) -> None:
    settings.api.customer_token_secrets = {"default": SecretStr("tenant-secret")}
    resp = client.post("/v1/chat", headers=W, json={"message": "hi", "customer_id": "C1",
                                                    "customer_token": "ñ" * 64})
    assert resp.status_code == 401 and resp.json()["code"] == "unauthorized"


def test_nul_characters_are_refused_before_any_store_sees_them(client: TestClient) -> None:
    # PostgreSQL text columns refuse NUL: once a 500 from PUT /v1/customers (the API fuzz
    # test, on the server configuration). Refused for every engine, in body, path and query.
    for body in ('{"name": "Ana\\u0000"}', '{"name": "Ana\\u0000'):
        resp = client.put("/v1/customers/C-NUL", headers={**A, "Content-Type":
                                                           "application/json"}, content=body)
        assert resp.status_code == 422 and "NUL" in resp.json()["detail"], resp.text
    resp = client.get("/v1/customers/C%00X/history", headers=A)
    assert resp.status_code == 422 and "NUL" in resp.json()["detail"]
    resp = client.post("/v1/search?x=%00", headers=A, json={"query": "gift"})
    assert resp.status_code == 422
    # A backslash the customer typed is text like any other.
    ok = client.put("/v1/customers/C-OK", headers=A, json={"name": "Ana \\u0000 not a NUL"})
    assert ok.status_code == 200, ok.text
