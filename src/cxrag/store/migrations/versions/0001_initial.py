"""Initial customer-history schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Column types are spelled out here rather than imported from the models, so this revision
keeps creating the same schema whatever the models become.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _customer_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant", "customer_id"], ["customers.tenant", "customers.id"],
        name=op.f(f"fk_{table}_tenant_customers"), ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "customers",
        _str("tenant", 48), _str("id", 64), _str("name", 200),
        _str("email", 320, True), _str("locale", 16, True), _str("tier", 32, True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        _time("created_at"), _time("updated_at"),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_customers")),
    )
    op.create_table(
        "orders",
        _str("tenant", 48), _str("id", 64), _str("customer_id", 64), _str("status", 32),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=True),
        _str("currency", 3, True), _time("placed_at", True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        _time("updated_at"),
        _customer_fk("orders"),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_orders")),
    )
    op.create_index("ix_orders_customer", "orders", ["tenant", "customer_id", "placed_at"])
    op.create_table(
        "events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        _str("tenant", 48), _str("customer_id", 64), _str("kind", 64), _time("at"),
        sa.Column("data", sa.JSON(), nullable=False),
        _customer_fk("events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index("ix_events_customer", "events", ["tenant", "customer_id", "at"])
    op.create_table(
        "tickets",
        _str("tenant", 48), _str("id", 64), _str("customer_id", 64, True),
        _str("channel", 32, True), _str("subject", 500), _str("status", 32),
        _str("category", 64, True), sa.Column("tags", sa.JSON(), nullable=False),
        _str("priority", 16, True), _time("created_at"), _time("resolved_at", True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "id", name=op.f("pk_tickets")),
    )
    op.create_index("ix_tickets_customer", "tickets", ["tenant", "customer_id", "created_at"])
    op.create_table(
        "conversations",
        _str("id", 36), _str("tenant", 48), _str("customer_id", 64, True),
        _str("visitor_id", 64, True), _str("channel", 16),
        _time("started_at"), _time("updated_at"), _str("status", 16),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index("ix_conversations_customer", "conversations",
                    ["tenant", "customer_id", "updated_at"])
    op.create_index("ix_conversations_visitor", "conversations",
                    ["tenant", "visitor_id", "updated_at"])
    op.create_table(
        "messages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        _str("tenant", 48), _str("conversation_id", 36), _str("role", 16), _str("channel", 16),
        sa.Column("text", sa.Text(), nullable=False), _time("at"),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_messages_conversation_id_conversations"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index("ix_messages_conversation", "messages", ["conversation_id", "id"])
    op.create_table(
        "drafts",
        _str("id", 36), _str("tenant", 48),
        sa.Column("ticket", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        _time("created_at"), _str("prompt_version", 32, True), _str("model", 200, True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
    )
    op.create_index("ix_drafts_tenant", "drafts", ["tenant", "created_at"])
    op.create_table(
        "feedback",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        _str("tenant", 48), _str("target_kind", 16), _str("target_id", 64),
        sa.Column("accepted", sa.Boolean(), nullable=True),
        sa.Column("edited_text", sa.Text(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        _time("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index("ix_feedback_tenant", "feedback", ["tenant", "at"])


def downgrade() -> None:
    for table in ("feedback", "drafts", "messages", "conversations", "tickets", "events",
                  "orders", "customers"):
        op.drop_table(table)
