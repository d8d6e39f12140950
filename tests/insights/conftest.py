"""A real SQLite history store holding the sample helpdesk exports and customers of knowledge/."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from cxrag.store import HistoryStore, migrate
from cxrag.store.imports import read_ticket_rows
from cxrag.store.tickets import import_ticket_exports

ROOT = Path(__file__).resolve().parents[2]
TICKETS = ROOT / "knowledge" / "tickets"
CUSTOMERS = ROOT / "knowledge" / "customers" / "customers.json"
TENANT = "acme"


def ticket_rows() -> list[dict[str, Any]]:
    """Every row of the sample exports, as the files hold them."""
    return [row for path in sorted(TICKETS.iterdir()) for row in read_ticket_rows(path)]


class FakeAnalyzer:
    """Categories and frustration from words: 'factura' is billing; shouting is frustration."""

    def categorize(self, texts: Sequence[str]) -> list[str]:
        return ["billing" if "factura" in t.lower() else "other" for t in texts]

    def frustration(self, texts: Sequence[str]) -> list[float]:
        return [0.9 if re.search(r"!!|\b[A-ZÁÉÍÓÚ]{4,}\b", t) else 0.1 for t in texts]


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[HistoryStore]:
    """A migrated, empty store on SQLite."""
    url = f"sqlite:///{tmp_path / 'history.db'}"
    migrate(url)
    store = HistoryStore.from_url(url)
    yield store
    store.close()


@pytest.fixture
def store(empty_store: HistoryStore) -> HistoryStore:
    """The store with knowledge/tickets and knowledge/customers imported for TENANT."""
    assert import_ticket_exports(empty_store, TENANT, [TICKETS]) == len(ticket_rows())
    empty_store.import_customers_json(TENANT, CUSTOMERS)
    return empty_store
