"""Ingest jobs as the API and the CLI see them: submit files, read progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import structlog
from sqlalchemy import Engine

from cxrag.errors import ConfigurationError, JobNotFound, RateLimited
from cxrag.jobs.queue import JobQueue, LocalQueue, ProcrastinateQueue
from cxrag.jobs.runner import PartRunner
from cxrag.knowledge import Knowledge
from cxrag.metrics import INGEST_JOBS
from cxrag.store.db import make_sessions
from cxrag.store.jobs import JobFile, JobView, SqlJobStore

log = structlog.get_logger(__name__)


class IngestJobs:
    """Stores a job, queues its parts, and reports its progress."""

    def __init__(self, knowledge: Knowledge, store: SqlJobStore, queue: JobQueue) -> None:
        self.knowledge, self.store, self.queue = knowledge, store, queue
        self.settings = knowledge.settings.jobs

    @classmethod
    def build(cls, knowledge: Knowledge, engine: Engine) -> IngestJobs:
        """Jobs in the store on ``engine`` (already migrated): queued for ``cxrag worker``
        on PostgreSQL, run by this process otherwise (and what a stop left, resumed)."""
        settings = knowledge.settings.jobs
        store = SqlJobStore(make_sessions(engine))
        purged = store.purge(timedelta(days=settings.keep_days))
        if purged:
            log.info("jobs.purged", jobs=purged)
        queue: JobQueue
        workers = settings.queue == "workers" or (
            settings.queue == "auto" and engine.dialect.name == "postgresql")
        if workers and engine.dialect.name != "postgresql":
            raise ConfigurationError("jobs.queue=workers needs CXRAG_DATABASE_URL on "
                                     "PostgreSQL")
        if workers:
            queue = ProcrastinateQueue(knowledge.settings.database)
        else:
            local = LocalQueue(PartRunner(knowledge, store, max_attempts=settings.max_attempts))
            local.resume()
            queue = local
        return cls(knowledge, store, queue)

    def submit(self, tenant: str, collection: str, files: Sequence[JobFile],
               refused: Sequence[dict[str, str]] = ()) -> JobView:
        """A new job for ``files`` (``refused``: files already failed on upload); 429 when
        the tenant has ``jobs.max_backlog`` unfinished jobs."""
        if self.store.backlog(tenant) >= self.settings.max_backlog:
            raise RateLimited(f"{self.settings.max_backlog} ingest jobs are still running for "
                              "this tenant; retry when one has finished", retry_after=30)
        job_id, parts = self.store.create(
            tenant, collection, files, refused, max_files=self.settings.part_files,
            max_bytes=int(self.settings.part_mb * 1024 * 1024))
        self.queue.submit(job_id, parts)
        INGEST_JOBS.labels(self.queue.kind).inc()
        log.info("job.queued", job=job_id, files=len(files), parts=len(parts),
                 queue=self.queue.kind)
        return self.view(tenant, job_id)

    def view(self, tenant: str, job_id: str) -> JobView:
        """The job's progress; ``JobNotFound`` when the tenant has no such job."""
        job = self.store.view(tenant, job_id)
        if job is None:
            raise JobNotFound(f"no ingest job {job_id[:64]!r}")
        return job

    def close(self) -> None:
        """Stop the queue (a local queue's unstarted parts resume on the next start)."""
        self.queue.close()
