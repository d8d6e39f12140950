"""The customer-history store: one transaction per call, every query scoped by tenant and owner.

``HistoryStore`` is a facade over one store per job, all on one engine and session factory:

- ``customers`` (``SqlCustomerStore``): profiles, orders, events, the history view;
- ``conversations`` (``SqlConversationStore``): conversations and turns, tickets, contacts;
- ``feedback`` (``SqlFeedbackStore``): drafts, verdicts and their export;
- ``personal_data`` (``SqlPersonalDataStore``): deletion on request and retention.

Each is typed by its Protocol (``cxrag.store.protocols``), and every method of the facade only
delegates to one of them with the same signature. A conversation belongs to a signed-in
customer or to an anonymous visitor; naming someone else's is refused with
``ConversationForbidden``, one from another tenant does not exist (``ConversationNotFound``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from cxrag.store.conversations import SqlConversationStore
from cxrag.store.customers import SqlCustomerStore
from cxrag.store.db import make_engine, make_sessions
from cxrag.store.feedback import SqlFeedbackStore
from cxrag.store.privacy import SqlPersonalDataStore
from cxrag.store.protocols import (
    ConversationStore,
    CustomerStore,
    FeedbackStore,
    PersonalDataStore,
)
from cxrag.store.records import (
    Channel,
    ConversationRecord,
    CustomerHistory,
    CustomerRecord,
    DraftRecord,
    EventRecord,
    FeedbackRecord,
    ImportCounts,
    MessageRecord,
    OrderRecord,
    Role,
    TargetKind,
    TicketRecord,
)


class HistoryStore:
    """Customer profiles, orders, events, tickets, conversations, drafts and feedback."""

    def __init__(
        self, engine: Engine, *, continue_within: timedelta = timedelta(hours=24)
    ) -> None:
        self.engine = engine
        self.continue_within = continue_within
        self._sessions = make_sessions(engine)
        self.customers: CustomerStore = SqlCustomerStore(self._sessions)
        self.conversations: ConversationStore = SqlConversationStore(
            self._sessions, continue_within=continue_within)
        self.feedback: FeedbackStore = SqlFeedbackStore(self._sessions)
        self.personal_data: PersonalDataStore = SqlPersonalDataStore(self._sessions)

    @classmethod
    def from_url(cls, url: str, *, continue_within: timedelta = timedelta(hours=24)
                 ) -> HistoryStore:
        """A store on a new engine for ``url`` (run ``migrate(url)`` before first use)."""
        return cls(make_engine(url), continue_within=continue_within)

    def close(self) -> None:
        """Close the engine's pooled connections."""
        self.engine.dispose()

    def ping(self) -> str:
        """The database's dialect, once a round trip to it succeeded (readiness)."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return self.engine.dialect.name

    # -- customers, orders, events, history (``customers``) ---------------------------------

    def upsert_customer(
        self, tenant: str, customer_id: str, *, name: str, email: str | None = None,
        locale: str | None = None, tier: str | None = None,
        attributes: Mapping[str, Any] | None = None, created_at: datetime | None = None,
    ) -> CustomerRecord:
        """Create or replace a customer's profile (its orders and history stay)."""
        return self.customers.upsert_customer(
            tenant, customer_id, name=name, email=email, locale=locale, tier=tier,
            attributes=attributes, created_at=created_at)

    def get_customer(self, tenant: str, customer_id: str) -> CustomerRecord | None:
        """The customer's profile, or None."""
        return self.customers.get_customer(tenant, customer_id)

    def upsert_order(
        self, tenant: str, customer_id: str, order_id: str, *, status: str,
        total: Decimal | float | str | None = None, currency: str | None = None,
        placed_at: datetime | None = None, items: Sequence[Any] = (),
        attributes: Mapping[str, Any] | None = None,
    ) -> OrderRecord:
        """Create or replace an order of an existing customer."""
        return self.customers.upsert_order(
            tenant, customer_id, order_id, status=status, total=total, currency=currency,
            placed_at=placed_at, items=items, attributes=attributes)

    def add_event(
        self, tenant: str, customer_id: str, kind: str,
        data: Mapping[str, Any] | None = None, *, at: datetime | None = None,
    ) -> EventRecord:
        """Record something that happened to an existing customer."""
        return self.customers.add_event(tenant, customer_id, kind, data, at=at)

    def import_customers_json(self, tenant: str, path: Path) -> ImportCounts:
        """Upsert every customer and order of a ``customers.json`` file, all or nothing."""
        return self.customers.import_customers_json(tenant, path)

    def customer_history(
        self, tenant: str, customer_id: str, *, limit_orders: int = 5, limit_tickets: int = 5,
        limit_events: int = 10, limit_conversations: int = 5, limit_messages: int = 20,
    ) -> CustomerHistory:
        """One customer's profile, latest orders, tickets, events and conversation turns."""
        return self.customers.customer_history(
            tenant, customer_id, limit_orders=limit_orders, limit_tickets=limit_tickets,
            limit_events=limit_events, limit_conversations=limit_conversations,
            limit_messages=limit_messages)

    # -- conversations, tickets, contacts (``conversations``) -------------------------------

    def record_ticket(self, tenant: str, ticket: TicketRecord) -> TicketRecord:
        """Create or replace a helpdesk ticket."""
        return self.conversations.record_ticket(tenant, ticket)

    def start_or_continue_conversation(
        self, tenant: str, conversation_id: str | None = None, *,
        customer_id: str | None = None, visitor_id: str | None = None, channel: Channel,
    ) -> ConversationRecord:
        """The conversation to write to: the one named, the owner's open one, or a new one.

        A visitor's conversation passes to the customer they sign in as.
        """
        return self.conversations.start_or_continue_conversation(
            tenant, conversation_id, customer_id=customer_id, visitor_id=visitor_id,
            channel=channel)

    def begin_turn(
        self, tenant: str, conversation_id: str | None = None, *,
        customer_id: str | None = None, visitor_id: str | None = None, channel: Channel,
        text: str | None = None, history: int = 8,
    ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """One transaction for an incoming message: its conversation (as
        ``start_or_continue_conversation``), the last ``history`` turns before it, and the
        message (``text``, when given) stored."""
        return self.conversations.begin_turn(
            tenant, conversation_id, customer_id=customer_id, visitor_id=visitor_id,
            channel=channel, text=text, history=history)

    def add_message(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, role: Role, channel: Channel, text: str,
        meta: Mapping[str, Any] | None = None,
    ) -> MessageRecord:
        """Append a turn to the owner's conversation; ``meta`` is citations, model, usage..."""
        return self.conversations.add_message(
            tenant, conversation_id, customer_id=customer_id, visitor_id=visitor_id, role=role,
            channel=channel, text=text, meta=meta)

    def recent_messages(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, limit: int = 20,
    ) -> list[MessageRecord]:
        """The owner's last ``limit`` turns of a conversation, oldest first."""
        return self.conversations.recent_messages(
            tenant, conversation_id, customer_id=customer_id, visitor_id=visitor_id,
            limit=limit)

    def conversation(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, limit: int = 50,
    ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """The owner's conversation and its last ``limit`` turns, oldest first."""
        return self.conversations.conversation(
            tenant, conversation_id, customer_id=customer_id, visitor_id=visitor_id,
            limit=limit)

    def hand_off(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, channel: Channel, text: str,
        meta: Mapping[str, Any] | None = None,
    ) -> MessageRecord:
        """Mark the owner's conversation as waiting for a person and record why, as a
        ``system`` turn (``meta`` holds the handoff: reason, queue, summary)."""
        return self.conversations.hand_off(
            tenant, conversation_id, customer_id=customer_id, visitor_id=visitor_id,
            channel=channel, text=text, meta=meta)

    def conversation_for_agent(self, tenant: str, conversation_id: str
                               ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """A conversation of the tenant and its latest turns, whoever owns it (agents only)."""
        return self.conversations.conversation_for_agent(tenant, conversation_id)

    def contact_count(self, tenant: str, customer_id: str, days: int, *,
                      exclude_conversation: str | None = None) -> int:
        """The customer's tickets and conversations started in the last ``days`` (the
        repeated-contacts signal of frustration), without ``exclude_conversation``."""
        return self.conversations.contact_count(
            tenant, customer_id, days, exclude_conversation=exclude_conversation)

    # -- drafts and feedback (``feedback``) ---------------------------------------------------

    def save_draft(
        self, tenant: str, *, ticket: Mapping[str, Any], text: str,
        citations: Sequence[Any] = (), prompt_version: str | None = None,
        model: str | None = None,
    ) -> DraftRecord:
        """Keep a drafted reply with the ticket it answers and what produced it."""
        return self.feedback.save_draft(tenant, ticket=ticket, text=text, citations=citations,
                                        prompt_version=prompt_version, model=model)

    def add_feedback(
        self, tenant: str, target_kind: TargetKind, target_id: str | int, *,
        accepted: bool | None = None, edited_text: str | None = None,
        rating: int | None = None, comment: str | None = None,
    ) -> FeedbackRecord:
        """Record a verdict on one of this tenant's messages or drafts."""
        return self.feedback.add_feedback(
            tenant, target_kind, target_id, accepted=accepted, edited_text=edited_text,
            rating=rating, comment=comment)

    def rate_message(
        self, tenant: str, conversation_id: str, message_id: int, *,
        customer_id: str | None = None, visitor_id: str | None = None, rating: int,
        comment: str | None = None,
    ) -> FeedbackRecord:
        """The owner's verdict on an assistant turn of their conversation; a second verdict
        on the same turn replaces the first (one per reply, so CSAT counts each reply once)."""
        return self.feedback.rate_message(
            tenant, conversation_id, message_id, customer_id=customer_id,
            visitor_id=visitor_id, rating=rating, comment=comment)

    def export_feedback(self, tenant: str) -> list[dict[str, Any]]:
        """Every feedback of the tenant, oldest first, with what it judged (JSON-ready)."""
        return self.feedback.export_feedback(tenant)

    # -- personal data: deletion on request, retention (``personal_data``) -------------------

    def forget_customer(self, tenant: str, customer_id: str) -> dict[str, int]:
        """Delete one customer's profile, orders, events, tickets, conversations, drafts and
        the feedback on them; rows deleted per table. ``CustomerNotFound`` if there were none."""
        return self.personal_data.forget_customer(tenant, customer_id)

    def purge(self, tenant: str, older_than: datetime) -> dict[str, int]:
        """Delete conversations last updated, and drafts created, before ``older_than`` (with
        their messages and feedback); rows deleted per table."""
        return self.personal_data.purge(tenant, older_than)
