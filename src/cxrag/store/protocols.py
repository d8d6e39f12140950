"""What the history store's callers ask of it, one Protocol per job.

These are the seams of a later scale-out (conversations on Redis, the rest on a PostgreSQL
cluster...): a new backend implements one of them and ``HistoryStore`` composes it. Today
``SqlCustomerStore``, ``SqlConversationStore``, ``SqlFeedbackStore`` and
``SqlPersonalDataStore`` implement them on SQLite or PostgreSQL, and ``HistoryStore`` itself
satisfies all four. Every method takes the tenant first and never sees another tenant's rows;
the implementations' docstrings give each method's full contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

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


class CustomerStore(Protocol):
    """Customer profiles, orders and events, and the history view of one customer."""

    def upsert_customer(
        self, tenant: str, customer_id: str, *, name: str, email: str | None = None,
        locale: str | None = None, tier: str | None = None,
        attributes: Mapping[str, Any] | None = None, created_at: datetime | None = None,
    ) -> CustomerRecord:
        """Create or replace a customer's profile."""
        ...

    def get_customer(self, tenant: str, customer_id: str) -> CustomerRecord | None:
        """The customer's profile, or None."""
        ...

    def upsert_order(
        self, tenant: str, customer_id: str, order_id: str, *, status: str,
        total: Decimal | float | str | None = None, currency: str | None = None,
        placed_at: datetime | None = None, items: Sequence[Any] = (),
        attributes: Mapping[str, Any] | None = None,
    ) -> OrderRecord:
        """Create or replace an order of an existing customer (``CustomerNotFound``)."""
        ...

    def add_event(
        self, tenant: str, customer_id: str, kind: str,
        data: Mapping[str, Any] | None = None, *, at: datetime | None = None,
    ) -> EventRecord:
        """Record something that happened to an existing customer (``CustomerNotFound``)."""
        ...

    def import_customers_json(self, tenant: str, path: Path) -> ImportCounts:
        """Upsert every customer and order of a ``customers.json`` file, all or nothing."""
        ...

    def customer_history(
        self, tenant: str, customer_id: str, *, limit_orders: int = 5, limit_tickets: int = 5,
        limit_events: int = 10, limit_conversations: int = 5, limit_messages: int = 20,
    ) -> CustomerHistory:
        """One customer's profile, latest orders, tickets, events and conversation turns."""
        ...


class ConversationStore(Protocol):
    """Conversations and their turns, owner-checked; helpdesk tickets; the contact count."""

    def record_ticket(self, tenant: str, ticket: TicketRecord) -> TicketRecord:
        """Create or replace a helpdesk ticket."""
        ...

    def start_or_continue_conversation(
        self, tenant: str, conversation_id: str | None = None, *,
        customer_id: str | None = None, visitor_id: str | None = None, channel: Channel,
    ) -> ConversationRecord:
        """The conversation to write to: the one named, the owner's open one, or a new one."""
        ...

    def begin_turn(
        self, tenant: str, conversation_id: str | None = None, *,
        customer_id: str | None = None, visitor_id: str | None = None, channel: Channel,
        text: str | None = None, history: int = 8,
    ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """The conversation, its last ``history`` turns, and ``text`` stored: one transaction."""
        ...

    def add_message(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, role: Role, channel: Channel, text: str,
        meta: Mapping[str, Any] | None = None,
    ) -> MessageRecord:
        """Append a turn to the owner's conversation."""
        ...

    def recent_messages(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, limit: int = 20,
    ) -> list[MessageRecord]:
        """The owner's last ``limit`` turns of a conversation, oldest first."""
        ...

    def conversation(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, limit: int = 50,
    ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """The owner's conversation and its last ``limit`` turns, oldest first."""
        ...

    def hand_off(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, channel: Channel, text: str,
        meta: Mapping[str, Any] | None = None,
    ) -> MessageRecord:
        """Mark the owner's conversation as waiting for a person, with a ``system`` turn."""
        ...

    def conversation_for_agent(self, tenant: str, conversation_id: str
                               ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """A conversation of the tenant and its latest turns, whoever owns it (agents only)."""
        ...

    def contact_count(self, tenant: str, customer_id: str, days: int, *,
                      exclude_conversation: str | None = None) -> int:
        """The customer's tickets and conversations started in the last ``days``."""
        ...


class FeedbackStore(Protocol):
    """Drafted replies, verdicts on drafts and assistant turns, and their masked export."""

    def save_draft(
        self, tenant: str, *, ticket: Mapping[str, Any], text: str,
        citations: Sequence[Any] = (), prompt_version: str | None = None,
        model: str | None = None,
    ) -> DraftRecord:
        """Keep a drafted reply with the ticket it answers and what produced it."""
        ...

    def add_feedback(
        self, tenant: str, target_kind: TargetKind, target_id: str | int, *,
        accepted: bool | None = None, edited_text: str | None = None,
        rating: int | None = None, comment: str | None = None,
    ) -> FeedbackRecord:
        """Record a verdict on one of this tenant's messages or drafts."""
        ...

    def rate_message(
        self, tenant: str, conversation_id: str, message_id: int, *,
        customer_id: str | None = None, visitor_id: str | None = None, rating: int,
        comment: str | None = None,
    ) -> FeedbackRecord:
        """The owner's verdict on an assistant turn; a second one replaces the first."""
        ...

    def export_feedback(self, tenant: str) -> list[dict[str, Any]]:
        """Every feedback of the tenant, oldest first, with what it judged (JSON-ready)."""
        ...


class PersonalDataStore(Protocol):
    """Deletion of personal data: one customer's on request, everyone's old data by age."""

    def forget_customer(self, tenant: str, customer_id: str) -> dict[str, int]:
        """Delete everything about one customer; rows deleted per table."""
        ...

    def purge(self, tenant: str, older_than: datetime) -> dict[str, int]:
        """Delete conversations and drafts older than ``older_than``; rows per table."""
        ...
