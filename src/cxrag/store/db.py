"""Engines, sessions and schema migrations of the customer-history store.

Migrations ship inside the package (``cxrag/store/migrations``) and run from code, so an
installed wheel can upgrade its database without an ``alembic.ini`` on disk.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from cxrag.errors import ConfigurationError

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and cross-thread use."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"invalid database URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {}).setdefault("check_same_thread", False)
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if parsed.get_backend_name() == "postgresql":  # a server down fails fast, not in minutes
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", 5)
        # No server-side prepared statements: their generic plans made the lexical ranking
        # (the same statement, other terms) several times slower than planning each query.
        kwargs["connect_args"].setdefault("prepare_threshold", None)
    return create_engine(parsed, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off per connection; WAL lets readers run beside a writer.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: no fsync per commit, never corrupt; a power cut may lose the last turns.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory; loaded objects stay readable after their transaction commits."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code, pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


MIGRATION_LOCK = 0x63787261_67  # "cxrag": the PostgreSQL advisory lock id of migrations


def migrate(url: str | Engine, revision: str = "head") -> None:
    """Upgrade the database at ``url`` to ``revision``; does nothing when already there.

    Replicas starting together take turns: on PostgreSQL under a transaction-scoped advisory
    lock, on SQLite under an exclusive lock file beside the database; the second finds the
    schema current and does nothing.
    """
    engine = make_engine(url) if isinstance(url, str) else url
    try:
        with _migration_lock(engine), engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"),
                                   {"id": MIGRATION_LOCK})
            command.upgrade(alembic_config(connection), revision)
    finally:
        if isinstance(url, str):
            engine.dispose()


def on_postgresql(url: str | None) -> bool:
    """Whether ``url`` (``CXRAG_DATABASE_URL``) is the server configuration's PostgreSQL."""
    return bool(url) and make_url(str(url)).get_backend_name() == "postgresql"


@contextmanager
def server_database(url: str | None) -> Iterator[Engine | None]:
    """The migrated PostgreSQL database of the server configuration (what every replica and
    machine shares: trained models, eval runs), or None when ``url`` is not PostgreSQL."""
    if not url or not on_postgresql(url):
        yield None
        return
    migrate(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock file beside a SQLite database (nothing for other engines)."""
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_revision(url: str | Engine) -> str | None:
    """The revision the database at ``url`` is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url) if isinstance(url, str) else url
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if isinstance(url, str):
            engine.dispose()
