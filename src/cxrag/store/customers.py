"""Customers on SQL: profiles, orders, events, ``customers.json`` imports and the history view.

One transaction per call, every query scoped by tenant. Implements ``protocols.CustomerStore``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from cxrag.errors import InvalidRequest
from cxrag.store.imports import CustomerRow, OrderRow, money, read_customers
from cxrag.store.models import Conversation, Customer, Event, Message, Order, Ticket
from cxrag.store.queries import require_customer, upsert
from cxrag.store.records import (
    ConversationRecord,
    CustomerHistory,
    CustomerRecord,
    EventRecord,
    ImportCounts,
    MessageRecord,
    OrderRecord,
    TicketRecord,
    check_limit,
    check_tenant,
)
from cxrag.store.types import as_utc, now


class SqlCustomerStore:
    """Customer profiles, their orders and events, and one customer's whole history."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def upsert_customer(
        self, tenant: str, customer_id: str, *, name: str, email: str | None = None,
        locale: str | None = None, tier: str | None = None,
        attributes: Mapping[str, Any] | None = None, created_at: datetime | None = None,
    ) -> CustomerRecord:
        """Create or replace a customer's profile (its orders and history stay)."""
        row = CustomerRow(customer_id, name, email, locale, tier, dict(attributes or {}),
                          created_at)
        with self._sessions.begin() as session:
            return CustomerRecord.of(_put_customer(session, check_tenant(tenant), row))

    def get_customer(self, tenant: str, customer_id: str) -> CustomerRecord | None:
        """The customer's profile, or None."""
        with self._sessions.begin() as session:
            row = session.get(Customer, (check_tenant(tenant), customer_id))
            return CustomerRecord.of(row) if row else None

    def upsert_order(
        self, tenant: str, customer_id: str, order_id: str, *, status: str,
        total: Decimal | float | str | None = None, currency: str | None = None,
        placed_at: datetime | None = None, items: Sequence[Any] = (),
        attributes: Mapping[str, Any] | None = None,
    ) -> OrderRecord:
        """Create or replace an order of an existing customer."""
        row = OrderRow(order_id, status, money(total), currency, placed_at, list(items),
                       dict(attributes or {}))
        with self._sessions.begin() as session:
            require_customer(session, check_tenant(tenant), customer_id)
            return OrderRecord.of(_put_order(session, tenant, customer_id, row))

    def add_event(
        self, tenant: str, customer_id: str, kind: str,
        data: Mapping[str, Any] | None = None, *, at: datetime | None = None,
    ) -> EventRecord:
        """Record something that happened to an existing customer."""
        with self._sessions.begin() as session:
            require_customer(session, check_tenant(tenant), customer_id)
            event = Event(tenant=tenant, customer_id=customer_id, kind=kind,
                          at=as_utc(at) if at else now(), data=dict(data or {}))
            session.add(event)
            session.flush()
            return EventRecord.of(event)

    def import_customers_json(self, tenant: str, path: Path) -> ImportCounts:
        """Upsert every customer and order of a ``customers.json`` file, all or nothing."""
        tenant, rows = check_tenant(tenant), read_customers(path)
        with self._sessions.begin() as session:
            for row in rows:
                _put_customer(session, tenant, row)
                for order in row.orders:
                    _put_order(session, tenant, row.id, order)
        return ImportCounts(len(rows), sum(len(r.orders) for r in rows))

    def customer_history(
        self, tenant: str, customer_id: str, *, limit_orders: int = 5, limit_tickets: int = 5,
        limit_events: int = 10, limit_conversations: int = 5, limit_messages: int = 20,
    ) -> CustomerHistory:
        """One customer's profile, latest orders, tickets, events and conversation turns."""
        tenant = check_tenant(tenant)
        with self._sessions.begin() as session:
            profile = session.get(Customer, (tenant, customer_id))
            mine = (Conversation.tenant == tenant, Conversation.customer_id == customer_id)
            orders = session.scalars(
                select(Order).where(Order.tenant == tenant, Order.customer_id == customer_id)
                .order_by(Order.placed_at.desc().nulls_last(), Order.id.desc())
                .limit(check_limit(limit_orders)))
            tickets = session.scalars(
                select(Ticket).where(Ticket.tenant == tenant, Ticket.customer_id == customer_id)
                .order_by(Ticket.created_at.desc(), Ticket.id.desc())
                .limit(check_limit(limit_tickets)))
            events = session.scalars(
                select(Event).where(Event.tenant == tenant, Event.customer_id == customer_id)
                .order_by(Event.at.desc(), Event.id.desc()).limit(check_limit(limit_events)))
            convs = session.scalars(
                select(Conversation).where(*mine).order_by(Conversation.updated_at.desc())
                .limit(check_limit(limit_conversations)))
            messages = session.scalars(
                select(Message).join(Conversation, Message.conversation_id == Conversation.id)
                .where(Message.tenant == tenant, *mine)
                .order_by(Message.id.desc()).limit(check_limit(limit_messages)))
            return CustomerHistory(
                customer=CustomerRecord.of(profile) if profile else None,
                orders=[OrderRecord.of(o) for o in orders],
                tickets=[TicketRecord.of(t) for t in tickets],
                events=[EventRecord.of(e) for e in events],
                conversations=[ConversationRecord.of(c) for c in convs],
                messages=[MessageRecord.of(m) for m in reversed(messages.all())],
            )


def _put_customer(session: Session, tenant: str, row: CustomerRow) -> Customer:
    values = {"tenant": tenant, "id": row.id, "name": row.name, "email": row.email,
              "locale": row.locale, "tier": row.tier, "attributes": row.attributes,
              "created_at": row.created_at or now(), "updated_at": now()}
    keep = () if row.created_at else ("created_at",)
    customer = upsert(session, Customer, values, keys=("tenant", "id"), keep=keep)
    assert isinstance(customer, Customer)
    return customer


def _put_order(session: Session, tenant: str, customer_id: str, row: OrderRow) -> Order:
    values = {"tenant": tenant, "id": row.id, "customer_id": customer_id, "status": row.status,
              "total": row.total, "currency": row.currency, "placed_at": row.placed_at,
              "items": row.items, "attributes": row.attributes, "updated_at": now()}
    # An order never moves between customers: the update only applies to the same owner.
    order = upsert(session, Order, values, keys=("tenant", "id"),
                   where=Order.customer_id == customer_id)
    if order is None:
        raise InvalidRequest(f"order {row.id!r} belongs to another customer", field="order_id")
    assert isinstance(order, Order)
    return order
