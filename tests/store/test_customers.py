"""Profiles, orders, events, tickets, the customers.json import and a customer's history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cxrag.errors import DocumentParseError, InvalidName, InvalidRequest
from cxrag.store import CustomerNotFound, HistoryStore, TicketRecord
from cxrag.store.models import Customer, Order

ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = ROOT / "knowledge" / "customers" / "customers.json"
TICKETS = ROOT / "knowledge" / "tickets" / "tickets-2026-q3.jsonl"


def _count(store: HistoryStore, model: type[Customer] | type[Order], tenant: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(model).where(model.tenant == tenant)).scalar_one()


def test_upsert_then_get_customer(store: HistoryStore, tenant: str) -> None:
    created = datetime(2021, 1, 2, 3, 4, 5, tzinfo=UTC)
    first = store.upsert_customer(tenant, "C1", name="Ana", email="ana@example.com",
                                  locale="es-ES", tier="plus", attributes={"city": "Madrid"},
                                  created_at=created)
    assert store.get_customer(tenant, "C1") == first
    assert first.created_at == created and first.updated_at.tzinfo is not None

    second = store.upsert_customer(tenant, "C1", name="Ana B.", tier="business")
    assert (second.name, second.tier, second.email, second.attributes) == (
        "Ana B.", "business", None, {})
    assert second.created_at == created  # kept when the update does not say
    assert second.updated_at >= first.updated_at
    assert store.get_customer(tenant, "C2") is None


def test_customers_are_per_tenant(store: HistoryStore, tenant: str, other_tenant: str) -> None:
    store.upsert_customer(tenant, "C1", name="Ana")
    store.upsert_customer(other_tenant, "C1", name="Someone else")
    assert store.get_customer(tenant, "C1").name == "Ana"  # type: ignore[union-attr]
    assert store.get_customer(other_tenant, "C1").name == "Someone else"  # type: ignore[union-attr]


def test_an_invalid_tenant_is_refused(store: HistoryStore) -> None:
    with pytest.raises(InvalidName):
        store.get_customer("../etc", "C1")


def test_import_of_the_real_customers_file(store: HistoryStore, tenant: str) -> None:
    data = json.loads(CUSTOMERS.read_text(encoding="utf-8"))
    n_orders = sum(len(c["orders"]) for c in data)

    counts = store.import_customers_json(tenant, CUSTOMERS)
    assert (counts.customers, counts.orders) == (len(data), n_orders)
    assert (_count(store, Customer, tenant), _count(store, Order, tenant)) == (len(data), n_orders)

    store.import_customers_json(tenant, CUSTOMERS)  # again: upserts, no duplicates
    assert (_count(store, Customer, tenant), _count(store, Order, tenant)) == (len(data), n_orders)

    source = data[0]
    profile = store.get_customer(tenant, source["id"])
    assert profile is not None
    assert (profile.name, profile.email, profile.locale, profile.tier) == (
        source["name"], source["email"], source["locale"], source["tier"])
    assert profile.attributes["country"] == source["country"]
    assert profile.attributes["city"] == source["attributes"]["city"]
    assert profile.created_at == datetime.fromisoformat(source["created_at"])

    history = store.customer_history(tenant, source["id"], limit_orders=50)
    by_id = {o["order_id"]: o for o in source["orders"]}
    assert {o.id for o in history.orders} == set(by_id)
    placed = [o.placed_at for o in history.orders]
    assert placed == sorted(placed, reverse=True)  # type: ignore[type-var]
    for order in history.orders:
        raw = by_id[order.id]
        assert order.total == Decimal(str(raw["total"]))
        assert (order.status, order.currency, order.items) == (
            raw["status"], raw["currency"], raw["items"])
        assert order.attributes["tracking"] == raw["tracking"]


def test_a_malformed_customers_file_is_refused(store: HistoryStore, tenant: str,
                                               tmp_path: Path) -> None:
    bad = tmp_path / "customers.json"
    bad.write_text(json.dumps([{"id": "C1", "name": "Ana", "orders": [{"status": "x"}]}]))
    with pytest.raises(DocumentParseError):
        store.import_customers_json(tenant, bad)
    assert store.get_customer(tenant, "C1") is None


def test_orders_and_events_need_the_customer(store: HistoryStore, tenant: str) -> None:
    with pytest.raises(CustomerNotFound):
        store.add_event(tenant, "nobody", "login")
    with pytest.raises(CustomerNotFound):
        store.upsert_order(tenant, "nobody", "O1", status="placed")

    store.upsert_customer(tenant, "C1", name="Ana")
    store.upsert_customer(tenant, "C2", name="Bob")
    order = store.upsert_order(tenant, "C1", "O1", status="placed", total=19.9, currency="EUR")
    assert order.total == Decimal("19.90")
    assert store.upsert_order(tenant, "C1", "O1", status="shipped").status == "shipped"
    with pytest.raises(InvalidRequest, match="another customer"):
        store.upsert_order(tenant, "C2", "O1", status="cancelled")
    history = store.customer_history(tenant, "C1")
    assert [(o.id, o.status) for o in history.orders] == [("O1", "shipped")]


def test_history_keeps_customers_and_tenants_apart(
    store: HistoryStore, tenant: str, other_tenant: str
) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for who, ten in (("C1", tenant), ("C2", tenant), ("C1", other_tenant)):
        tag = f"{ten}/{who}"
        store.upsert_customer(ten, who, name=tag)
        store.upsert_order(ten, who, f"O-{tag}", status="placed", placed_at=t0)
        store.add_event(ten, who, "login", {"who": tag}, at=t0)
        store.record_ticket(ten, TicketRecord(f"T-{tag}", who, f"help {tag}", "open"))
        conv = store.start_or_continue_conversation(ten, customer_id=who, channel="web")
        store.add_message(ten, conv.id, customer_id=who, role="user", channel="web", text=tag)

    for who, ten in (("C1", tenant), ("C2", tenant), ("C1", other_tenant)):
        tag = f"{ten}/{who}"
        history = store.customer_history(ten, who)
        assert history.customer is not None and history.customer.name == tag
        assert [o.id for o in history.orders] == [f"O-{tag}"]
        assert [e.data for e in history.events] == [{"who": tag}]
        assert [t.id for t in history.tickets] == [f"T-{tag}"]
        assert [m.text for m in history.messages] == [tag]
        assert len(history.conversations) == 1


def test_history_limits_and_order(store: HistoryStore, tenant: str) -> None:
    store.upsert_customer(tenant, "C1", name="Ana")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(8):
        store.upsert_order(tenant, "C1", f"O{i}", status="placed", placed_at=t0 + timedelta(i))
        store.add_event(tenant, "C1", "visit", {"i": i}, at=t0 + timedelta(i))
    conv = store.start_or_continue_conversation(tenant, customer_id="C1", channel="web")
    for i in range(30):
        store.add_message(tenant, conv.id, customer_id="C1", role="user", channel="web",
                          text=f"m{i}")
    history = store.customer_history(tenant, "C1", limit_orders=3, limit_events=2)
    assert [o.id for o in history.orders] == ["O7", "O6", "O5"]
    assert [e.data["i"] for e in history.events] == [7, 6]
    assert [m.text for m in history.messages] == [f"m{i}" for i in range(10, 30)]
    with pytest.raises(InvalidRequest):
        store.customer_history(tenant, "C1", limit_orders=-1)


def test_history_of_a_customer_without_profile(store: HistoryStore, tenant: str) -> None:
    store.record_ticket(tenant, TicketRecord("T1", "C9", "where is my order", "open"))
    history = store.customer_history(tenant, "C9")
    assert history.customer is None
    assert [t.id for t in history.tickets] == ["T1"]


def test_tickets_from_the_real_helpdesk_export(store: HistoryStore, tenant: str) -> None:
    rows = [json.loads(line) for line in TICKETS.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        store.record_ticket(tenant, TicketRecord.from_export_row(row))
    store.record_ticket(tenant, TicketRecord.from_export_row(rows[0]))  # again: an upsert

    first = rows[0]
    mine = [r for r in rows if r["customer_id"] == first["customer_id"]]
    history = store.customer_history(tenant, first["customer_id"], limit_tickets=100)
    assert sorted(t.id for t in history.tickets) == sorted(r["id"] for r in mine)
    ticket = next(t for t in history.tickets if t.id == first["id"])
    assert (ticket.subject, ticket.status, ticket.channel, ticket.csat) == (
        first["subject"], first["status"], first["channel"], first["csat"])
    assert ticket.tags == tuple(first["tags"]) and ticket.resolution == first["resolution"]
    assert ticket.created_at == datetime.fromisoformat(first["created_at"])
    assert ticket.resolved_at == datetime.fromisoformat(first["updated_at"])  # it is closed
    open_one = next(r for r in rows if r["status"] == "open")
    assert TicketRecord.from_export_row(open_one).resolved_at is None
