"""The catalogue's tables (SQLAlchemy Core) and what shared tables need: a collection's key
(``space_of``) and creating tables where missing, replicas taking turns (``create_tables``).

The same tables serve a SQLite file per collection (``space`` is empty there) and the
deployment's PostgreSQL, where every collection of every tenant shares them.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from cxrag.errors import IndexUnavailable

log = structlog.get_logger(__name__)

METADATA = MetaData()
_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: a rowid alias, autoincrementing
META = Table("catalog_meta", METADATA, Column("space", String(200), primary_key=True),
             Column("key", String(200), primary_key=True), Column("value", Text, nullable=False))
SOURCES = Table("catalog_sources", METADATA, Column("space", String(200), primary_key=True),
                Column("path", Text, primary_key=True),
                Column("root", Text, nullable=False),
                Column("file_hash", String(128), nullable=False),
                Column("doc_ids", Text, nullable=False),
                Index("catalog_sources_by_root", "space", "root"))
DOCUMENTS = Table("catalog_documents", METADATA,
                  Column("space", String(200), primary_key=True),
                  Column("doc_id", String(512), primary_key=True),
                  Column("source_path", Text, nullable=False),
                  Column("content_hash", String(128), nullable=False),
                  *(Column(name, Text) for name in ("title", "source", "doc_type", "format",
                                                    "language", "updated_at", "tags",
                                                    "product")),
                  Column("n_chunks", Integer),
                  Column("private", Text),
                  Column("indexed_at", Text))
CHUNKS = Table("catalog_chunks", METADATA,
               Column("id", _ID, primary_key=True, autoincrement=True),
               Column("space", String(200), nullable=False),
               Column("chunk_id", String(600), nullable=False),
               Column("doc_id", String(512), nullable=False),
               Column("idx", Integer, nullable=False),
               Column("text", Text, nullable=False),
               Column("headings", Text, nullable=False),
               Column("n_tokens", Integer),
               UniqueConstraint("space", "chunk_id", name="catalog_chunks_unique"),
               Index("catalog_chunks_by_doc", "space", "doc_id"))
PENDING = Table("catalog_pending", METADATA, Column("space", String(200), primary_key=True),
                Column("doc_id", String(512), primary_key=True),
                Column("since", Text, nullable=False))
_SCHEMA_LOCK = 0x63787261  # pg_advisory_xact_lock key: replicas create tables in turn


def create_tables(engine: Engine, metadata: MetaData = METADATA,
                  what: str = "the catalogue database") -> None:
    """Create ``metadata``'s tables (the catalogue's by default) where missing; replicas
    starting together take turns. Database errors become ``IndexUnavailable`` naming
    ``what``."""
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            metadata.create_all(conn, checkfirst=True)
    except SQLAlchemyError as exc:
        raise IndexUnavailable(f"cannot open {what}: {exc}") from exc


def refresh_statistics(engine: Engine, tables: Sequence[str]) -> None:
    """``ANALYZE`` ``tables`` on PostgreSQL (nothing elsewhere), so that the planner knows
    what an ingest just wrote: with the statistics of an empty table it scanned all of a
    collection's postings for every lexical search (2.0 ms against 0.25 ms after
    ``ANALYZE`` on knowledge/). Autovacuum gets there too, a minute or more later. A failure
    (no privilege, say) is logged, never an ingest error."""
    if engine.dialect.name != "postgresql":
        return
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE " + ", ".join(tables))
    except SQLAlchemyError as exc:
        log.warning("index.analyze_failed", tables=list(tables), error=str(exc)[:300])


def space_of(tenant: str, collection: str) -> str:
    """The key of a collection's rows in tables every collection shares."""
    return f"{tenant}/{collection}"
