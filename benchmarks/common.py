"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "datasets"
OUT = ROOT / "bench-out"


def machine() -> str:
    import os

    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, " \
           f"Python {platform.python_version()}"


def save(name: str, payload: dict[str, Any]) -> Path:
    OUT.mkdir(exist_ok=True)
    payload = {"benchmark": name, "when": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
               **payload}
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return path


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return float(statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]) \
        if len(ordered) > 1 else ordered[0]


def _steal_ticks() -> int:
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8])  # cpu user nice system idle iowait irq softirq steal ...
    except (OSError, IndexError, ValueError):
        return 0


class HostSteal:
    """Share of this machine's CPU time that the hypervisor gave to other guests while the
    block ran (``steal`` in /proc/stat): context for timings taken on a shared host."""

    share = 0.0

    def __enter__(self) -> HostSteal:
        self._ticks, self._t0 = _steal_ticks(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        import os

        seconds = (_steal_ticks() - self._ticks) / os.sysconf("SC_CLK_TCK")
        self.share = seconds / max((time.perf_counter() - self._t0) * (os.cpu_count() or 1),
                                   1e-9)


POSTGRES_URL = os.environ.get("CXRAG_BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def temporary_postgres() -> Iterator[str]:
    """The URL of a new database on ``POSTGRES_URL``'s server, dropped afterwards."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 5})
    name = f"cxrag_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
