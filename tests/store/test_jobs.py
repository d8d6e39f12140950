"""The ingest-job store on SQLite and PostgreSQL: parts, claims, progress, failures."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from cxrag.store import HistoryStore
from cxrag.store.db import make_sessions
from cxrag.store.jobs import JobFile, SqlJobStore, split_parts
from cxrag.store.models import IngestJobFile


@pytest.fixture
def jobs(store: HistoryStore) -> SqlJobStore:
    return SqlJobStore(make_sessions(store.engine))


def _files(n: int, size: int = 10) -> list[JobFile]:
    return [JobFile(f"dir/f{i}.md", b"x" * size) for i in range(n)]


def test_files_are_split_by_count_and_by_bytes() -> None:
    assert [len(p) for p in split_parts(_files(7), max_files=3, max_bytes=1000)] == [3, 3, 1]
    assert [len(p) for p in split_parts(_files(5, 40), max_files=10, max_bytes=100)] == [2, 2, 1]
    # A file larger than the byte budget is a part of its own, never dropped.
    assert [len(p) for p in split_parts(_files(2, 500), max_files=10, max_bytes=100)] == [1, 1]
    assert split_parts([], 3, 100) == []


def test_files_given_by_path_are_read_only_when_stored(jobs: SqlJobStore, tenant: str,
                                                      tmp_path: Path) -> None:
    paths = [tmp_path / f"f{i}.md" for i in range(3)]
    for i, path in enumerate(paths):
        path.write_bytes(b"y" * (i + 1))
    files = [JobFile(f"kb/f{i}.md", path=p) for i, p in enumerate(paths)]
    assert [f.size for f in files] == [1, 2, 3]  # split by size without reading
    job_id, parts = jobs.create(tenant, "kb", files, max_files=2)
    assert parts == [0, 1]
    claim = jobs.claim(job_id, 1, "host:1")
    assert claim is not None and [(f.name, f.content) for f in claim.files] == [
        ("kb/f2.md", b"yyy")]
    paths[0].unlink()  # stored: the job no longer needs the file
    first = jobs.claim(job_id, 0, "host:1")
    assert first is not None and [f.content for f in first.files] == [b"y", b"yy"]


def test_a_job_runs_part_by_part_and_reports_progress(jobs: SqlJobStore, store: HistoryStore,
                                                      tenant: str) -> None:
    refused = [{"source": "huge.pdf", "reason": "too large", "code": "payload_too_large"}]
    job_id, parts = jobs.create(tenant, "kb", _files(5), refused, max_files=2)
    assert parts == [0, 1, 2]
    view = jobs.view(tenant, job_id)
    assert view is not None and (view.status, view.files_total, view.files_done) == (
        "queued", 6, 1)
    assert jobs.backlog(tenant) == 1
    claim = jobs.claim(job_id, 0, "host:1")
    assert claim is not None and claim.attempt == 1 and claim.collection == "kb"
    assert [f.name for f in claim.files] == ["dir/f0.md", "dir/f1.md"]
    assert claim.files[0].content == b"x" * 10
    assert jobs.view(tenant, job_id).status == "running"  # type: ignore[union-attr]
    # Its worker died: the part is claimed again, the attempt counted.
    again = jobs.claim(job_id, 0, "host:2")
    assert again is not None and again.attempt == 2
    report = {"added": 2, "chunks_written": 4, "documents_seen": 2, "failures": []}
    jobs.finish(job_id, 0, report)
    assert jobs.claim(job_id, 0, "host:3") is None  # finished: nobody runs it again
    jobs.finish(job_id, 0, {"added": 99})  # a late duplicate finish changes nothing
    jobs.claim(job_id, 1, "host:2")
    jobs.finish(job_id, 1, {"added": 1, "unchanged": 1, "failures": [
        {"source": "dir/f3.md", "reason": "unreadable", "code": "parse_error"}]})
    view = jobs.view(tenant, job_id)
    assert view is not None and view.status == "running" and view.files_done == 5
    assert view.counts["added"] == 3 and view.counts["chunks_written"] == 4
    assert [f["source"] for f in view.failures] == ["huge.pdf", "dir/f3.md"]
    assert view.retried_parts == 1
    jobs.claim(job_id, 2, "host:2")
    jobs.finish(job_id, 2, {"failures": [{"source": "dir/f4.md", "reason": "db down",
                                          "code": "index_unavailable"}]}, status="failed")
    view = jobs.view(tenant, job_id)
    assert view is not None and view.status == "failed" and view.finished_at is not None
    assert view.parts_done == 3 and view.files_done == 6 and jobs.backlog(tenant) == 0
    # Finished parts keep no file bytes.
    with make_sessions(store.engine)() as session:
        kept = [f.content for f in session.query(IngestJobFile)
                .filter(IngestJobFile.job_id == job_id)]
    assert kept and all(c is None for c in kept)


def test_jobs_belong_to_their_tenant_and_old_ones_are_purged(jobs: SqlJobStore,
                                                             tenant: str) -> None:
    job_id, _ = jobs.create(tenant, "kb", [])
    view = jobs.view(tenant, job_id)
    assert view is not None and view.status == "done"  # nothing to do: done at once
    assert jobs.view(f"{tenant}-other", job_id) is None
    assert jobs.view(tenant, "no-such-job") is None
    assert jobs.unfinished() == [] or all(j != job_id for j, _ in jobs.unfinished())
    queued, _ = jobs.create(tenant, "kb", _files(1))
    assert (queued, 0) in jobs.unfinished()
    assert jobs.purge(timedelta(days=-1)) >= 1  # finished before "tomorrow": gone
    assert jobs.view(tenant, job_id) is None
    assert jobs.view(tenant, queued) is not None  # unfinished jobs are never purged
