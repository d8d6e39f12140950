"""Replicas that start together on a fresh database all come up: migrations take turns."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from cxrag.store import current_revision, migrate


def _migrate(url: str, warm: str, start: object, results: object) -> None:
    migrate(warm)  # alembic loaded and warm, so the replicas really run at the same moment
    start.wait()  # type: ignore[attr-defined]
    try:
        migrate(url)
        results.put("ok")  # type: ignore[attr-defined]
    except Exception as exc:  # what a replica would die of
        results.put(f"{type(exc).__name__}: {exc}"[:300])  # type: ignore[attr-defined]


def test_replicas_migrating_at_once_all_succeed(fresh_url: str, tmp_path: Path) -> None:
    if not fresh_url.startswith("postgresql"):
        pytest.skip("SQLite replicas share one file: the lock file is the same mechanism")
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_migrate, args=(
        fresh_url, f"sqlite:///{tmp_path / f'warm{i}.db'}", start, results)) for i in range(6)]
    for w in workers:
        w.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(30)
    assert outcomes == ["ok"] * 6
    assert current_revision(fresh_url) is not None
