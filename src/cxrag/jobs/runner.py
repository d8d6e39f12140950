"""One part of an ingest job, run by whichever worker claimed it."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path, PurePosixPath
from typing import Any

import structlog

from cxrag import tracing
from cxrag.errors import CxragError, InvalidRequest
from cxrag.ingest.models import IngestReport, SourceFile
from cxrag.knowledge import Knowledge
from cxrag.metrics import INGEST_PARTS
from cxrag.store.jobs import JobFile, PartClaim, SqlJobStore

log = structlog.get_logger(__name__)
MAX_NAME = 200  # per path segment
MAX_DEPTH = 8
_BAD = re.compile(r"[\x00-\x1f\x7f\\]")


def check_file_name(raw: str) -> str:
    """A job file's name: a relative '/'-separated path (it becomes the document id), or
    ``InvalidRequest``; nothing in it can leave the folder it is written to."""
    parts = [p.strip() for p in raw.replace("\\", "/").split("/") if p.strip()]
    if not parts or any(p in {".", ".."} or _BAD.search(p) for p in parts):
        raise InvalidRequest(f"invalid file name {raw[:80]!r}")
    if any(len(p) > MAX_NAME for p in parts) or len(parts) > MAX_DEPTH:
        raise InvalidRequest(f"file name too long or too deep: {raw[:80]!r}")
    return "/".join(parts)


def worker_name() -> str:
    """This process as a worker: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class PartRunner:
    """Claims a part, writes its files to this worker's disk, ingests them, records the
    outcome and deletes the files again (the database keeps what matters)."""

    def __init__(self, knowledge: Knowledge, jobs: SqlJobStore, worker: str | None = None,
                 max_attempts: int = 3) -> None:
        self.knowledge, self.jobs = knowledge, jobs
        self.worker = worker or worker_name()
        self.max_attempts = max_attempts

    def run(self, job_id: str, part: int) -> str:
        """Run one part; returns ``done``, ``failed`` or ``skipped`` (already finished). An
        error is raised for the queue to retry until the part's last attempt, which is then
        recorded as failed with the reason."""
        with tracing.tracer().start_as_current_span(
                "ingest.part", attributes={"cxrag.job_id": job_id, "cxrag.part": part}) as span:
            outcome = self._run(job_id, part)
            span.set_attribute("cxrag.outcome", outcome)
            return outcome

    def _run(self, job_id: str, part: int) -> str:
        claim = self.jobs.claim(job_id, part, self.worker)
        if claim is None:
            return "skipped"
        log.info("job.part", job=job_id, part=part, files=len(claim.files),
                 attempt=claim.attempt)
        try:
            report = self._ingest(claim)
        except Exception as exc:
            if claim.attempt < self.max_attempts:
                INGEST_PARTS.labels("retried").inc()
                raise
            reason = exc.detail if isinstance(exc, CxragError) else f"{type(exc).__name__}: {exc}"
            code = exc.code if isinstance(exc, CxragError) else "internal_error"
            failures = [{"source": f.name, "reason": reason[:500], "code": code}
                        for f in claim.files]
            self.jobs.finish(job_id, part, {"failures": failures}, status="failed")
            INGEST_PARTS.labels("failed").inc()
            log.error("job.part_failed", job=job_id, part=part, reason=reason[:500])
            return "failed"
        self.jobs.finish(job_id, part, report)
        INGEST_PARTS.labels("done").inc()
        return "done"

    def _ingest(self, claim: PartClaim) -> dict[str, Any]:
        base = self.knowledge.get(claim.collection, claim.tenant)
        root = self.knowledge.settings.collection_dir(claim.tenant, claim.collection) / "uploads"
        sources = _materialise(root, claim.files)
        try:
            report = base.ingest(sources)
        finally:
            for source in sources:
                source.path.unlink(missing_ok=True)
        return _as_record(report, root)


def _materialise(root: Path, files: list[JobFile]) -> list[SourceFile]:
    """The files under ``root`` by their names, each written whole (temp file + rename)."""
    sources = []
    for file in files:
        path = root.joinpath(*PurePosixPath(check_file_name(file.name)).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.part")
        temp.write_bytes(file.content)
        temp.replace(path)
        sources.append(SourceFile(path, root))
    return sources


def _as_record(report: IngestReport, root: Path) -> dict[str, Any]:
    """The report as a part stores it, failures named by the job's file names (a caller
    never sees a worker's paths)."""
    data = report.as_dict()
    prefix = f"{root}/"
    data["failures"] = [{**f, "source": f["source"].removeprefix(prefix)}
                        for f in data["failures"]]  # type: ignore[attr-defined]
    return data
