"""Plain, immutable views of stored rows: what the store hands out (never live ORM objects)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from cxrag.errors import InvalidRequest
from cxrag.settings import check_name
from cxrag.store import models
from cxrag.store.types import parse_time

Role = Literal["user", "assistant", "agent", "system"]
Channel = Literal["web", "email", "whatsapp", "phone", "agent"]
TargetKind = Literal["message", "draft"]

MAX_LIMIT = 500


def check_tenant(tenant: str) -> str:
    """``tenant`` if it is a valid name, else InvalidName."""
    return check_name("tenant", tenant)


def check_limit(limit: int) -> int:
    """``limit`` if it is between 0 and ``MAX_LIMIT``, else InvalidRequest."""
    if not 0 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be between 0 and {MAX_LIMIT}", field="limit")
    return limit


def check_choice(value: str, choices: Any, field_name: str) -> str:
    """``value`` if it is one of the Literal ``choices``, else InvalidRequest."""
    allowed = get_args(choices)
    if value not in allowed:
        raise InvalidRequest(f"{field_name} must be one of {', '.join(allowed)}; got {value!r}",
                             field=field_name)
    return value


def _split_tags(value: Any) -> list[str]:
    # CSV exports join tags with ';' or ','; JSONL ones carry a list.
    if isinstance(value, str):
        return [t.strip() for t in re.split(r"[;,]", value) if t.strip()]
    return [str(t) for t in value or []]


CUSTOMER_TEXT_LIMIT = 4000


def _customer_text(row: dict[str, Any]) -> str | None:
    """What the customer wrote in an exported ticket: their messages, joined and clipped."""
    value = row.get("messages") or []
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            return None
    bodies = [str(m.get("body") or "").strip() for m in value if isinstance(m, dict)
              and m.get("author") == "customer"] if isinstance(value, list) else []
    text = "\n".join(b for b in bodies if b)
    return text[:CUSTOMER_TEXT_LIMIT] or None


@dataclass(frozen=True)
class CustomerRecord:
    """A customer profile."""

    id: str
    name: str
    email: str | None
    locale: str | None
    tier: str | None
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: models.Customer) -> CustomerRecord:
        return cls(row.id, row.name, row.email, row.locale, row.tier, dict(row.attributes),
                   row.created_at, row.updated_at)


@dataclass(frozen=True)
class OrderRecord:
    """An order; ``attributes`` keeps what has no column (subtotal, carrier, tracking...)."""

    id: str
    customer_id: str
    status: str
    total: Decimal | None
    currency: str | None
    placed_at: datetime | None
    items: list[Any]
    attributes: dict[str, Any]

    @classmethod
    def of(cls, row: models.Order) -> OrderRecord:
        return cls(row.id, row.customer_id, row.status, row.total, row.currency, row.placed_at,
                   list(row.items), dict(row.attributes))


@dataclass(frozen=True)
class EventRecord:
    """Something that happened to a customer."""

    id: int
    customer_id: str
    kind: str
    at: datetime
    data: dict[str, Any]

    @classmethod
    def of(cls, row: models.Event) -> EventRecord:
        return cls(row.id, row.customer_id, row.kind, row.at, dict(row.data))


@dataclass(frozen=True)
class TicketRecord:
    """A helpdesk ticket; also what ``HistoryStore.record_ticket`` takes."""

    id: str
    customer_id: str | None
    subject: str
    status: str
    channel: str | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    priority: str | None = None
    created_at: datetime | None = None
    resolved_at: datetime | None = None
    csat: int | None = None
    summary: str | None = None
    resolution: str | None = None
    language: str | None = None
    customer_text: str | None = None  # the customer's own messages, for analytics

    @classmethod
    def of(cls, row: models.Ticket) -> TicketRecord:
        return cls(row.id, row.customer_id, row.subject, row.status, row.channel, row.category,
                   tuple(row.tags), row.priority, row.created_at, row.resolved_at, row.csat,
                   row.summary, row.resolution, row.language, row.customer_text)

    @classmethod
    def from_export_row(cls, row: dict[str, Any]) -> TicketRecord:
        """A ticket from a helpdesk export row (the JSONL shape ``cxrag.ingest.tickets`` reads)."""
        ticket_id = str(row.get("id") or row.get("ticket_id") or "").strip()
        if not ticket_id:
            raise InvalidRequest("a ticket has no id", field="id")
        status = str(row.get("status") or "open").lower()
        resolved = status in {"solved", "closed", "resolved"}
        csat = row.get("csat")
        return cls(
            id=ticket_id,
            customer_id=str(row["customer_id"]) if row.get("customer_id") else None,
            subject=str(row.get("subject") or ""),
            status=status,
            channel=row.get("channel") or None,
            category=row.get("category") or None,
            tags=tuple(_split_tags(row.get("tags"))),
            priority=row.get("priority") or None,
            created_at=parse_time(row.get("created_at"), "created_at"),
            resolved_at=parse_time(row.get("resolved_at") or
                                   (row.get("updated_at") if resolved else None), "resolved_at"),
            csat=int(csat) if csat not in (None, "") else None,
            summary=row.get("summary") or None,
            resolution=row.get("resolution") or None,
            language=str(row["language"]).lower()[:16] if row.get("language") else None,
            customer_text=_customer_text(row),
        )


@dataclass(frozen=True)
class ConversationRecord:
    """A conversation; ``channel`` is the channel of its latest message."""

    id: str
    customer_id: str | None
    visitor_id: str | None
    channel: str
    started_at: datetime
    updated_at: datetime
    status: str

    @classmethod
    def of(cls, row: models.Conversation) -> ConversationRecord:
        return cls(row.id, row.customer_id, row.visitor_id, row.channel, row.started_at,
                   row.updated_at, row.status)


@dataclass(frozen=True)
class MessageRecord:
    """One turn; ``meta`` holds citations, prompt_version, model, usage, latency."""

    id: int
    conversation_id: str
    role: str
    channel: str
    text: str
    at: datetime
    meta: dict[str, Any]

    @classmethod
    def of(cls, row: models.Message) -> MessageRecord:
        return cls(row.id, row.conversation_id, row.role, row.channel, row.text, row.at,
                   dict(row.meta))


@dataclass(frozen=True)
class DraftRecord:
    """A drafted reply and what it was drafted from."""

    id: str
    ticket: dict[str, Any]
    text: str
    citations: list[Any]
    created_at: datetime
    prompt_version: str | None
    model: str | None

    @classmethod
    def of(cls, row: models.Draft) -> DraftRecord:
        return cls(row.id, dict(row.ticket), row.text, list(row.citations), row.created_at,
                   row.prompt_version, row.model)


@dataclass(frozen=True)
class FeedbackRecord:
    """A verdict on a message or a draft."""

    id: int
    target_kind: str
    target_id: str
    accepted: bool | None
    edited_text: str | None
    rating: int | None
    comment: str | None
    at: datetime

    @classmethod
    def of(cls, row: models.Feedback) -> FeedbackRecord:
        return cls(row.id, row.target_kind, row.target_id, row.accepted, row.edited_text,
                   row.rating, row.comment, row.at)


@dataclass(frozen=True)
class CustomerHistory:
    """What the assistant may know about one customer; ``customer`` is None without a profile."""

    customer: CustomerRecord | None
    orders: list[OrderRecord] = field(default_factory=list)
    tickets: list[TicketRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)
    conversations: list[ConversationRecord] = field(default_factory=list)
    messages: list[MessageRecord] = field(default_factory=list)


@dataclass(frozen=True)
class ImportCounts:
    """How many rows an import wrote."""

    customers: int
    orders: int
