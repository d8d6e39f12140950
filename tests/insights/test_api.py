"""GET /v1/insights: agent or admin keys only; the report of the service's tenant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from cxrag.store import HistoryStore, migrate
from cxrag.store.tickets import import_ticket_exports
from tests.conftest import FakeChat
from tests.insights.conftest import TICKETS, ticket_rows

WIDGET, AGENT, ADMIN = "widget-key", "agent-key", "admin-key"


@pytest.fixture
def client(settings: Settings, knowledge: Knowledge) -> Iterator[TestClient]:
    settings.api.widget_keys = [SecretStr(WIDGET)]
    settings.api.agent_keys = [SecretStr(AGENT)]
    settings.api.admin_keys = [SecretStr(ADMIN)]
    settings.data_dir.mkdir(parents=True)
    migrate(settings.database)
    store = HistoryStore.from_url(settings.database)
    import_ticket_exports(store, settings.tenant, [TICKETS])
    store.close()
    with TestClient(create_app(settings, knowledge, FakeChat())) as c:
        yield c


def test_agents_get_the_report(client: TestClient) -> None:
    resp = client.get("/v1/insights", params={"bucket": "month", "until": "2026-06-30"},
                      headers={"X-API-Key": AGENT})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    q2 = [r for r in ticket_rows() if str(r["created_at"]) < "2026-07"]
    assert body["volume"]["total"] == len(q2)
    assert body["volume"]["buckets"] == ["2026-04", "2026-05", "2026-06"]
    assert body["window"]["until"].startswith("2026-07-01T00:00:00")
    assert body["gaps"]["embedder"] == "fake-hash-64" and body["gaps"]["clusters"]
    assert body["churn"] and all(c["reasons"] for c in body["churn"])
    assert set(body) >= {"containment", "escalation_reasons", "feedback", "csat"}


def test_keys_and_parameters_are_checked(client: TestClient) -> None:
    assert client.get("/v1/insights").status_code == 401
    assert client.get("/v1/insights", headers={"X-API-Key": "nope"}).status_code == 401
    assert client.get("/v1/insights", headers={"X-API-Key": WIDGET}).status_code == 403
    agent, admin = {"X-API-Key": AGENT}, {"X-API-Key": ADMIN}
    assert client.get("/v1/insights", params={"bucket": "year"},
                      headers=agent).status_code == 422
    bad = client.get("/v1/insights", params={"since": "yesterday"}, headers=agent)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_request"
    other = client.get("/v1/insights", params={"tenant": "other-shop"}, headers=agent)
    assert other.status_code == 403
    resp = client.get("/v1/insights", params={"tenant": "other-shop"}, headers=admin)
    assert resp.status_code == 200 and resp.json()["volume"]["total"] == 0
