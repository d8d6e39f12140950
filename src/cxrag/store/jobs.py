"""Ingest jobs on SQL: the job, its parts and its files, and the progress a caller reads.

``SqlJobStore`` keeps them on the history store's engine. A job's files are split into parts when it
is created; each part is one task for a worker (``cxrag.jobs``). Workers share no disk, so a
file's bytes stay in the database until its part is done, then they are dropped. A part is
claimed, run and finished; a part claimed again (its worker died) runs again from the start,
which the ingest pipeline makes harmless: a document already committed is found unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from cxrag.store.models import IngestJob, IngestJobFile, IngestJobPart
from cxrag.store.records import check_tenant
from cxrag.store.types import now

FINISHED = ("done", "failed")
_COUNTS = ("documents_seen", "added", "updated", "unchanged", "removed", "chunks_written")


@dataclass(frozen=True)
class JobFile:
    """A file of a job: its name (a relative path, which becomes the document id) and its
    bytes, given (an upload) or read from ``path`` only when the job is stored, part by part
    (``cxrag ingest --enqueue`` of a folder larger than memory)."""

    name: str
    content: bytes = b""
    path: Path | None = None

    @property
    def size(self) -> int:
        """Bytes, without reading a file."""
        return self.path.stat().st_size if self.path is not None else len(self.content)

    def read(self) -> bytes:
        """The bytes."""
        return self.path.read_bytes() if self.path is not None else self.content


@dataclass(frozen=True)
class PartClaim:
    """A part a worker took: where it goes, its files, and which attempt this is."""

    job_id: str
    part: int
    tenant: str
    collection: str
    attempt: int
    files: list[JobFile]


@dataclass
class JobView:
    """What ``GET /v1/jobs/{id}`` shows: status, progress, failures with reasons."""

    id: str
    tenant: str
    collection: str
    status: str
    files_total: int
    files_done: int
    parts_total: int
    parts_done: int
    created_at: datetime
    finished_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    retried_parts: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (counts flattened beside the progress)."""
        data = asdict(self)
        data.update(data.pop("counts"))
        data["failed"] = len(self.failures)
        data["created_at"] = self.created_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat() if self.finished_at else None
        return data


def split_parts(files: Sequence[JobFile], max_files: int, max_bytes: int) -> list[list[JobFile]]:
    """Consecutive files grouped into parts of at most ``max_files`` files and about
    ``max_bytes`` (a single larger file is a part of its own)."""
    parts: list[list[JobFile]] = []
    size = 0
    for file in files:
        if not parts or len(parts[-1]) >= max_files or size + file.size > max_bytes:
            parts.append([])
            size = 0
        parts[-1].append(file)
        size += file.size
    return parts


class SqlJobStore:
    """Ingest jobs and their progress, shared by every replica and worker."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, tenant: str, collection: str, files: Sequence[JobFile],
               refused: Sequence[dict[str, str]] = (), *, max_files: int = 25,
               max_bytes: int = 8 << 20) -> tuple[str, list[int]]:
        """Store a new job and its files; returns its id and the numbers of its parts."""
        check_tenant(tenant)
        job_id = str(uuid4())
        parts = split_parts(files, max_files, max_bytes)
        with self._sessions.begin() as session:
            session.add(IngestJob(id=job_id, tenant=tenant, collection=collection,
                                  status="queued" if parts else "done",
                                  files_total=len(files) + len(refused),
                                  parts_total=len(parts), refused=list(refused),
                                  finished_at=None if parts else now()))
            session.flush()
            for number, part in enumerate(parts):
                session.add(IngestJobPart(job_id=job_id, part=number, files=len(part),
                                          report={}))
            session.flush()
            for number, part in enumerate(parts):  # one part's bytes in memory at a time
                rows = [IngestJobFile(job_id=job_id, part=number, name=f.name, size=len(data),
                                      content=data) for f in part for data in (f.read(),)]
                session.add_all(rows)
                session.flush()
                for row in rows:
                    session.expunge(row)
        return job_id, list(range(len(parts)))

    def claim(self, job_id: str, part: int, worker: str) -> PartClaim | None:
        """Take a part to run (again, if its last worker died); None when it is finished or
        its job is gone."""
        with self._sessions.begin() as session:
            row = session.get(IngestJobPart, (job_id, part), with_for_update=True)
            job = session.get(IngestJob, job_id)
            if row is None or job is None or row.status in FINISHED:
                return None
            row.status, row.worker, row.started_at = "running", worker[:120], now()
            row.attempts += 1
            if job.status == "queued":
                job.status = "running"
            files = session.execute(
                select(IngestJobFile.name, IngestJobFile.content)
                .where(IngestJobFile.job_id == job_id, IngestJobFile.part == part)
                .order_by(IngestJobFile.id)).all()
            return PartClaim(job_id, part, job.tenant, job.collection, row.attempts,
                             [JobFile(name, content or b"") for name, content in files])

    def finish(self, job_id: str, part: int, report: dict[str, Any],
               status: str = "done") -> None:
        """Record a part's outcome (``done`` or ``failed``), drop its files' bytes, and
        finish the job with its last part."""
        with self._sessions.begin() as session:
            # The job row is the lock: parts finishing together count each other in turn.
            job = session.get(IngestJob, job_id, with_for_update=True)
            row = session.get(IngestJobPart, (job_id, part))
            if job is None or row is None or row.status in FINISHED:
                return
            row.status, row.report, row.finished_at = status, report, now()
            session.execute(update(IngestJobFile).where(
                IngestJobFile.job_id == job_id, IngestJobFile.part == part).values(content=None))
            session.flush()
            states = Counter(session.scalars(select(IngestJobPart.status)
                                             .where(IngestJobPart.job_id == job_id)))
            if states["done"] + states["failed"] == job.parts_total:
                job.status = "failed" if states["failed"] else "done"
                job.finished_at = now()

    def unfinished(self, limit: int = 1000) -> list[tuple[str, int]]:
        """Parts not finished yet (queued, or running when their worker stopped), oldest job
        first."""
        with self._sessions() as session:
            rows = session.execute(
                select(IngestJobPart.job_id, IngestJobPart.part)
                .join(IngestJob, IngestJob.id == IngestJobPart.job_id)
                .where(IngestJobPart.status.not_in(FINISHED))
                .order_by(IngestJob.created_at, IngestJobPart.part).limit(limit)).all()
        return [(job_id, part) for job_id, part in rows]

    def backlog(self, tenant: str) -> int:
        """The tenant's jobs not finished yet."""
        with self._sessions() as session:
            return session.scalar(select(func.count()).select_from(IngestJob).where(
                IngestJob.tenant == tenant, IngestJob.status.not_in(FINISHED))) or 0

    def view(self, tenant: str, job_id: str) -> JobView | None:
        """The job's progress, or None when ``tenant`` has no such job."""
        with self._sessions() as session:
            job = session.get(IngestJob, job_id)
            if job is None or job.tenant != tenant:
                return None
            parts = session.scalars(select(IngestJobPart)
                                    .where(IngestJobPart.job_id == job_id)).all()
        counts = dict.fromkeys(_COUNTS, 0)
        failures = list(job.refused)
        files_done = len(job.refused)
        for part in parts:
            if part.status not in FINISHED:
                continue
            files_done += part.files
            for key in _COUNTS:
                counts[key] += int(part.report.get(key, 0))
            failures += part.report.get("failures", [])
        return JobView(job.id, job.tenant, job.collection, job.status, job.files_total,
                       files_done, job.parts_total,
                       sum(p.status in FINISHED for p in parts), job.created_at,
                       job.finished_at, counts, failures,
                       retried_parts=sum(p.attempts > 1 for p in parts))

    def purge(self, older_than: timedelta) -> int:
        """Delete finished jobs older than ``older_than``; returns how many."""
        with self._sessions.begin() as session:
            result = session.execute(delete(IngestJob).where(
                IngestJob.status.in_(FINISHED),
                IngestJob.finished_at < now() - older_than))
        return int(getattr(result, "rowcount", 0) or 0)
