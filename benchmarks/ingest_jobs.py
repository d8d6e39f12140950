"""Ingest as background jobs against inline ingest, same run: knowledge bases nobody here
wrote (default: the four of ../shared/datasets, ~1,050 pages in English and Spanish), ingested
inline, then as one job run by 1 and by 2 ``cxrag worker`` processes.

    .venv/bin/python benchmarks/ingest_jobs.py [--kb DIR]... [--rounds 3] [--part-files 100]
                                               [--worker-threads N]

All three run on the server configuration (a temporary PostgreSQL database on the server of
``CXRAG_BENCH_POSTGRES_URL``, default the local one, and a Chroma server on loopback), each
round into new collections. Inline: ``KnowledgeBase.ingest`` in this process, with the
embedder already loaded. Jobs: the workers are started and warmed first (a small job of one
part per worker), then the time runs from reading the files to the job's ``done``: storing the
files with the job, queueing its parts, the workers' parsing, embedding and writing, and this
process seeing the end (it polls every 0.25 s). The three alternate within each round, in a
rotating order, so a noisy neighbour hits all of them; figures are medians over rounds.
Reported: seconds, documents/s and chunks/s of each, the job overhead (1 worker / inline) and
the speed-up of 2 workers over 1. Workers run with the default settings, so on a 2-core host
two workers share the two cores that one alone already uses for embedding.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED, HostSteal, save, temporary_postgres  # noqa: E402
from scale_out import chroma_server  # noqa: E402
from serving import CXRAG, service_env  # noqa: E402

from cxrag.ingest.models import SourceFile  # noqa: E402
from cxrag.ingest.sources import discover  # noqa: E402
from cxrag.jobs.queue import ProcrastinateQueue  # noqa: E402
from cxrag.jobs.service import IngestJobs  # noqa: E402
from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.settings import Settings  # noqa: E402
from cxrag.store import migrate  # noqa: E402
from cxrag.store.db import make_engine, make_sessions  # noqa: E402
from cxrag.store.jobs import JobFile, JobView, SqlJobStore  # noqa: E402


@contextmanager
def workers(count: int, folder: Path, env: dict[str, str]) -> Iterator[list[Any]]:
    """``count`` real ``cxrag worker`` processes (logs in ``folder``), stopped with SIGINT."""
    procs: list[subprocess.Popen[bytes]] = []
    with ExitStack() as stack:
        for i in range(count):
            log = stack.enter_context((folder / f"worker-{count}-{i}.log").open("wb"))
            procs.append(subprocess.Popen([str(CXRAG), "worker"], stdout=log,
                                          stderr=subprocess.STDOUT,
                                          env=service_env(folder / f"w{count}-{i}", **env)))
        try:
            yield procs
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()


SETS = ["mtrag_fiqa_clapnq", "gnome_help_es", "gnome_help_es2en", "stackfaq"]


def run_job(jobs: IngestJobs, collection: str, files: list[tuple[Path, Path]],
            part_files: int) -> tuple[float, JobView]:
    """Submit ``files`` (knowledge-base folder, file) as one job into ``collection``; seconds
    until it is done."""
    jobs.settings = jobs.settings.model_copy(update={"part_files": part_files})
    t0 = time.perf_counter()
    payload = [JobFile(f"{kb.parent.name}/{p.relative_to(kb).as_posix()}", p.read_bytes())
               for kb, p in files]
    view = jobs.submit("default", collection, payload)
    while view.status not in ("done", "failed"):
        time.sleep(0.25)
        view = jobs.view("default", view.id)
    seconds = time.perf_counter() - t0
    if view.status != "done":  # files reported as failures (quarantined ones) are fine
        raise SystemExit(f"job {view.id} ended {view.status}: {view.failures[:3]}")
    return seconds, view


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, action="append",
                        help="a knowledge-base folder (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--part-files", type=int, default=100)
    parser.add_argument("--worker-threads", type=int, default=0,
                        help="CXRAG_EMBEDDING__THREADS of each worker (0: one per core); 1 "
                        "shows how workers add up when each has cores of its own")
    args = parser.parse_args()
    kbs = [k.resolve() for k in args.kb or [SHARED / name / "kb" for name in SETS]]
    files = sorted((kb, s.path) for kb in kbs for s in discover(kb))
    results: dict[str, list[dict[str, float]]] = {"inline": [], "1 worker": [],
                                                  "2 workers": []}
    with tempfile.TemporaryDirectory() as tmp, temporary_postgres() as database, \
            chroma_server(Path(tmp) / "chroma") as chroma, HostSteal() as steal:
        folder = Path(tmp)
        env = {"CXRAG_DATABASE_URL": database, "CXRAG_CHROMA__URL": chroma}
        os.environ.update(service_env(folder / "bench", **env))
        if args.worker_threads:
            env["CXRAG_EMBEDDING__THREADS"] = str(args.worker_threads)
        settings = Settings()
        migrate(database)
        knowledge = Knowledge(settings)
        engine = make_engine(database)
        jobs = IngestJobs(knowledge, SqlJobStore(make_sessions(engine)),
                          ProcrastinateQueue(database))
        knowledge.get("warm-up").ingest([p for _, p in files[:2]])  # the embedder loaded
        print(f"{len(files)} files from {', '.join(map(str, kbs))}", flush=True)
        for r in range(args.rounds):
            order = ["inline", "1 worker", "2 workers"]
            order = order[r % 3:] + order[:r % 3]
            for mode in order:
                collection = f"bench-{uuid.uuid4().hex[:8]}"
                if mode == "inline":
                    t0 = time.perf_counter()
                    report = knowledge.get(collection).ingest(
                        [SourceFile(p, kb.parent.parent) for kb, p in files])  # <set>/kb/<file>
                    seconds, chunks = time.perf_counter() - t0, report.chunks_written
                    docs = report.added
                else:
                    count = 1 if mode == "1 worker" else 2
                    with workers(count, folder, env):
                        run_job(jobs, f"warm-{uuid.uuid4().hex[:6]}", files[:count], 1)
                        seconds, view = run_job(jobs, collection, files, args.part_files)
                    chunks, docs = view.counts["chunks_written"], view.counts["added"]
                results[mode].append({"seconds": seconds, "documents": docs, "chunks": chunks})
                print(f"round {r + 1} {mode:9s}: {seconds:6.1f} s, {docs} documents, "
                      f"{chunks} chunks, {chunks / seconds:.1f} chunks/s", flush=True)
        jobs.close()
        engine.dispose()
    summary: dict[str, Any] = {}
    for mode, rows in results.items():
        seconds = statistics.median(r["seconds"] for r in rows)
        summary[mode] = {"seconds_p50": round(seconds, 2),
                         "documents_per_s": round(rows[0]["documents"] / seconds, 2),
                         "chunks_per_s": round(rows[0]["chunks"] / seconds, 2),
                         "documents": rows[0]["documents"], "chunks": rows[0]["chunks"]}
    ratios = {
        "job_overhead_1_worker_vs_inline": round(
            summary["1 worker"]["seconds_p50"] / summary["inline"]["seconds_p50"], 3),
        "speedup_2_workers_vs_1": round(
            summary["1 worker"]["seconds_p50"] / summary["2 workers"]["seconds_p50"], 3),
    }
    print("\n| mode | seconds (p50) | documents/s | chunks/s |\n|---|---|---|---|")
    for mode, row in summary.items():
        print(f"| {mode} | {row['seconds_p50']} | {row['documents_per_s']} | "
              f"{row['chunks_per_s']} |")
    print(f"\n{ratios}; host steal {steal.share:.1%}")
    name = "ingest_jobs" + (f"_threads{args.worker_threads}" if args.worker_threads else "")
    path = save(name, {"kb": [str(k) for k in kbs], "files": len(files), "rounds": args.rounds,
                                "part_files": args.part_files,
                                "worker_threads": args.worker_threads, "summary": summary,
                                "ratios": ratios, "runs": results,
                                "host_steal": round(steal.share, 4)})
    print(f"written {path}")


if __name__ == "__main__":
    main()
