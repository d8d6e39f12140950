"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import json
import platform
import statistics
import time
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
