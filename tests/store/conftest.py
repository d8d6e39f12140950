"""Every store test runs on SQLite (a temporary file) and on PostgreSQL (a temporary database).

PostgreSQL databases come from ``tests.databases`` (skipped only when the server cannot be
reached).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from cxrag.store import HistoryStore, migrate
from tests.databases import temporary_postgres

BACKENDS = ["sqlite", "postgresql"]


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
