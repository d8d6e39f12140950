"""The customer-history tables, as typed SQLAlchemy models.

Every row carries its ``tenant`` and every lookup filters by it. Customers, orders and tickets
are keyed by ``(tenant, id)``, so two tenants may use the same ids without meeting. Tickets and
conversations name a customer without a foreign key: a helpdesk export or a signed-in user may
come before that customer's profile is imported.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cxrag.store.types import AutoId, UtcDateTime, now

# Stable constraint names, so later migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = dict[str, Any]


class Base(DeclarativeBase):
    """Base of the store's models."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), Json: JSON(), list[Any]: JSON()}


class Customer(Base):
    """A customer profile."""

    __tablename__ = "customers"

    tenant: Mapped[str] = mapped_column(String(48), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str | None] = mapped_column(String(16))
    tier: Mapped[str | None] = mapped_column(String(32))
    attributes: Mapped[Json] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)


class Order(Base):
    """An order of one customer, items and all."""

    __tablename__ = "orders"
    __table_args__ = (
        ForeignKeyConstraint(["tenant", "customer_id"], ["customers.tenant", "customers.id"],
                             ondelete="CASCADE"),
        Index("ix_orders_customer", "tenant", "customer_id", "placed_at"),
    )

    tenant: Mapped[str] = mapped_column(String(48), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    placed_at: Mapped[datetime | None]
    items: Mapped[list[Any]] = mapped_column(default=list)
    attributes: Mapped[Json] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=now)


class Event(Base):
    """Something that happened to a customer (a login, a delivery, a refund)."""

    __tablename__ = "events"
    __table_args__ = (
        ForeignKeyConstraint(["tenant", "customer_id"], ["customers.tenant", "customers.id"],
                             ondelete="CASCADE"),
        Index("ix_events_customer", "tenant", "customer_id", "at"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(48))
    customer_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=now)
    data: Mapped[Json] = mapped_column(default=dict)


class Ticket(Base):
    """A helpdesk ticket, as history (resolved ones also become knowledge elsewhere)."""

    __tablename__ = "tickets"
    __table_args__ = (Index("ix_tickets_customer", "tenant", "customer_id", "created_at"),)

    tenant: Mapped[str] = mapped_column(String(48), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    priority: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=now)
    resolved_at: Mapped[datetime | None]
    csat: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(16))
    customer_text: Mapped[str | None] = mapped_column(Text)  # what the customer wrote


class Conversation(Base):
    """A conversation, owned by a customer or (until they sign in) by an anonymous visitor."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_customer", "tenant", "customer_id", "updated_at"),
        Index("ix_conversations_visitor", "tenant", "visitor_id", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(48))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    visitor_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    status: Mapped[str] = mapped_column(String(16), default="open")


class Message(Base):
    """One turn of a conversation; ``meta`` holds citations, prompt version, model, usage."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(48))
    conversation_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=now)
    meta: Mapped[Json] = mapped_column(default=dict)


class Draft(Base):
    """A reply drafted for an agent, with what it was drafted from."""

    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_tenant", "tenant", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(48))
    ticket: Mapped[Json] = mapped_column(default=dict)
    text: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=now)
    prompt_version: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(200))


class Feedback(Base):
    """A verdict on an assistant message or a draft: accepted, edited, rated, commented."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_tenant", "tenant", "at"),)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(48))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    accepted: Mapped[bool | None] = mapped_column(Boolean)
    edited_text: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=now)


class IngestJob(Base):
    """An ingest run queued for the workers: its files are split into parts, one task each."""

    __tablename__ = "ingest_jobs"
    __table_args__ = (Index("ix_ingest_jobs_tenant", "tenant", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(48))
    collection: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    files_total: Mapped[int] = mapped_column(Integer)
    parts_total: Mapped[int] = mapped_column(Integer)
    refused: Mapped[list[Any]] = mapped_column(default=list)  # failures found on upload
    created_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None] = mapped_column()


class IngestJobPart(Base):
    """One part of a job: a few files a worker ingests as one task, and what it did."""

    __tablename__ = "ingest_job_parts"

    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("ingest_jobs.id", ondelete="CASCADE"), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    files: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(120))
    report: Mapped[Json] = mapped_column(default=dict)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class IngestJobFile(Base):
    """A file of a job, kept in the database until its part is done (workers share no disk)."""

    __tablename__ = "ingest_job_files"
    __table_args__ = (
        ForeignKeyConstraint(["job_id", "part"],
                             ["ingest_job_parts.job_id", "ingest_job_parts.part"],
                             ondelete="CASCADE"),
        Index("ix_ingest_job_files_part", "job_id", "part"),
    )

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(36))
    part: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(1000))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)


class TriageModelRow(Base):
    """A trained triage model version, shared by every replica (the server configuration):
    ``cxrag triage train`` publishes it, a replica copies it into its own model folder."""

    __tablename__ = "triage_models"

    version: Mapped[str] = mapped_column(String(80), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    manifest: Mapped[Json] = mapped_column()
    model: Mapped[bytes] = mapped_column(LargeBinary)


class EvalRunRow(Base):
    """An eval run (its ``run.json``, personal data already masked) on the server
    configuration, so runs from any machine can be listed, compared and gated anywhere."""

    __tablename__ = "eval_runs"
    __table_args__ = (Index("ix_eval_runs_suite", "suite", "created_at"),)

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    suite: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=now)
    run: Mapped[Json] = mapped_column()
