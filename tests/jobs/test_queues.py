"""Uploads as jobs, end to end in one process: on PostgreSQL the procrastinate queue and a
real worker loop (``run_worker`` on this thread), on SQLite the serving process's own thread,
which also resumes what a stop left unfinished."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cxrag.api.app import create_app
from cxrag.jobs.service import IngestJobs
from cxrag.jobs.worker import run_worker
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from cxrag.store import migrate
from cxrag.store.db import make_engine, make_sessions
from cxrag.store.jobs import JobFile, SqlJobStore
from tests.api.conftest import with_keys
from tests.conftest import FakeChat, FakeEmbedder
from tests.databases import temporary_postgres
from tests.uploads import finished

ADMIN = {"X-API-Key": "admin-key-jobs"}
AGENT = {"X-API-Key": "agent-key-jobs"}
FILES = [("files", ("returns.md", b"# Returns\n\nReturns are free within 30 days.\n")),
         ("files", ("gifts.md", b"# Gift cards\n\nGift cards never expire.\n")),
         ("files", ("broken.pdf", b"%PDF-1.4 garbage"))]


@pytest.fixture
def on_postgres(settings: Settings) -> Iterator[Settings]:
    with temporary_postgres() as url:
        migrate(url)
        settings.database_url = url
        settings.jobs.queue = "workers"
        yield with_keys(settings, "widget-key-jobs", AGENT["X-API-Key"], ADMIN["X-API-Key"])


def test_uploads_wait_in_the_queue_until_a_worker_runs_them(on_postgres: Settings,
                                                            fake_embedder: FakeEmbedder) -> None:
    knowledge = Knowledge(on_postgres, embedder=fake_embedder)
    with TestClient(create_app(on_postgres, knowledge, FakeChat())) as client:
        resp = client.post("/v1/ingest", files=FILES, headers=ADMIN)
        assert resp.status_code == 202, resp.text
        job = resp.json()
        assert job["status"] == "queued" and job["files_total"] == 3 and job["files_done"] == 0
        time.sleep(0.5)  # nobody runs it in the serving process
        assert client.get(job["location"], headers=ADMIN).json()["status"] == "queued"
        run_worker(on_postgres, until_idle=True, knowledge=knowledge, signals=False)
        done = finished(client.get, job["location"], ADMIN, timeout=10)
        assert done["status"] == "done" and done["files_done"] == 3 and done["added"] == 2
        assert [f["source"] for f in done["failures"]] == ["broken.pdf"]  # no worker paths
        hits = client.post("/v1/search", json={"query": "gift cards expire"}, headers=AGENT)
        assert hits.json()["results"][0]["title"] == "Gift cards"
        # Another tenant's or an unknown id: 404, with the error tree's code.
        missing = client.get("/v1/jobs/not-a-job", headers=ADMIN)
        assert missing.status_code == 404 and missing.json()["code"] == "job_not_found"
    knowledge.close()


def test_a_full_backlog_is_429_not_an_ever_growing_queue(on_postgres: Settings,
                                                         fake_embedder: FakeEmbedder) -> None:
    on_postgres.jobs.max_backlog = 2
    knowledge = Knowledge(on_postgres, embedder=fake_embedder)
    with TestClient(create_app(on_postgres, knowledge, FakeChat())) as client:
        for _ in range(2):
            assert client.post("/v1/ingest", files=FILES[:1], headers=ADMIN).status_code == 202
        refused = client.post("/v1/ingest", files=FILES[:1], headers=ADMIN)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    knowledge.close()


def test_the_embedded_default_runs_jobs_itself_and_resumes_after_a_stop(
        settings: Settings, fake_embedder: FakeEmbedder, tmp_path: Path) -> None:
    settings.database_url = f"sqlite:///{tmp_path / 'history.db'}"
    settings.jobs.queue = "auto"
    migrate(settings.database)
    engine = make_engine(settings.database)
    store = SqlJobStore(make_sessions(engine))
    # A job stored by a process that stopped before running it.
    job_id, _ = store.create("default", "knowledge",
                             [JobFile("faq/returns.md", b"# Returns\n\nFree within 30 days.\n")])
    knowledge = Knowledge(settings, embedder=fake_embedder)
    jobs = IngestJobs.build(knowledge, engine)
    try:
        assert jobs.queue.kind == "local"
        deadline = time.monotonic() + 30
        while jobs.view("default", job_id).status != "done":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        view = jobs.view("default", job_id)
        assert view.counts["added"] == 1 and not view.failures
        # The folder in its name is kept: the document id is the relative path.
        assert knowledge.get().catalog.document_owner("faq/returns") is not None
        # And the worker's copy of the file is gone again.
        uploads = settings.collection_dir("default", "knowledge") / "uploads"
        assert not any(p.is_file() for p in uploads.rglob("*"))
    finally:
        jobs.close()
        knowledge.close()
        engine.dispose()
