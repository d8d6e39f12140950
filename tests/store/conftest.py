"""Every store test runs on SQLite (a temporary file) and on PostgreSQL (a temporary database).

PostgreSQL comes from ``CXRAG_TEST_POSTGRES_URL`` (default: the local server's ``postgres``
maintenance database); its tests are skipped only when that server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from cxrag.store import HistoryStore, migrate

ADMIN_URL = os.environ.get(
    "CXRAG_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    name = f"cxrag_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL unreachable at {make_url(ADMIN_URL)!r}: {exc.orig}")
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def temporary_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database on ``backend``."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'history.db'}"
        return
    with temporary_postgres() as url:
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per backend, shared by the session (tests use their own tenant)."""
    with temporary_database(request.param, tmp_path_factory.mktemp("store")) as url:
        migrate(url)
        yield url


@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, unmigrated database on the same backend as ``database_url``."""
    backend = make_url(database_url).get_backend_name()
    with temporary_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[HistoryStore]:
    """A store on the session's migrated database."""
    history = HistoryStore.from_url(database_url)
    yield history
    history.close()


@pytest.fixture
def tenant() -> str:
    """A tenant no other test uses, so tests never see each other's rows."""
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def other_tenant() -> str:
    """A second tenant for isolation tests."""
    return f"o-{uuid.uuid4().hex[:10]}"
