"""Fixtures of the widget's tests: the store on both backends, an app over a small help centre."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeChat
from tests.store.conftest import database_url, other_tenant, store, tenant  # noqa: F401
from tests.widget.kb import write_kb

WIDGET, OPEN_WIDGET, AGENT, SECRET = "widget-key", "open-widget-key", "agent-key", "secret"
SHOP = "https://shop.example"
GIFT = "Gift cards never expire and can be used on any product sold by us."


@pytest.fixture
def chat_model() -> FakeChat:
    return FakeChat(default=GIFT)


@pytest.fixture
def app_settings(settings: Settings) -> Settings:
    settings.api.widget_keys = [SecretStr(WIDGET), SecretStr(OPEN_WIDGET)]
    settings.api.agent_keys = [SecretStr(AGENT)]
    settings.api.customer_token_secrets = {"default": SecretStr(SECRET)}
    settings.api.widget_origins = {WIDGET: [SHOP, "http://localhost:3000/"], OPEN_WIDGET: ["*"]}
    # Screening off, so the markup-laden article gets in: the widget and the help pages must
    # show it as text even when an operator turns screening off (or a payload slips past it).
    settings.ingest.screen = False
    return settings


@pytest.fixture
def make_client(app_settings: Settings, knowledge: Knowledge, chat_model: FakeChat,
                tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """A factory of TestClients over the help centre (``**kwargs`` go to TestClient)."""
    knowledge.get().ingestor.run([write_kb(tmp_path / "kb")])
    opened: list[TestClient] = []

    def make(**kwargs: Any) -> TestClient:
        client = TestClient(create_app(app_settings, knowledge, chat_model), **kwargs)
        opened.append(client.__enter__())
        history = client.app.state.assistant.store  # type: ignore[attr-defined]
        history.upsert_customer("default", "C0007", name="Ana", locale="es-ES", tier="gold")
        history.upsert_order("default", "C0007", "T-1042", status="shipped", total=59.9,
                           currency="EUR")
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
