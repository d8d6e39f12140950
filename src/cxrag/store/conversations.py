"""Conversations on SQL: their turns, handoffs, helpdesk tickets and the contact count.

A conversation belongs to a signed-in customer or, until they sign in, to an anonymous visitor.
It continues across channels: the same customer writing on the web and then on WhatsApp within
``continue_within`` lands in the same conversation. Naming a conversation that belongs to
someone else is refused with ``ConversationForbidden``; one from another tenant does not exist.
Helpdesk tickets are the conversations held elsewhere, imported. Implements
``protocols.ConversationStore``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from uuid import uuid4

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cxrag.errors import ConversationNotFound
from cxrag.store.models import Conversation, Ticket
from cxrag.store.privacy import masked
from cxrag.store.queries import append, owned, recent, require_owner, upsert
from cxrag.store.records import (
    Channel,
    ConversationRecord,
    MessageRecord,
    Role,
    TicketRecord,
    check_choice,
    check_tenant,
)
from cxrag.store.types import now

# A conversation waiting for a person continues like an open one (on any channel).
CONTINUES = ("open", "handoff")


class SqlConversationStore:
    """Conversations and their turns, helpdesk tickets, and how often a customer got in touch."""

    def __init__(self, sessions: sessionmaker[Session], *,
                 continue_within: timedelta = timedelta(hours=24)) -> None:
        self._sessions = sessions
        self.continue_within = continue_within

    # -- tickets ---------------------------------------------------------------------------

    def record_ticket(self, tenant: str, ticket: TicketRecord) -> TicketRecord:
        """Create or replace a helpdesk ticket."""
        values = {
            "tenant": check_tenant(tenant), "id": ticket.id, "customer_id": ticket.customer_id,
            "channel": ticket.channel, "subject": ticket.subject, "status": ticket.status,
            "category": ticket.category, "tags": list(ticket.tags), "priority": ticket.priority,
            "created_at": ticket.created_at or now(), "resolved_at": ticket.resolved_at,
            "csat": ticket.csat, "summary": masked(ticket.summary),
            "resolution": masked(ticket.resolution), "language": ticket.language,
            "customer_text": masked(ticket.customer_text),
        }
        with self._sessions.begin() as session:
            row = upsert(session, Ticket, values, keys=("tenant", "id"))
            assert isinstance(row, Ticket)
            return TicketRecord.of(row)

    # -- conversations -----------------------------------------------------------------------

    def start_or_continue_conversation(
        self, tenant: str, conversation_id: str | None = None, *,
        customer_id: str | None = None, visitor_id: str | None = None, channel: Channel,
    ) -> ConversationRecord:
        """The conversation to write to: the one named, the owner's open one, or a new one.

        A visitor's conversation passes to the customer they sign in as.
        """
        conv, _ = self.begin_turn(tenant, conversation_id, customer_id=customer_id,
                                  visitor_id=visitor_id, channel=channel, history=0)
        return conv

    def begin_turn(
        self, tenant: str, conversation_id: str | None = None, *,
        customer_id: str | None = None, visitor_id: str | None = None, channel: Channel,
        text: str | None = None, history: int = 8,
    ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """One transaction for an incoming message: its conversation (as
        ``start_or_continue_conversation``), the last ``history`` turns before it, and the
        message (``text``, when given) stored."""
        tenant = check_tenant(tenant)
        check_choice(channel, Channel, "channel")
        require_owner(customer_id, visitor_id)
        with self._sessions.begin() as session:
            conv = self._conversation(session, tenant, conversation_id, customer_id, visitor_id,
                                      channel)
            earlier = recent(session, tenant, conv.id, history) if history else []
            if text is not None:
                append(session, conv, "user", channel, text, None)
            return ConversationRecord.of(conv), earlier

    def _conversation(self, session: Session, tenant: str, conversation_id: str | None,
                      customer_id: str | None, visitor_id: str | None,
                      channel: Channel) -> Conversation:
        if conversation_id:
            conv: Conversation | None = owned(
                session, tenant, conversation_id, customer_id, visitor_id)
        else:
            conv = self._open_conversation(session, tenant, customer_id, visitor_id)
        if conv is None:
            conv = Conversation(id=str(uuid4()), tenant=tenant, channel=channel,
                                customer_id=customer_id, visitor_id=visitor_id)
            session.add(conv)
        else:
            conv.channel, conv.updated_at = channel, now()
            conv.customer_id = conv.customer_id or customer_id
        session.flush()
        return conv

    def _open_conversation(
        self, session: Session, tenant: str, customer_id: str | None, visitor_id: str | None,
    ) -> Conversation | None:
        """The owner's latest open conversation still within ``continue_within``."""
        latest = (
            select(Conversation)
            .where(Conversation.tenant == tenant, Conversation.status.in_(CONTINUES),
                   Conversation.updated_at >= now() - self.continue_within)
            .order_by(Conversation.updated_at.desc()).limit(1))
        if customer_id:
            conv = session.scalars(latest.where(Conversation.customer_id == customer_id)).first()
            if conv is not None or not visitor_id:
                return conv
        return session.scalars(
            latest.where(Conversation.visitor_id == visitor_id,
                         Conversation.customer_id.is_(None))).first()

    def add_message(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, role: Role, channel: Channel, text: str,
        meta: Mapping[str, Any] | None = None,
    ) -> MessageRecord:
        """Append a turn to the owner's conversation; ``meta`` is citations, model, usage..."""
        check_choice(role, Role, "role")
        check_choice(channel, Channel, "channel")
        with self._sessions.begin() as session:
            conv = owned(session, check_tenant(tenant), conversation_id, customer_id,
                         visitor_id)
            return append(session, conv, role, channel, text, meta)

    def recent_messages(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, limit: int = 20,
    ) -> list[MessageRecord]:
        """The owner's last ``limit`` turns of a conversation, oldest first."""
        with self._sessions.begin() as session:
            conv = owned(session, check_tenant(tenant), conversation_id, customer_id,
                         visitor_id)
            return recent(session, tenant, conv.id, limit)

    def conversation(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, limit: int = 50,
    ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """The owner's conversation and its last ``limit`` turns, oldest first."""
        with self._sessions.begin() as session:
            conv = owned(session, check_tenant(tenant), conversation_id, customer_id,
                         visitor_id)
            return ConversationRecord.of(conv), recent(session, tenant, conv.id, limit)

    def hand_off(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, channel: Channel, text: str,
        meta: Mapping[str, Any] | None = None,
    ) -> MessageRecord:
        """Mark the owner's conversation as waiting for a person and record why, as a
        ``system`` turn (``meta`` holds the handoff: reason, queue, summary)."""
        check_choice(channel, Channel, "channel")
        with self._sessions.begin() as session:
            conv = owned(session, check_tenant(tenant), conversation_id, customer_id,
                         visitor_id)
            conv.status = "handoff"
            return append(session, conv, "system", channel, text, meta)

    def conversation_for_agent(self, tenant: str, conversation_id: str
                               ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """A conversation of the tenant and its latest turns, whoever owns it (agents only)."""
        tenant = check_tenant(tenant)
        with self._sessions.begin() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None or conv.tenant != tenant:
                raise ConversationNotFound(f"no conversation {conversation_id!r}")
            return ConversationRecord.of(conv), recent(session, tenant, conv.id, 20)

    def contact_count(self, tenant: str, customer_id: str, days: int, *,
                      exclude_conversation: str | None = None) -> int:
        """The customer's tickets and conversations started in the last ``days`` (the
        repeated-contacts signal of frustration), without ``exclude_conversation``."""
        tenant = check_tenant(tenant)
        since = now() - timedelta(days=days)
        with self._sessions.begin() as session:
            tickets = session.scalar(
                select(func.count()).select_from(Ticket).where(
                    Ticket.tenant == tenant, Ticket.customer_id == customer_id,
                    Ticket.created_at >= since))
            convs = select(func.count()).select_from(Conversation).where(
                Conversation.tenant == tenant, Conversation.customer_id == customer_id,
                Conversation.started_at >= since)
            if exclude_conversation is not None:
                convs = convs.where(Conversation.id != exclude_conversation)
            return int(tickets or 0) + int(session.scalar(convs) or 0)
