"""``cxrag worker``: run ingest parts from the procrastinate queue until stopped.

Every worker also looks after the others: a worker whose heartbeat is older than
``jobs.stalled_after_s`` is dead (killed, its machine gone), and the parts it held go back to
the queue for whoever is alive, where they run again from the start.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import procrastinate
import structlog

from cxrag import tracing
from cxrag.errors import ConfigurationError
from cxrag.jobs.queue import QUEUE, ensure_schema, procrastinate_app
from cxrag.jobs.runner import PartRunner, worker_name
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from cxrag.store import migrate
from cxrag.store.db import make_engine, make_sessions, on_postgresql
from cxrag.store.jobs import SqlJobStore

log = structlog.get_logger(__name__)


def run_worker(settings: Settings, concurrency: int = 1, until_idle: bool = False, *,
               knowledge: Knowledge | None = None, signals: bool = True) -> None:
    """Take parts until SIGTERM/SIGINT (or, with ``until_idle``, until the queue is empty).
    ``knowledge`` replaces the one built from ``settings`` (tests); ``signals=False`` off the
    main thread."""
    url = settings.database_url
    if not url or not on_postgresql(url):
        raise ConfigurationError("cxrag worker needs CXRAG_DATABASE_URL on PostgreSQL (the "
                                 "queue the API replicas fill); without it uploads run in "
                                 "the serving process")
    migrate(url)
    engine = make_engine(url)
    own = knowledge is None
    knowledge = knowledge or Knowledge(settings)
    name = worker_name()
    runner = PartRunner(knowledge, SqlJobStore(make_sessions(engine)), name,
                        settings.jobs.max_attempts)
    app = procrastinate_app(url)
    with app.open():
        ensure_schema(app, url)
    stop_tracing = tracing.setup(settings.otel)
    try:
        asyncio.run(_work(app, runner, settings, concurrency, until_idle, signals))
    finally:
        stop_tracing()
        if own:
            knowledge.close()
        engine.dispose()


async def _work(app: procrastinate.App, runner: PartRunner, settings: Settings,
                concurrency: int, until_idle: bool, signals: bool) -> None:
    jobs = settings.jobs
    async with app.open_async():
        rescue = asyncio.create_task(_rescue_stalled(app, jobs.stalled_after_s))
        log.info("worker.started", name=runner.worker, concurrency=concurrency)
        try:
            await app.run_worker_async(
                queues=[QUEUE], name=runner.worker, concurrency=concurrency,
                wait=not until_idle, additional_context={"runner": runner},
                update_heartbeat_interval=jobs.heartbeat_s,
                stalled_worker_timeout=jobs.stalled_after_s,
                delete_jobs="successful", install_signal_handlers=signals)
        finally:
            rescue.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await rescue
            runner.jobs.purge(timedelta(days=jobs.keep_days))
            log.info("worker.stopped", name=runner.worker)


async def _rescue_stalled(app: procrastinate.App, stalled_after_s: float) -> None:
    """Every few seconds: parts held by workers silent for ``stalled_after_s`` go back to
    the queue."""
    manager = app.job_manager
    while True:
        await asyncio.sleep(max(1.0, stalled_after_s / 3))
        try:
            await manager.prune_stalled_workers(stalled_after_s)
            for job in await manager.get_stalled_jobs(queue=QUEUE,
                                                      seconds_since_heartbeat=stalled_after_s):
                log.warning("worker.rescued", job=job.id, args=job.task_kwargs)
                await manager.retry_job(job)
        except Exception:  # noqa: BLE001 - a database blip must not stop the worker
            log.exception("worker.rescue_failed")
