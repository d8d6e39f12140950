"""The authorization matrix, generated from the app's routes: every route, every method, every
kind of caller (no key, a bad or forged key, widget, agent, admin), and for the widget's
conversation endpoints every way of naming someone else (a forged or foreign customer token,
another visitor's or customer's conversation).

A route added without an entry in ``POLICIES`` fails ``test_every_route_has_a_policy``.
``matrix_rows(client)`` returns (route, caller, expected, got) rows, for a docs table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response

from cxrag.api.app import create_app
from cxrag.api.auth import Role, sign_customer
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.api.conftest import with_keys
from tests.conftest import FakeChat

WIDGET, AGENT, ADMIN = "widget-key-7f3a9c", "agent-key-2b8e41", "admin-key-c05d6e"
SECRET, OTHER_TENANT_SECRET = "tenant-secret", "another-tenants-secret"
GIFT = "Gift cards never expire and can be used on any product sold by us."
KEYS: dict[str, str | None] = {
    "no key": None, "bad key": "nope", "forged key": "x" * len(ADMIN),
    "widget": WIDGET, "agent": AGENT, "admin": ADMIN}
ROLE_OF = {"widget": Role.widget, "agent": Role.agent, "admin": Role.admin}
ALLOWED, FORBIDDEN, NOT_YOURS = "allowed", "403", "403 conversation_forbidden"
UNAUTHORIZED, NO_IDENTITY = "401", "422"

Row = tuple[str, str, str, str]


@dataclass(frozen=True)
class Policy:
    """Who may call a route: the least role (None: public), whether it is scoped to the
    caller's own conversations, and a request that is valid for it (``{name}`` fields are
    filled from the ids made by ``make_ids``)."""

    least: Role | None
    owner: bool = False
    url: str | None = None
    json: dict[str, Any] | None = None
    upload: bool = False
    identity: str = "visitor_a"
    target: str = "visitor_a"


PUBLIC = Policy(None)
CONV = "/v1/conversations/{conv_%s}"
FEEDBACK = "/v1/conversations/{conv_%s}/messages/{msg_%s}/feedback"
POLICIES: dict[tuple[str, str], Policy] = {
    **{(m, p): PUBLIC for m in ("GET", "HEAD")
       for p in ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/widget.js", "/")},
    ("GET", "/assets/{name}"): Policy(None, url="/assets/demo.css"),
    ("HEAD", "/assets/{name}"): Policy(None, url="/assets/demo.css"),
    ("GET", "/help/{doc_id:path}"): Policy(None, url="/help/en/gift-cards"),
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): Policy(Role.admin),
    ("POST", "/v1/chat"): Policy(Role.widget, owner=True,
                                 json={"message": "Do gift cards expire?"}),
    ("GET", "/v1/conversations/{conversation_id}"): Policy(Role.widget, owner=True),
    ("PUT", "/v1/conversations/{conversation_id}/messages/{message_id}/feedback"):
        Policy(Role.widget, owner=True, json={"rating": "up"}),
    ("POST", "/v1/handoffs"): Policy(Role.widget, owner=True, json={"channel": "web"}),
    ("POST", "/v1/search"): Policy(Role.agent, json={"query": "gift cards"}),
    ("POST", "/v1/triage"): Policy(Role.agent, json={"text": "Where is my order?"}),
    ("POST", "/v1/drafts"): Policy(Role.agent, json={"ticket": {
        "subject": "Gift card", "messages": [{"text": "Do gift cards expire?"}]}}),
    ("POST", "/v1/drafts/{draft_id}/feedback"): Policy(
        Role.agent, url="/v1/drafts/{draft}/feedback", json={"accepted": True}),
    ("GET", "/v1/feedback/export"): Policy(Role.agent),
    ("GET", "/v1/insights"): Policy(Role.agent),
    ("PUT", "/v1/customers/{customer_id}"): Policy(
        Role.agent, url="/v1/customers/C-M", json={"name": "Mia"}),
    ("POST", "/v1/customers/{customer_id}/events"): Policy(
        Role.agent, url="/v1/customers/C-M/events", json={"kind": "order_delayed"}),
    ("GET", "/v1/customers/{customer_id}/history"): Policy(
        Role.agent, url="/v1/customers/C-M/history"),
    ("POST", "/v1/ingest"): Policy(Role.admin, upload=True),
    ("GET", "/v1/jobs/{job_id}"): Policy(Role.admin, url="/v1/jobs/{job}"),
    ("DELETE", "/v1/customers/{customer_id}"): Policy(Role.admin, url="/v1/customers/C-GONE"),
}

# Who the caller says they are, on the widget's endpoints.
IDENTITIES: dict[str, dict[str, str]] = {
    "visitor_a": {"visitor_id": "visitor-a"},
    "visitor_b": {"visitor_id": "visitor-b"},
    "customer_a": {"customer_id": "C-A", "customer_token": sign_customer(SECRET, "C-A")},
    "customer_b": {"customer_id": "C-B", "customer_token": sign_customer(SECRET, "C-B")},
    "customer_a_untokened": {"customer_id": "C-A"},
    "customer_a_with_b_token": {"customer_id": "C-A",
                                "customer_token": sign_customer(SECRET, "C-B")},
    "customer_a_other_tenant": {"customer_id": "C-A",
                                "customer_token": sign_customer(OTHER_TENANT_SECRET, "C-A")},
    "nobody": {},
}


@dataclass(frozen=True)
class OwnerCase:
    """A caller on a widget endpoint: key, who they claim to be, whose conversation."""

    key: str
    identity: str
    target: str
    expected: str
    label: str = field(default="")


def _owner_cases() -> list[OwnerCase]:
    cases = [OwnerCase("widget", "customer_a", "customer_a", ALLOWED),
             OwnerCase("widget", "customer_a_untokened", "customer_a", UNAUTHORIZED),
             OwnerCase("widget", "customer_a_with_b_token", "customer_a", UNAUTHORIZED),
             OwnerCase("widget", "customer_a_other_tenant", "customer_a", UNAUTHORIZED),
             OwnerCase("widget", "nobody", "visitor_a", NO_IDENTITY),
             OwnerCase("agent", "customer_a_untokened", "customer_a", ALLOWED),
             OwnerCase("admin", "customer_a_untokened", "customer_a", ALLOWED)]
    for key in ("widget", "agent", "admin"):
        cases += [OwnerCase(key, "visitor_a", "visitor_b", NOT_YOURS),
                  OwnerCase(key, "customer_a", "customer_b", NOT_YOURS),
                  OwnerCase(key, "customer_a", "visitor_b", NOT_YOURS),
                  OwnerCase(key, "visitor_a", "customer_a", NOT_YOURS)]
    return cases


OWNER_CASES = _owner_cases()


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path template) the app answers, sub-routers included."""
    return sorted({(method, route.path) for route in iter_route_contexts(app.routes)
                   if route.path is not None for method in route.methods or ()})


@pytest.fixture
def client(settings: Settings, knowledge: Knowledge, sample_kb: Path) -> Iterator[TestClient]:
    with_keys(settings, WIDGET, AGENT, ADMIN, SECRET, unlimited=True)
    knowledge.get().ingestor.run([sample_kb])
    with TestClient(create_app(settings, knowledge, FakeChat(default=GIFT))) as c:
        store = c.app.state.assistant.store  # type: ignore[attr-defined]
        for customer in ("C-A", "C-B", "C-GONE"):
            store.upsert_customer("default", customer, name=customer)
        yield c


def make_ids(client: TestClient) -> dict[str, str]:
    """A conversation (and its reply's message id) for visitors A, B and customers A, B, a
    draft and an ingest job, made with the keys that may make them."""
    ids: dict[str, str] = {}
    for who in ("visitor_a", "visitor_b", "customer_a", "customer_b"):
        resp = client.post("/v1/chat", headers={"X-API-Key": WIDGET},
                           json={"message": "Do gift cards expire?", **IDENTITIES[who]})
        assert resp.status_code == 200, resp.text
        ids[f"conv_{who}"] = resp.json()["conversation_id"]
        ids[f"msg_{who}"] = str(resp.json()["message_id"])
    ticket = {"subject": "Gift card", "messages": [{"text": "Do gift cards expire?"}]}
    resp = client.post("/v1/drafts", headers={"X-API-Key": AGENT}, json={"ticket": ticket})
    assert resp.status_code == 200, resp.text
    ids["draft"] = str(resp.json()["draft_id"])
    resp = client.post("/v1/ingest", headers={"X-API-Key": ADMIN},
                       files={"files": ("note.md", b"# Note\n\nGift cards never expire.\n")})
    assert resp.status_code == 202, resp.text
    ids["job"] = str(resp.json()["id"])
    return ids


def _headers(key: str | None, identity: dict[str, str]) -> dict[str, str]:
    names = {"visitor_id": "X-Visitor-Id", "customer_id": "X-Customer-Id",
             "customer_token": "X-Customer-Token"}
    headers = {names[k]: v for k, v in identity.items()}
    return {**headers, "X-API-Key": key} if key else headers


def call(client: TestClient, method: str, template: str, policy: Policy, key: str | None,
         ids: dict[str, str], identity: str | None = None, target: str | None = None) -> Response:
    """The policy's sample request as ``key``; on a widget endpoint as ``identity``, on
    ``target``'s conversation."""
    who, whose = identity or policy.identity, target or policy.target
    url = (_owner_url(template, whose, ids) if policy.owner
           else (policy.url or template).format(**ids))
    body = dict(policy.json) if policy.json is not None else None
    headers = {"X-API-Key": key} if key else {}
    if policy.owner:
        if template == "/v1/chat":
            body = {**(body or {}), **IDENTITIES[who], "conversation_id": ids[f"conv_{whose}"]}
        else:
            headers = _headers(key, IDENTITIES[who])
        if template == "/v1/handoffs":
            body = {**(body or {}), "conversation_id": ids[f"conv_{whose}"]}
    if policy.upload:
        files = {"files": ("matrix.md", b"# Matrix\n\nAn uploaded page.\n")}
        return client.request(method, url, headers=headers, files=files)
    return client.request(method, url, headers=headers, json=body)


def _owner_url(template: str, whose: str, ids: dict[str, str]) -> str:
    if template.endswith("/feedback"):
        return (FEEDBACK % (whose, whose)).format(**ids)
    if template.startswith("/v1/conversations/"):
        return (CONV % whose).format(**ids)
    return template


def expected_for(policy: Policy, caller: str) -> str:
    """What the role part of the matrix expects of ``caller`` on a route."""
    if policy.least is None:
        return ALLOWED
    if caller not in ROLE_OF:
        return UNAUTHORIZED
    return ALLOWED if ROLE_OF[caller] >= policy.least else FORBIDDEN


def got(resp: Response) -> str:
    """The status, and the problem's code when there is one."""
    code = ""
    if resp.content and resp.headers.get("content-type", "").startswith(
            "application/problem+json"):
        code = resp.json().get("code", "")
    return f"{resp.status_code} {code}".strip()


def matches(expected: str, resp: Response) -> bool:
    """Allowed is any answer but 401, 403 or a 5xx; a refusal is its exact status (and code)."""
    if expected == ALLOWED:
        return resp.status_code not in (401, 403) and resp.status_code < 500
    status, _, code = expected.partition(" ")
    return resp.status_code == int(status) and (not code or got(resp).endswith(code))


def matrix_rows(client: TestClient) -> list[tuple[Row, bool]]:
    """Every check of the matrix, run: ((route, caller, expected, got), passed)."""
    ids = make_ids(client)
    rows: list[tuple[Row, bool]] = []
    for (method, template), policy in sorted(POLICIES.items(), key=_deletes_last):
        route = f"{method} {template}"
        for caller, key in KEYS.items():
            resp = call(client, method, template, policy, key, ids)
            expected = expected_for(policy, caller)
            rows.append(((route, caller, expected, got(resp)), matches(expected, resp)))
        if policy.owner:
            for case in OWNER_CASES:
                resp = call(client, method, template, policy, KEYS[case.key], ids,
                            case.identity, case.target)
                caller = f"{case.key} as {case.identity} on {case.target}'s conversation"
                rows.append(((route, caller, case.expected, got(resp)),
                             matches(case.expected, resp)))
    return rows


def _deletes_last(item: tuple[tuple[str, str], Policy]) -> tuple[bool, str, str]:
    (method, path), _ = item
    return method == "DELETE", path, method


def test_every_route_has_a_policy(client: TestClient) -> None:
    routes = app_routes(client.app)  # type: ignore[arg-type]
    missing = [f"route {m} {p} has no authorization policy" for m, p in routes
               if (m, p) not in POLICIES]
    stale = [f"policy for {m} {p} names no route" for m, p in POLICIES if (m, p) not in routes]
    assert not missing and not stale, "\n".join(missing + stale)
    assert len(routes) == len(POLICIES) == 34


def test_the_matrix_holds_for_every_route_and_caller(client: TestClient) -> None:
    rows = matrix_rows(client)
    failures = [row for row, passed in rows if not passed]
    assert not failures, "\n".join(" | ".join(row) for row in failures)
    widget_routes = sum(policy.owner for policy in POLICIES.values())
    assert len(rows) == len(POLICIES) * len(KEYS) + widget_routes * len(OWNER_CASES) == 280
    refused = [row for row, _ in rows if row[2] != ALLOWED]
    assert all(row[3].startswith(row[2].split()[0]) for row in refused)
    print(f"\nauthorization matrix: {len(rows)} checks, {len(refused)} refusals")


def test_a_conversation_refusal_names_no_one_and_changes_nothing(client: TestClient) -> None:
    ids = make_ids(client)
    stranger = _headers(WIDGET, IDENTITIES["visitor_a"])
    resp = client.put((FEEDBACK % ("visitor_b", "visitor_b")).format(**ids),
                      headers=stranger, json={"rating": "down"})
    assert resp.status_code == 403 and resp.json()["code"] == "conversation_forbidden"
    assert "visitor-b" not in resp.text
    owner = _headers(WIDGET, IDENTITIES["visitor_b"])
    body = client.get((CONV % "visitor_b").format(**ids), headers=owner).json()
    assert body["status"] == "open" and len(body["messages"]) == 2
    agent = {"X-API-Key": AGENT}
    assert client.get("/v1/feedback/export", headers=agent).json() == []
    resp = client.put((FEEDBACK % ("visitor_b", "visitor_b")).format(**ids),
                      headers=owner, json={"rating": "up"})
    assert resp.status_code == 200 and resp.json()["rating"] == "up"
    assert len(client.get("/v1/feedback/export", headers=agent).json()) == 1
