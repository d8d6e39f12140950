"""Migrations run from the packaged revisions on both backends and are idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from cxrag.errors import ConfigurationError
from cxrag.store import HistoryStore, current_revision, make_engine, migrate
from cxrag.store.models import Base

TABLES = {"customers", "orders", "events", "tickets", "conversations", "messages", "drafts",
          "feedback", "ingest_jobs", "ingest_job_parts", "ingest_job_files", "triage_models",
          "eval_runs"}


def test_migrate_creates_the_schema_and_twice_is_a_no_op(
    fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini anywhere near: the package carries it all
    assert current_revision(fresh_url) is None

    migrate(fresh_url)
    assert current_revision(fresh_url) == "0005"
    store = HistoryStore.from_url(fresh_url)
    store.upsert_customer("acme", "C1", name="Ana")

    migrate(fresh_url)
    assert current_revision(fresh_url) == "0005"
    assert store.get_customer("acme", "C1") is not None
    engine = make_engine(fresh_url)
    with engine.connect() as conn:
        assert TABLES <= set(inspect(conn).get_table_names())
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    store.close()
    engine.dispose()


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    engine.dispose()


def test_a_malformed_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        make_engine("not a url")
