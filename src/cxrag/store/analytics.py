"""Read-only queries for analytics: one tenant's activity in a time window, as plain records.

Nothing here writes. Tickets count from ``created_at``, conversations from ``started_at`` and
feedback from ``at``; ``since`` is inclusive and ``until`` exclusive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cxrag.settings import check_name
from cxrag.store.db import make_sessions
from cxrag.store.models import Conversation, Customer, Feedback, Message, Ticket
from cxrag.store.records import (
    ConversationRecord,
    CustomerRecord,
    FeedbackRecord,
    MessageRecord,
    TicketRecord,
)

CHUNK = 500  # ids per IN (...) clause, well under every backend's parameter limit
T = TypeVar("T")


@dataclass(frozen=True)
class Thread:
    """A conversation with all its turns, oldest first."""

    conversation: ConversationRecord
    messages: list[MessageRecord]


@dataclass(frozen=True)
class Activity:
    """Everything of one tenant in a window that insights are computed from."""

    tickets: list[TicketRecord] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    feedback: list[FeedbackRecord] = field(default_factory=list)
    customers: dict[str, CustomerRecord] = field(default_factory=dict)


def activity_bounds(engine: Engine, tenant: str) -> tuple[datetime | None, datetime | None]:
    """The first and last time anything (a ticket, a conversation) happened for ``tenant``."""
    tenant = check_name("tenant", tenant)
    with make_sessions(engine).begin() as session:
        t_first, t_last = session.execute(
            select(func.min(Ticket.created_at), func.max(Ticket.created_at))
            .where(Ticket.tenant == tenant)).one()
        c_first, c_last = session.execute(
            select(func.min(Conversation.started_at), func.max(Conversation.updated_at))
            .where(Conversation.tenant == tenant)).one()
    firsts = [t for t in (t_first, c_first) if t is not None]
    lasts = [t for t in (t_last, c_last) if t is not None]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def count_tickets(engine: Engine, tenant: str) -> int:
    """How many tickets the tenant has in the store."""
    with make_sessions(engine).begin() as session:
        return int(session.execute(select(func.count()).select_from(Ticket).where(
            Ticket.tenant == check_name("tenant", tenant))).scalar_one())


def load_activity(engine: Engine, tenant: str, since: datetime, until: datetime) -> Activity:
    """The tenant's tickets, conversations (with every turn), feedback and the customers
    they name, within ``[since, until)``; one read transaction."""
    tenant = check_name("tenant", tenant)
    with make_sessions(engine).begin() as session:
        tickets = [TicketRecord.of(t) for t in session.scalars(
            select(Ticket).where(Ticket.tenant == tenant, Ticket.created_at >= since,
                                 Ticket.created_at < until)
            .order_by(Ticket.created_at, Ticket.id))]
        convs = [ConversationRecord.of(c) for c in session.scalars(
            select(Conversation).where(Conversation.tenant == tenant,
                                       Conversation.started_at >= since,
                                       Conversation.started_at < until)
            .order_by(Conversation.started_at, Conversation.id))]
        turns = _messages(session, tenant, [c.id for c in convs])
        feedback = [FeedbackRecord.of(f) for f in session.scalars(
            select(Feedback).where(Feedback.tenant == tenant, Feedback.at >= since,
                                   Feedback.at < until).order_by(Feedback.at, Feedback.id))]
        who = {t.customer_id for t in tickets} | {c.customer_id for c in convs}
        customers = _customers(session, tenant, sorted(w for w in who if w))
    threads = [Thread(c, turns.get(c.id, [])) for c in convs]
    return Activity(tickets, threads, feedback, customers)


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _messages(session: Session, tenant: str, ids: Sequence[str]
              ) -> dict[str, list[MessageRecord]]:
    out: dict[str, list[MessageRecord]] = {}
    for chunk in _chunks(ids):
        rows: Iterable[Any] = session.scalars(
            select(Message).where(Message.tenant == tenant,
                                  Message.conversation_id.in_(chunk)).order_by(Message.id))
        for row in rows:
            out.setdefault(row.conversation_id, []).append(MessageRecord.of(row))
    return out


def _customers(session: Session, tenant: str, ids: Sequence[str]
               ) -> dict[str, CustomerRecord]:
    out: dict[str, CustomerRecord] = {}
    for chunk in _chunks(ids):
        for row in session.scalars(
                select(Customer).where(Customer.tenant == tenant, Customer.id.in_(chunk))):
            out[row.id] = CustomerRecord.of(row)
    return out
