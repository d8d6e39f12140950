"""DELETE /v1/customers/{id}: an admin deletes a customer's data; nobody else may."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeChat

WIDGET, AGENT, ADMIN = "widget-key", "agent-key", "admin-key"
A, W, ROOT = {"X-API-Key": AGENT}, {"X-API-Key": WIDGET}, {"X-API-Key": ADMIN}


@pytest.fixture
def client(settings: Settings, knowledge: Knowledge) -> Iterator[TestClient]:
    settings.api.widget_keys = [SecretStr(WIDGET)]
    settings.api.agent_keys = [SecretStr(AGENT)]
    settings.api.admin_keys = [SecretStr(ADMIN)]
    app = create_app(settings, knowledge, FakeChat())
    with TestClient(app) as c:
        yield c


def test_an_admin_deletes_a_customer_and_gets_the_counts(client: TestClient) -> None:
    assert client.put("/v1/customers/C7", headers=A, json={"name": "Ana"}).status_code == 200
    assert client.post("/v1/customers/C7/events", headers=A,
                       json={"kind": "login"}).status_code == 200
    resp = client.delete("/v1/customers/C7", headers=ROOT)
    assert resp.status_code == 200
    body = resp.json()
    assert body["customer_id"] == "C7"
    assert body["deleted"]["customers"] == 1 and body["deleted"]["events"] == 1
    assert client.get("/v1/customers/C7/history", headers=A).status_code == 404


def test_only_admins_may_delete(client: TestClient) -> None:
    client.put("/v1/customers/C7", headers=A, json={"name": "Ana"})
    assert client.delete("/v1/customers/C7", headers=A).status_code == 403
    assert client.delete("/v1/customers/C7", headers=W).status_code == 403
    assert client.delete("/v1/customers/C7").status_code == 401
    assert client.get("/v1/customers/C7/history", headers=A).status_code == 200


def test_an_unknown_customer_is_404(client: TestClient) -> None:
    resp = client.delete("/v1/customers/NOPE", headers=ROOT)
    assert resp.status_code == 404 and resp.json()["code"] == "customer_not_found"
