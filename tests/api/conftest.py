"""Shared set-up of the API tests: settings with keys of every role, and an app over the
sample knowledge with those keys and a fake model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from cxrag.api.app import create_app
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.conftest import FakeChat

UNLIMITED = "100000/minute"


def with_keys(settings: Settings, widget: str, agent: str, admin: str,
              secret: str | None = None, *, unlimited: bool = False) -> Settings:
    """``settings`` with one key per role (and a tenant secret), the demo page off, and the
    rate limits lifted when a test sends many requests on purpose."""
    settings.api.widget_keys = [SecretStr(widget)]
    settings.api.agent_keys = [SecretStr(agent)]
    settings.api.admin_keys = [SecretStr(admin)]
    if secret:
        settings.api.customer_token_secrets = {"default": SecretStr(secret)}
    settings.api.demo = False
    if unlimited:
        limits = settings.api.rate_limits
        limits.per_ip = limits.per_key = limits.per_visitor = limits.per_customer = UNLIMITED
    return settings


@pytest.fixture
def keyed_client(settings: Settings, knowledge: Knowledge,
                 sample_kb: Path) -> Iterator[TestClient]:
    """The app over the sample knowledge base, keys ``widget-k``, ``agent-k``, ``admin-k``
    (no rate limits) and a fake model that answers NO_ANSWER."""
    with_keys(settings, "widget-k", "agent-k", "admin-k", unlimited=True)
    knowledge.get().ingestor.run([sample_kb])
    with TestClient(create_app(settings, knowledge, FakeChat())) as c:
        yield c
