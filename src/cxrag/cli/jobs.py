"""``cxrag worker``, ``cxrag job`` and ``cxrag ingest --enqueue``: ingest as background jobs."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cxrag.cli.common import console, fail, load_settings, out, progress_bar
from cxrag.errors import ConfigurationError, CxragError, InvalidRequest

if TYPE_CHECKING:
    from cxrag.jobs.service import IngestJobs
    from cxrag.store.jobs import JobView


def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=16, help="Parts run at once.")] = 1,
    until_idle: Annotated[bool, typer.Option(
        "--until-idle", help="Stop when the queue is empty (batch runs).")] = False,
) -> None:
    """Run ingest jobs from the queue (needs CXRAG_DATABASE_URL on PostgreSQL); start as many
    as you like, anywhere: they share the work, and a dead one's parts go to the others."""
    from cxrag.jobs.worker import run_worker

    try:
        run_worker(load_settings(), concurrency, until_idle)
    except CxragError as exc:
        fail(exc)


def job(
    job_id: Annotated[str, typer.Argument(help="The job id POST /v1/ingest answered.")],
    wait: Annotated[bool, typer.Option("--wait", help="Follow it to the end.")] = False,
) -> None:
    """Show an ingest job's progress (JSON). Exit code 0: done without failures; 1: done with
    failures, or still running; 2: failed or not found."""
    try:
        jobs = _jobs()
        view = _follow(jobs, job_id) if wait else jobs.view(jobs.knowledge.settings.tenant,
                                                             job_id)
    except CxragError as exc:
        fail(exc)
    out.print_json(json.dumps(view.as_dict()))
    raise typer.Exit(_exit_code(view))


def enqueue(paths: list[Path], collection: str | None, tenant: str | None,
            wait: bool) -> None:
    """Queue ``paths`` as one job for the workers; print its id (or follow it)."""
    from cxrag.ingest.models import Failure
    from cxrag.ingest.sources import discover_all
    from cxrag.store.jobs import JobFile

    try:
        jobs = _jobs()
        base = jobs.knowledge.get(collection, tenant)
        failures: list[Failure] = []
        sources, _ = discover_all(paths, failures)
        files, refused = [], [f.__dict__ for f in failures]
        for source in sources:
            name = source.path.relative_to(source.root).as_posix()
            # Refused here as the ingest would refuse it: no bytes stored for nothing.
            too_large = base.ingestor.admission.file_failure(Path(name),
                                                             source.path.stat().st_size)
            if too_large is not None:
                refused.append(too_large.__dict__)
                continue
            files.append(JobFile(name, path=source.path))  # read part by part when stored
        view = jobs.submit(base.tenant, base.collection, files, refused)
        console.print(f"job {view.id}: {view.files_total} files in {view.parts_total} parts")
        if wait:
            view = _follow(jobs, view.id)
    except CxragError as exc:
        fail(exc)
    except OSError as exc:  # a file that went away or became unreadable while queueing
        fail(InvalidRequest(f"cannot read {exc.filename}: {exc.strerror}; nothing was queued"))
    out.print_json(json.dumps(view.as_dict()))
    raise typer.Exit(_exit_code(view) if wait else 0)


def _jobs() -> IngestJobs:
    """Jobs on the workers' queue (a CLI process does not run them itself)."""
    from cxrag.jobs.queue import ProcrastinateQueue
    from cxrag.jobs.service import IngestJobs
    from cxrag.knowledge import Knowledge
    from cxrag.store import migrate
    from cxrag.store.db import make_engine, make_sessions, on_postgresql
    from cxrag.store.jobs import SqlJobStore

    settings = load_settings()
    url = settings.database_url
    if not url or not on_postgresql(url):
        raise ConfigurationError("queued ingest needs CXRAG_DATABASE_URL on PostgreSQL and "
                                 "`cxrag worker`s; without them run `cxrag ingest` inline")
    migrate(url)
    store = SqlJobStore(make_sessions(make_engine(url)))
    return IngestJobs(Knowledge(settings), store, ProcrastinateQueue(url))


def _follow(jobs: IngestJobs, job_id: str) -> JobView:
    """Poll the job with a progress bar (files done of all) until it finishes."""
    tenant = jobs.knowledge.settings.tenant
    with progress_bar("ingest job") as progress:
        view = jobs.view(tenant, job_id)
        progress("total", view.files_total)
        done = 0
        while True:
            progress("advance", view.files_done - done)
            done = view.files_done
            if view.status in ("done", "failed"):
                return view
            time.sleep(1.0)
            view = jobs.view(tenant, job_id)


def _exit_code(view: JobView) -> int:
    if view.status == "failed":
        return 2
    return 0 if view.status == "done" and not view.failures else 1
