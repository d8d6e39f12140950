"""Personal data in the store: what is masked when written, deletion on request, retention.

Policy. Card numbers, IBANs and national ids (``cxrag.privacy.SENSITIVE``) are masked before
they are written: messages and their ``meta`` (handoff summaries), drafts and the tickets they
answer, feedback comments and edits, helpdesk tickets' texts. Nobody in a support
conversation needs them back, and a leaked database then holds none. Emails and phone numbers
stay in the store: agents see them in the conversation to contact the customer. They are
masked everywhere the store's content leaves it (feedback export, logs, remote prompts).

A customer's data is deleted on request (``forget_customer``) and conversations and drafts are
deleted after ``privacy.retention_days`` (``purge``). Deletes name their tables one by one
rather than rely on ``ON DELETE CASCADE``, to count the rows of each. ``SqlPersonalDataStore``
runs both, one transaction each (it implements ``protocols.PersonalDataStore``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, overload

from sqlalchemy import ColumnElement, String, cast, delete, select
from sqlalchemy.orm import Session, sessionmaker

from cxrag.errors import CustomerNotFound
from cxrag.privacy import SENSITIVE, redact, redact_json
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
from cxrag.store.records import check_tenant
from cxrag.store.types import as_utc


@overload
def masked(text: str) -> str: ...
@overload
def masked(text: None) -> None: ...
@overload
def masked(text: str | None) -> str | None: ...
def masked(text: str | None) -> str | None:
    """``text`` as it may be stored: sensitive kinds masked, contact data kept."""
    return None if text is None else redact(text, SENSITIVE)


def masked_json(value: dict[str, Any]) -> dict[str, Any]:
    """A JSON object as it may be stored: sensitive kinds masked in every string inside."""
    result: dict[str, Any] = redact_json(value, SENSITIVE)
    return result


class SqlPersonalDataStore:
    """Deletion of a customer's data on request, and deletion of old data (retention)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def forget_customer(self, tenant: str, customer_id: str) -> dict[str, int]:
        """Delete one customer's profile, orders, events, tickets, conversations, drafts and
        the feedback on them; rows deleted per table. ``CustomerNotFound`` if there were
        none."""
        with self._sessions.begin() as session:
            counts = forget_customer(session, check_tenant(tenant), customer_id)
        if not any(counts.values()):
            raise CustomerNotFound(f"no customer {customer_id!r}", customer_id=customer_id)
        return counts

    def purge(self, tenant: str, older_than: datetime) -> dict[str, int]:
        """Delete conversations last updated, and drafts created, before ``older_than`` (with
        their messages and feedback); rows deleted per table."""
        with self._sessions.begin() as session:
            return purge(session, check_tenant(tenant), as_utc(older_than))


def forget_customer(session: Session, tenant: str, customer_id: str) -> dict[str, int]:
    """Delete everything that names the tenant's customer; rows deleted per table."""
    counts = _conversations(session, tenant, Conversation.customer_id == customer_id)
    # Drafts keep the ticket they answer as JSON, the customer's id inside it.
    drafts = _drafts(session, tenant, Draft.ticket["customer_id"].as_string() == customer_id)
    counts = {**counts, **drafts, "feedback": counts["feedback"] + drafts["feedback"]}
    for name, model, column in (("tickets", Ticket, Ticket.customer_id),
                                ("events", Event, Event.customer_id),
                                ("orders", Order, Order.customer_id),
                                ("customers", Customer, Customer.id)):
        counts[name] = _delete(session, model, model.tenant == tenant, column == customer_id)
    return counts


def purge(session: Session, tenant: str, older_than: datetime) -> dict[str, int]:
    """Delete conversations last updated and drafts created before ``older_than``, with their
    messages and feedback; rows deleted per table."""
    counts = _conversations(session, tenant, Conversation.updated_at < older_than)
    drafts = _drafts(session, tenant, Draft.created_at < older_than)
    return {**counts, **drafts, "feedback": counts["feedback"] + drafts["feedback"]}


def _conversations(session: Session, tenant: str, *where: ColumnElement[bool]
                   ) -> dict[str, int]:
    chosen = select(Conversation.id).where(Conversation.tenant == tenant, *where)
    in_them = (Message.tenant == tenant, Message.conversation_id.in_(chosen))
    message_ids = select(cast(Message.id, String)).where(*in_them)
    feedback = _delete(session, Feedback, Feedback.tenant == tenant,
                       Feedback.target_kind == "message", Feedback.target_id.in_(message_ids))
    messages = _delete(session, Message, *in_them)
    conversations = _delete(session, Conversation, Conversation.tenant == tenant, *where)
    return {"conversations": conversations, "messages": messages, "feedback": feedback}


def _drafts(session: Session, tenant: str, *where: ColumnElement[bool]) -> dict[str, int]:
    chosen = select(Draft.id).where(Draft.tenant == tenant, *where)
    feedback = _delete(session, Feedback, Feedback.tenant == tenant,
                       Feedback.target_kind == "draft", Feedback.target_id.in_(chosen))
    drafts = _delete(session, Draft, Draft.tenant == tenant, *where)
    return {"drafts": drafts, "feedback": feedback}


def _delete(session: Session, model: type[Base], *where: ColumnElement[bool]) -> int:
    result = session.execute(delete(model).where(*where),
                             execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)
