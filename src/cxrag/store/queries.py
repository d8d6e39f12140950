"""Checks and statements the SQL stores share, all inside the caller's transaction.

Sessions and engines come from ``cxrag.store.db``, the checks of plain values (tenant, limit,
choices) from ``cxrag.store.records``; this module holds what runs in a session: conversation
ownership, the hot-path message insert, and the dialect's ``INSERT ... ON CONFLICT`` upsert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cxrag.errors import (
    ConfigurationError,
    ConversationForbidden,
    ConversationNotFound,
    CustomerNotFound,
    InvalidRequest,
)
from cxrag.store.models import Base, Conversation, Customer, Message
from cxrag.store.privacy import masked, masked_json
from cxrag.store.records import Channel, MessageRecord, Role, check_limit
from cxrag.store.types import now


def require_owner(customer_id: str | None, visitor_id: str | None) -> None:
    """A conversation is always named by its owner: a customer or a visitor."""
    if not customer_id and not visitor_id:
        raise InvalidRequest("a conversation needs a customer_id or a visitor_id",
                             field="customer_id")


def require_customer(session: Session, tenant: str, customer_id: str) -> None:
    """``CustomerNotFound`` unless the tenant has that customer."""
    if session.get(Customer, (tenant, customer_id)) is None:
        raise CustomerNotFound(f"no customer {customer_id!r}", customer_id=customer_id)


def owned(session: Session, tenant: str, conversation_id: str, customer_id: str | None,
          visitor_id: str | None) -> Conversation:
    """The tenant's conversation, if the caller owns it; a customer's is theirs alone."""
    require_owner(customer_id, visitor_id)
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


def append(session: Session, conv: Conversation, role: Role, channel: Channel, text: str,
           meta: Mapping[str, Any] | None) -> MessageRecord:
    """Store a turn of ``conv`` (personal data masked) and move the conversation to now."""
    # Core statements, not the unit of work: this runs twice per chat turn on the hot path.
    at, text, meta = now(), masked(text), masked_json(dict(meta or {}))
    new_id = session.execute(
        insert(Message).values(tenant=conv.tenant, conversation_id=conv.id, role=role,
                               channel=channel, text=text, at=at, meta=meta)
        .returning(Message.id)).scalar_one()
    conv.channel, conv.updated_at = channel, at
    return MessageRecord(new_id, conv.id, role, channel, text, at, meta)


def recent(session: Session, tenant: str, conversation_id: str,
           limit: int) -> list[MessageRecord]:
    """The last ``limit`` turns of a conversation, oldest first."""
    rows = session.scalars(
        select(Message)
        .where(Message.tenant == tenant, Message.conversation_id == conversation_id)
        .order_by(Message.id.desc()).limit(check_limit(limit)))
    return [MessageRecord.of(m) for m in reversed(rows.all())]


def _insert(session: Session, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise ConfigurationError(f"the history store runs on SQLite or PostgreSQL, not {dialect}")


def upsert(session: Session, model: type[Base], values: dict[str, Any], *,
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
