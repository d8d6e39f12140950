"""Where a job's parts wait for a worker: procrastinate on PostgreSQL, or a local thread.

Procrastinate (a job library on PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` to hand
each part to one worker, LISTEN/NOTIFY to wake them, heartbeats to notice a dead one) runs
wherever ``CXRAG_DATABASE_URL`` is PostgreSQL. The embedded default has no server to share,
so its parts run on one background thread of the process that took the upload, and parts
left unfinished by a stop run again when it starts.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

import procrastinate
import psycopg
import structlog
from procrastinate.types import JSONDict
from sqlalchemy.engine import make_url

from cxrag.jobs.runner import PartRunner

log = structlog.get_logger(__name__)
QUEUE = "ingest"
TASK = "cxrag.ingest_part"


def ingest_part(context: procrastinate.JobContext, job_id: str, part: int) -> str:
    """Run one part (the worker passes its ``PartRunner`` in the context); the runner
    decides when an error is final, so procrastinate's retries only carry it there."""
    runner: PartRunner = context.additional_context["runner"]
    return runner.run(job_id, part)


def _conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


def procrastinate_app(database_url: str) -> procrastinate.App:
    """A procrastinate app on the deployment's PostgreSQL."""
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=_conninfo(database_url)))
    app.task(name=TASK, queue=QUEUE, pass_context=True,
             retry=procrastinate.RetryStrategy(max_attempts=9, wait=2))(ingest_part)
    return app


_SCHEMA_LOCK = 0x6A6F6273  # "jobs": the advisory lock of procrastinate's schema


def ensure_schema(app: procrastinate.App, database_url: str) -> None:
    """Create procrastinate's tables once: replicas and workers starting together take
    turns under a transaction-scoped advisory lock held on a connection of its own (a
    pooled connection could return to the pool still holding a session lock), and the
    second finds the tables."""
    with psycopg.connect(_conninfo(database_url)) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if row is None or row[0] is None:
            app.schema_manager.apply_schema()
            log.info("jobs.schema_created")
    # leaving the block commits, which releases the lock


class JobQueue(Protocol):
    """Hands parts to whatever runs them."""

    kind: str

    def submit(self, job_id: str, parts: Sequence[int]) -> None:
        """Queue ``parts`` of ``job_id``."""

    def close(self) -> None:
        """Stop taking parts."""


class ProcrastinateQueue:
    """Parts as procrastinate jobs for ``cxrag worker`` processes."""

    kind = "queue"

    def __init__(self, database_url: str) -> None:
        self.app = procrastinate_app(database_url)
        self.app.open()
        ensure_schema(self.app, database_url)

    def submit(self, job_id: str, parts: Sequence[int]) -> None:
        """Defer one task per part in one statement."""
        if parts:
            kwargs: list[JSONDict] = [{"job_id": job_id, "part": p} for p in parts]
            self.app.tasks[TASK].batch_defer(*kwargs)

    def close(self) -> None:
        """Close the connection pool."""
        self.app.close()


class LocalQueue:
    """Parts on one thread of this process (the embedded default: nothing to share)."""

    kind = "local"

    def __init__(self, runner: PartRunner) -> None:
        self.runner = runner
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="ingest-job")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, job_id: str, parts: Sequence[int]) -> None:
        """Run the parts one after another, after those queued before."""
        for part in parts:
            future = self._pool.submit(self._run, job_id, part)
            with self._lock:
                self._pending.add(future)
            future.add_done_callback(self._forget)

    def resume(self) -> int:
        """Queue the parts a stopped process left unfinished; returns how many."""
        left = self.runner.jobs.unfinished()
        for job_id, part in left:
            self.submit(job_id, [part])
        if left:
            log.info("jobs.resumed", parts=len(left))
        return len(left)

    def idle(self) -> bool:
        """True when no part is queued or running."""
        with self._lock:
            return not self._pending

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _run(self, job_id: str, part: int) -> None:
        for _ in range(self.runner.max_attempts):
            try:
                self.runner.run(job_id, part)
                return
            except Exception:  # noqa: BLE001 - the runner records the last attempt itself
                log.exception("jobs.part_error", job=job_id, part=part)

    def close(self) -> None:
        """Drop queued parts (they stay unfinished in the store and resume on the next
        start) and wait for the running one."""
        self._pool.shutdown(wait=True, cancel_futures=True)
