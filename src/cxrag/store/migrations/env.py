"""Alembic environment: runs on the connection ``cxrag.store.db.migrate`` hands in."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from cxrag.store.models import Base
from cxrag.store.types import UtcDateTime


def run_migrations(connection: Connection) -> None:
    """Apply pending migrations on ``connection`` (batch mode on SQLite for ALTERs)."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _render_item(kind: str, obj: Any, autogen: AutogenContext) -> str | Literal[False]:
    # New revisions spell out the stored type instead of importing cxrag's decorator.
    if kind == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through cxrag.store.db.migrate(url)")
    run_migrations(connection)


_main()
