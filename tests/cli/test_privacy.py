"""``cxrag privacy forget|purge`` on the configured store."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import structlog
from sqlalchemy import update
from typer.testing import CliRunner

from cxrag.cli import app
from cxrag.store import HistoryStore, migrate
from cxrag.store.models import Conversation
from cxrag.store.types import now

runner = CliRunner()
TENANT = "shop"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HistoryStore]:
    """The store the CLI will open, with customers C1 and C2 and a year-old conversation."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    for name, value in (("DATA_DIR", str(tmp_path)), ("DATABASE_URL", url), ("TENANT", TENANT)):
        monkeypatch.setenv(f"CXRAG_{name}", value)
    migrate(url)
    history = HistoryStore.from_url(url)
    for customer in ("C1", "C2"):
        history.upsert_customer(TENANT, customer, name=customer)
        history.start_or_continue_conversation(TENANT, customer_id=customer, channel="web")
    with history._sessions.begin() as session:
        session.execute(update(Conversation).where(Conversation.customer_id == "C2")
                        .values(updated_at=now() - timedelta(days=365)))
    handlers = logging.getLogger().handlers[:]
    yield history
    history.close()
    logging.getLogger().handlers[:] = handlers
    structlog.reset_defaults()


def test_forget_deletes_after_confirmation(store: HistoryStore) -> None:
    refused = runner.invoke(app, ["privacy", "forget", "C1"], input="n\n")
    assert refused.exit_code == 1 and store.get_customer(TENANT, "C1") is not None
    result = runner.invoke(app, ["privacy", "forget", "C1", "--yes", "--json"])
    assert result.exit_code == 0, result.output
    deleted = json.loads(result.stdout)["deleted"]
    assert deleted["customers"] == 1 and deleted["conversations"] == 1
    assert store.get_customer(TENANT, "C1") is None
    assert store.get_customer(TENANT, "C2") is not None
    again = runner.invoke(app, ["privacy", "forget", "C1", "--yes"])
    assert again.exit_code == 2 and "customer_not_found" in again.output


def test_purge_follows_the_retention_setting(store: HistoryStore,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    off = runner.invoke(app, ["privacy", "purge", "--json"])
    assert off.exit_code == 0 and json.loads(off.stdout) == {"deleted": {}}
    monkeypatch.setenv("CXRAG_PRIVACY__RETENTION_DAYS", "30")
    result = runner.invoke(app, ["privacy", "purge", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deleted"]["conversations"] == 1  # C2's, a year old
    assert store.customer_history(TENANT, "C1").conversations
    assert not store.customer_history(TENANT, "C2").conversations
    explicit = runner.invoke(app, ["privacy", "purge", "--older-than-days", "0"])
    assert explicit.exit_code == 0 and "nothing to do" in explicit.stdout


def test_a_negative_retention_is_a_usage_error() -> None:
    result = runner.invoke(app, ["privacy", "purge", "--older-than-days", "-1"])
    assert result.exit_code == 2
    assert "Invalid value for '--older-than-days'" in " ".join(result.stderr.split())
