"""A reply knows the customer's market: their profile's country, else their locale's."""

from __future__ import annotations

from pathlib import Path

from cxrag.reply.chat import customer_context
from cxrag.store import HistoryStore, migrate


def test_the_customers_country_comes_from_the_profile_then_the_locale(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    migrate(url)
    store = HistoryStore.from_url(url)
    store.upsert_customer("acme", "C1", name="Ana", locale="en-GB", attributes={"country": "es"})
    store.upsert_customer("acme", "C2", name="Luis", locale="es-MX")
    store.upsert_customer("acme", "C3", name="Sam", locale="en")
    try:
        countries = [c.country if (c := customer_context(store, "acme", cid)) else "missing"
                     for cid in ("C1", "C2", "C3")]
    finally:
        store.close()
    assert countries == ["ES", "MX", None]
