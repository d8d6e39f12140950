"""The customer-history store: one transaction per call, every query scoped by tenant and owner.

A conversation belongs to a signed-in customer or, until they sign in, to an anonymous visitor.
It continues across channels: the same customer writing on the web and then on WhatsApp within
``continue_within`` lands in the same conversation. Naming a conversation that belongs to
someone else is refused with ``ConversationForbidden``; one from another tenant does not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cxrag.errors import (
    ConfigurationError,
    ConversationForbidden,
    ConversationNotFound,
    CustomerNotFound,
    FeedbackTargetNotFound,
    InvalidRequest,
)
from cxrag.settings import check_name
from cxrag.store.db import make_engine, make_sessions
from cxrag.store.feedback import export_row, feedback_target
from cxrag.store.imports import CustomerRow, OrderRow, money, read_customers
from cxrag.store.models import (
    Base,
    Conversation,
    Customer,
    Draft,
    Event,
    Feedback,
    Message,
    Order,
    Ticket,
)
from cxrag.store.privacy import forget_customer as _forget
from cxrag.store.privacy import masked, masked_json
from cxrag.store.privacy import purge as _purge
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
    check_choice,
)
from cxrag.store.types import as_utc, now

MAX_LIMIT = 500
# A conversation waiting for a person continues like an open one (on any channel).
CONTINUES = ("open", "handoff")


class HistoryStore:
    """Customer profiles, orders, events, tickets, conversations, drafts and feedback."""

    def __init__(
        self, engine: Engine, *, continue_within: timedelta = timedelta(hours=24)
    ) -> None:
        self.engine = engine
        self.continue_within = continue_within
        self._sessions = make_sessions(engine)

    @classmethod
    def from_url(cls, url: str, *, continue_within: timedelta = timedelta(hours=24)
                 ) -> HistoryStore:
        """A store on a new engine for ``url`` (run ``migrate(url)`` before first use)."""
        return cls(make_engine(url), continue_within=continue_within)

    def close(self) -> None:
        """Close the engine's pooled connections."""
        self.engine.dispose()

    # -- customers, orders, events -------------------------------------------------------

    def upsert_customer(
        self, tenant: str, customer_id: str, *, name: str, email: str | None = None,
        locale: str | None = None, tier: str | None = None,
        attributes: Mapping[str, Any] | None = None, created_at: datetime | None = None,
    ) -> CustomerRecord:
        """Create or replace a customer's profile (its orders and history stay)."""
        row = CustomerRow(customer_id, name, email, locale, tier, dict(attributes or {}),
                          created_at)
        with self._sessions.begin() as session:
            return CustomerRecord.of(_put_customer(session, _tenant(tenant), row))

    def get_customer(self, tenant: str, customer_id: str) -> CustomerRecord | None:
        """The customer's profile, or None."""
        with self._sessions.begin() as session:
            row = session.get(Customer, (_tenant(tenant), customer_id))
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
            _require_customer(session, _tenant(tenant), customer_id)
            return OrderRecord.of(_put_order(session, tenant, customer_id, row))

    def add_event(
        self, tenant: str, customer_id: str, kind: str,
        data: Mapping[str, Any] | None = None, *, at: datetime | None = None,
    ) -> EventRecord:
        """Record something that happened to an existing customer."""
        with self._sessions.begin() as session:
            _require_customer(session, _tenant(tenant), customer_id)
            event = Event(tenant=tenant, customer_id=customer_id, kind=kind,
                          at=as_utc(at) if at else now(), data=dict(data or {}))
            session.add(event)
            session.flush()
            return EventRecord.of(event)

    def import_customers_json(self, tenant: str, path: Path) -> ImportCounts:
        """Upsert every customer and order of a ``customers.json`` file, all or nothing."""
        tenant, rows = _tenant(tenant), read_customers(path)
        with self._sessions.begin() as session:
            for row in rows:
                _put_customer(session, tenant, row)
                for order in row.orders:
                    _put_order(session, tenant, row.id, order)
        return ImportCounts(len(rows), sum(len(r.orders) for r in rows))

    # -- tickets ---------------------------------------------------------------------------

    def record_ticket(self, tenant: str, ticket: TicketRecord) -> TicketRecord:
        """Create or replace a helpdesk ticket."""
        values = {
            "tenant": _tenant(tenant), "id": ticket.id, "customer_id": ticket.customer_id,
            "channel": ticket.channel, "subject": ticket.subject, "status": ticket.status,
            "category": ticket.category, "tags": list(ticket.tags), "priority": ticket.priority,
            "created_at": ticket.created_at or now(), "resolved_at": ticket.resolved_at,
            "csat": ticket.csat, "summary": masked(ticket.summary),
            "resolution": masked(ticket.resolution), "language": ticket.language,
            "customer_text": masked(ticket.customer_text),
        }
        with self._sessions.begin() as session:
            row = _upsert(session, Ticket, values, keys=("tenant", "id"))
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
        tenant = _tenant(tenant)
        check_choice(channel, Channel, "channel")
        _require_owner(customer_id, visitor_id)
        with self._sessions.begin() as session:
            conv = self._conversation(session, tenant, conversation_id, customer_id, visitor_id,
                                      channel)
            earlier = _recent(session, tenant, conv.id, history) if history else []
            if text is not None:
                _append(session, conv, "user", channel, text, None)
            return ConversationRecord.of(conv), earlier

    def _conversation(self, session: Session, tenant: str, conversation_id: str | None,
                      customer_id: str | None, visitor_id: str | None,
                      channel: Channel) -> Conversation:
        if conversation_id:
            conv: Conversation | None = _owned(
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

    def add_message(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, role: Role, channel: Channel, text: str,
        meta: Mapping[str, Any] | None = None,
    ) -> MessageRecord:
        """Append a turn to the owner's conversation; ``meta`` is citations, model, usage..."""
        check_choice(role, Role, "role")
        check_choice(channel, Channel, "channel")
        with self._sessions.begin() as session:
            conv = _owned(session, _tenant(tenant), conversation_id, customer_id, visitor_id)
            return _append(session, conv, role, channel, text, meta)

    def recent_messages(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, limit: int = 20,
    ) -> list[MessageRecord]:
        """The owner's last ``limit`` turns of a conversation, oldest first."""
        with self._sessions.begin() as session:
            conv = _owned(session, _tenant(tenant), conversation_id, customer_id, visitor_id)
            return _recent(session, tenant, conv.id, limit)

    def conversation(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, limit: int = 50,
    ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """The owner's conversation and its last ``limit`` turns, oldest first."""
        with self._sessions.begin() as session:
            conv = _owned(session, _tenant(tenant), conversation_id, customer_id, visitor_id)
            return ConversationRecord.of(conv), _recent(session, tenant, conv.id, limit)

    def hand_off(
        self, tenant: str, conversation_id: str, *, customer_id: str | None = None,
        visitor_id: str | None = None, channel: Channel, text: str,
        meta: Mapping[str, Any] | None = None,
    ) -> MessageRecord:
        """Mark the owner's conversation as waiting for a person and record why, as a
        ``system`` turn (``meta`` holds the handoff: reason, queue, summary)."""
        check_choice(channel, Channel, "channel")
        with self._sessions.begin() as session:
            conv = _owned(session, _tenant(tenant), conversation_id, customer_id, visitor_id)
            conv.status = "handoff"
            return _append(session, conv, "system", channel, text, meta)

    def _open_conversation(
        self, session: Session, tenant: str, customer_id: str | None, visitor_id: str | None,
    ) -> Conversation | None:
        """The owner's latest open conversation still within ``continue_within``."""
        recent = (
            select(Conversation)
            .where(Conversation.tenant == tenant, Conversation.status.in_(CONTINUES),
                   Conversation.updated_at >= now() - self.continue_within)
            .order_by(Conversation.updated_at.desc()).limit(1))
        if customer_id:
            conv = session.scalars(recent.where(Conversation.customer_id == customer_id)).first()
            if conv is not None or not visitor_id:
                return conv
        return session.scalars(
            recent.where(Conversation.visitor_id == visitor_id,
                         Conversation.customer_id.is_(None))).first()

    # -- history ---------------------------------------------------------------------------

    def customer_history(
        self, tenant: str, customer_id: str, *, limit_orders: int = 5, limit_tickets: int = 5,
        limit_events: int = 10, limit_conversations: int = 5, limit_messages: int = 20,
    ) -> CustomerHistory:
        """One customer's profile, latest orders, tickets, events and conversation turns."""
        tenant = _tenant(tenant)
        with self._sessions.begin() as session:
            profile = session.get(Customer, (tenant, customer_id))
            mine = (Conversation.tenant == tenant, Conversation.customer_id == customer_id)
            orders = session.scalars(
                select(Order).where(Order.tenant == tenant, Order.customer_id == customer_id)
                .order_by(Order.placed_at.desc().nulls_last(), Order.id.desc())
                .limit(_limit(limit_orders)))
            tickets = session.scalars(
                select(Ticket).where(Ticket.tenant == tenant, Ticket.customer_id == customer_id)
                .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(_limit(limit_tickets)))
            events = session.scalars(
                select(Event).where(Event.tenant == tenant, Event.customer_id == customer_id)
                .order_by(Event.at.desc(), Event.id.desc()).limit(_limit(limit_events)))
            convs = session.scalars(
                select(Conversation).where(*mine).order_by(Conversation.updated_at.desc())
                .limit(_limit(limit_conversations)))
            messages = session.scalars(
                select(Message).join(Conversation, Message.conversation_id == Conversation.id)
                .where(Message.tenant == tenant, *mine)
                .order_by(Message.id.desc()).limit(_limit(limit_messages)))
            return CustomerHistory(
                customer=CustomerRecord.of(profile) if profile else None,
                orders=[OrderRecord.of(o) for o in orders],
                tickets=[TicketRecord.of(t) for t in tickets],
                events=[EventRecord.of(e) for e in events],
                conversations=[ConversationRecord.of(c) for c in convs],
                messages=[MessageRecord.of(m) for m in reversed(messages.all())],
            )

    def conversation_for_agent(self, tenant: str, conversation_id: str
                               ) -> tuple[ConversationRecord, list[MessageRecord]]:
        """A conversation of the tenant and its latest turns, whoever owns it (agents only)."""
        tenant = _tenant(tenant)
        with self._sessions.begin() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None or conv.tenant != tenant:
                raise ConversationNotFound(f"no conversation {conversation_id!r}")
            return ConversationRecord.of(conv), _recent(session, tenant, conv.id, 20)

    def contact_count(self, tenant: str, customer_id: str, days: int, *,
                      exclude_conversation: str | None = None) -> int:
        """The customer's tickets and conversations started in the last ``days`` (the
        repeated-contacts signal of frustration), without ``exclude_conversation``."""
        tenant = _tenant(tenant)
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

    # -- drafts and feedback -------------------------------------------------------------------

    def save_draft(
        self, tenant: str, *, ticket: Mapping[str, Any], text: str,
        citations: Sequence[Any] = (), prompt_version: str | None = None,
        model: str | None = None,
    ) -> DraftRecord:
        """Keep a drafted reply with the ticket it answers and what produced it."""
        draft = Draft(id=str(uuid4()), tenant=_tenant(tenant), ticket=masked_json(dict(ticket)),
                      text=masked(text), citations=list(citations),
                      prompt_version=prompt_version, model=model)
        with self._sessions.begin() as session:
            session.add(draft)
            session.flush()
            return DraftRecord.of(draft)

    def add_feedback(
        self, tenant: str, target_kind: TargetKind, target_id: str | int, *,
        accepted: bool | None = None, edited_text: str | None = None,
        rating: int | None = None, comment: str | None = None,
    ) -> FeedbackRecord:
        """Record a verdict on one of this tenant's messages or drafts."""
        check_choice(target_kind, TargetKind, "target_kind")
        with self._sessions.begin() as session:
            target = feedback_target(session, _tenant(tenant), target_kind, str(target_id))
            if target is None:
                raise FeedbackTargetNotFound(f"no {target_kind} {target_id!r}",
                                             target_kind=target_kind)
            row = Feedback(tenant=tenant, target_kind=target_kind, target_id=str(target.id),
                           accepted=accepted, edited_text=masked(edited_text), rating=rating,
                           comment=masked(comment))
            session.add(row)
            session.flush()
            return FeedbackRecord.of(row)

    def rate_message(
        self, tenant: str, conversation_id: str, message_id: int, *,
        customer_id: str | None = None, visitor_id: str | None = None, rating: int,
        comment: str | None = None,
    ) -> FeedbackRecord:
        """The owner's verdict on an assistant turn of their conversation; a second verdict
        on the same turn replaces the first (one per reply, so CSAT counts each reply once)."""
        tenant = _tenant(tenant)
        with self._sessions.begin() as session:
            conv = _owned(session, tenant, conversation_id, customer_id, visitor_id)
            message = session.get(Message, message_id)
            if message is None or message.conversation_id != conv.id \
                    or message.role != "assistant":
                raise FeedbackTargetNotFound(
                    f"no assistant reply {message_id} in conversation {conversation_id!r}",
                    target_kind="message")
            row = session.scalars(
                select(Feedback).where(Feedback.tenant == tenant,
                                       Feedback.target_kind == "message",
                                       Feedback.target_id == str(message.id))).first()
            if row is None:
                row = Feedback(tenant=tenant, target_kind="message", target_id=str(message.id))
                session.add(row)
            row.rating, row.comment, row.at = rating, masked(comment), now()
            session.flush()
            return FeedbackRecord.of(row)

    def export_feedback(self, tenant: str) -> list[dict[str, Any]]:
        """Every feedback of the tenant, oldest first, with what it judged (JSON-ready)."""
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(Feedback).where(Feedback.tenant == _tenant(tenant))
                .order_by(Feedback.at, Feedback.id)).all()
            return [export_row(session, tenant, row) for row in rows]

    # -- personal data: deletion on request, retention (policy in cxrag.store.privacy) ------

    def forget_customer(self, tenant: str, customer_id: str) -> dict[str, int]:
        """Delete one customer's profile, orders, events, tickets, conversations, drafts and
        the feedback on them; rows deleted per table. ``CustomerNotFound`` if there were none."""
        with self._sessions.begin() as session:
            counts = _forget(session, _tenant(tenant), customer_id)
        if not any(counts.values()):
            raise CustomerNotFound(f"no customer {customer_id!r}", customer_id=customer_id)
        return counts

    def purge(self, tenant: str, older_than: datetime) -> dict[str, int]:
        """Delete conversations last updated, and drafts created, before ``older_than`` (with
        their messages and feedback); rows deleted per table."""
        with self._sessions.begin() as session:
            return _purge(session, _tenant(tenant), as_utc(older_than))


# -- helpers, all inside the caller's transaction ---------------------------------------------


def _tenant(tenant: str) -> str:
    return check_name("tenant", tenant)


def _limit(limit: int) -> int:
    if not 0 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be between 0 and {MAX_LIMIT}", field="limit")
    return limit


def _require_owner(customer_id: str | None, visitor_id: str | None) -> None:
    if not customer_id and not visitor_id:
        raise InvalidRequest("a conversation needs a customer_id or a visitor_id",
                             field="customer_id")


def _append(session: Session, conv: Conversation, role: Role, channel: Channel, text: str,
            meta: Mapping[str, Any] | None) -> MessageRecord:
    # Core statements, not the unit of work: this runs twice per chat turn on the hot path.
    at, text, meta = now(), masked(text), masked_json(dict(meta or {}))
    new_id = session.execute(
        insert(Message).values(tenant=conv.tenant, conversation_id=conv.id, role=role,
                               channel=channel, text=text, at=at, meta=meta)
        .returning(Message.id)).scalar_one()
    conv.channel, conv.updated_at = channel, at
    return MessageRecord(new_id, conv.id, role, channel, text, at, meta)


def _recent(session: Session, tenant: str, conversation_id: str,
            limit: int) -> list[MessageRecord]:
    rows = session.scalars(
        select(Message)
        .where(Message.tenant == tenant, Message.conversation_id == conversation_id)
        .order_by(Message.id.desc()).limit(_limit(limit)))
    return [MessageRecord.of(m) for m in reversed(rows.all())]


def _require_customer(session: Session, tenant: str, customer_id: str) -> None:
    if session.get(Customer, (tenant, customer_id)) is None:
        raise CustomerNotFound(f"no customer {customer_id!r}", customer_id=customer_id)


def _owned(session: Session, tenant: str, conversation_id: str, customer_id: str | None,
           visitor_id: str | None) -> Conversation:
    """The tenant's conversation, if the caller owns it; a customer's is theirs alone."""
    _require_owner(customer_id, visitor_id)
    conv = session.scalars(
        select(Conversation)
        .where(Conversation.id == conversation_id, Conversation.tenant == tenant)).one_or_none()
    if conv is None:
        raise ConversationNotFound(f"no conversation {conversation_id!r}")
    if conv.customer_id is not None:
        allowed = conv.customer_id == customer_id
    else:
        allowed = visitor_id is not None and conv.visitor_id == visitor_id
    if not allowed:
        raise ConversationForbidden(f"conversation {conversation_id!r} belongs to someone else")
    return conv


def _insert(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise ConfigurationError(f"the history store runs on SQLite or PostgreSQL, not {dialect}")


def _upsert(session: Session, model: type[Base], values: dict[str, Any], *,
            keys: Iterable[str], keep: Iterable[str] = (), where: Any = None) -> Any:
    """Insert ``values`` or update the row with the same ``keys`` (except ``keep``).

    Returns the stored row, or None when ``where`` refused the update.
    """
    keys, keep = list(keys), set(keep)
    stmt = _insert(session, model).values(values)
    changed = {k: stmt.excluded[k] for k in values if k not in keys and k not in keep}
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_=changed, where=where)
    returning = stmt.returning(model).execution_options(populate_existing=True)
    return session.scalars(returning).one_or_none()


def _put_customer(session: Session, tenant: str, row: CustomerRow) -> Customer:
    values = {"tenant": tenant, "id": row.id, "name": row.name, "email": row.email,
              "locale": row.locale, "tier": row.tier, "attributes": row.attributes,
              "created_at": row.created_at or now(), "updated_at": now()}
    keep = () if row.created_at else ("created_at",)
    customer = _upsert(session, Customer, values, keys=("tenant", "id"), keep=keep)
    assert isinstance(customer, Customer)
    return customer


def _put_order(session: Session, tenant: str, customer_id: str, row: OrderRow) -> Order:
    values = {"tenant": tenant, "id": row.id, "customer_id": customer_id, "status": row.status,
              "total": row.total, "currency": row.currency, "placed_at": row.placed_at,
              "items": row.items, "attributes": row.attributes, "updated_at": now()}
    # An order never moves between customers: the update only applies to the same owner.
    order = _upsert(session, Order, values, keys=("tenant", "id"),
                    where=Order.customer_id == customer_id)
    if order is None:
        raise InvalidRequest(f"order {row.id!r} belongs to another customer", field="order_id")
    assert isinstance(order, Order)
    return order
