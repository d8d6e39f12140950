"""Two real ``cxrag worker`` processes share one large ingest job (2,000 generated documents)
over PostgreSQL and a Chroma server; one is killed with SIGKILL while it holds a part, and the
other finishes the job: every document indexed once, none twice, nothing left pending."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import chromadb
import pytest
from sqlalchemy import select

from cxrag.index.catalog import Catalog
from cxrag.index.lexical_pg import PostgresLexicalIndex
from cxrag.index.schema import space_of
from cxrag.store.db import make_engine, make_sessions
from cxrag.store.jobs import SqlJobStore
from cxrag.store.models import IngestJobPart
from tests.databases import temporary_postgres
from tests.integration.workers import worker
from tests.widget.servers import BIN, service_env

pytestmark = pytest.mark.slow
DOCUMENTS = 2000
TOPICS = ["refunds", "shipping", "gift cards", "returns", "invoices", "passwords", "warranty"]


def _corpus(folder: Path) -> None:
    for i in range(DOCUMENTS):
        topic = TOPICS[i % len(TOPICS)]
        sub = folder / topic.replace(" ", "-")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"article-{i:04d}.md").write_text(
            f"# {topic.title()} note {i}\n\nArticle {i} explains how {topic} work for order "
            f"batch {i}. Customers asking about case {i} get an answer within {i % 5 + 1} "
            "business days from the support team.\n", encoding="utf-8")


def test_two_workers_share_a_job_and_one_killed_loses_nothing(tmp_path: Path,
                                                              chroma_server: str) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    collection = f"jobs-{uuid.uuid4().hex[:8]}"
    with temporary_postgres() as database:
        env = {"CXRAG_DATABASE_URL": database, "CXRAG_CHROMA__URL": chroma_server,
               "CXRAG_COLLECTION": collection, "CXRAG_JOBS__PART_FILES": "20",
               "CXRAG_JOBS__HEARTBEAT_S": "1", "CXRAG_JOBS__STALLED_AFTER_S": "5"}
        queued = subprocess.run([str(BIN / "cxrag"), "ingest", "--enqueue", str(corpus)],
                                env=service_env(tmp_path / "cli", **env), capture_output=True,
                                text=True, timeout=300)
        assert queued.returncode == 0, queued.stdout[-2000:] + queued.stderr[-3000:]
        job_id = json.loads(queued.stdout)["id"]
        engine = make_engine(database)
        jobs = SqlJobStore(make_sessions(engine))
        assert jobs.view("default", job_id).parts_total == DOCUMENTS // 20  # type: ignore[union-attr]
        with worker(tmp_path / "a", tmp_path / "a.log", **env) as a, \
                worker(tmp_path / "b", tmp_path / "b.log", **env):
            # Kill A once it has done some parts and holds one.
            deadline = time.monotonic() + 600
            while not (_done_by(engine, a.pid) >= 3 and _held_by(engine, a.pid)):
                assert a.poll() is None, (tmp_path / "a.log").read_text()[-3000:]
                assert time.monotonic() < deadline, (tmp_path / "a.log").read_text()[-3000:]
                time.sleep(0.2)
            held = _held_by(engine, a.pid)
            os.kill(a.pid, signal.SIGKILL)
            a.wait(10)
            while (view := jobs.view("default", job_id)) and view.status not in ("done",
                                                                                  "failed"):
                assert time.monotonic() < deadline + 300, (tmp_path / "b.log").read_text()[-3000:]
                time.sleep(1)
        assert view is not None
        assert view.status == "done" and not view.failures, view.as_dict()
        assert view.files_done == view.files_total == DOCUMENTS
        # A part run again finds what its killed run committed unchanged; nothing else is.
        assert view.counts["added"] + view.counts["unchanged"] == DOCUMENTS
        # The parts A held were run again, by B, and finished.
        with make_sessions(engine)() as session:
            rows = {r.part: r for r in session.scalars(
                select(IngestJobPart).where(IngestJobPart.job_id == job_id))}
        for part in held:
            assert rows[part].status == "done" and rows[part].attempts >= 2
            assert not rows[part].worker.endswith(f":{a.pid}")  # type: ignore[union-attr]
        # Every document once; no vector or lexical entry twice or left over.
        catalog = Catalog(engine, space_of("default", collection))
        stats = catalog.stats()
        assert stats["documents"] == DOCUMENTS and not catalog.pending()
        client = chromadb.HttpClient(host=chroma_server.split("//")[1].split(":")[0],
                                     port=int(chroma_server.rsplit(":", 1)[1]))
        assert client.get_collection(f"default__{collection}__chunks").count() == stats["chunks"]
        assert client.get_collection(f"default__{collection}__docs").count() == 2 * DOCUMENTS
        lexical = PostgresLexicalIndex(engine, "default", collection)
        assert lexical.count() == stats["chunks"]
        engine.dispose()


def _parts(engine: object, pid: int, status: str) -> list[int]:
    with make_sessions(engine)() as session:  # type: ignore[arg-type]
        return list(session.scalars(select(IngestJobPart.part).where(
            IngestJobPart.worker.like(f"%:{pid}"), IngestJobPart.status == status)))


def _done_by(engine: object, pid: int) -> int:
    return len(_parts(engine, pid, "done"))


def _held_by(engine: object, pid: int) -> list[int]:
    return _parts(engine, pid, "running")
