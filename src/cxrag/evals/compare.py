"""``cxrag eval compare RUN_A RUN_B``: per-metric deltas with bootstrap confidence intervals.

Cases are paired by id (both runs answered the same question), so the interval is that of the
mean per-case difference B - A, resampling cases with replacement. A change is called only when
the whole interval lies on one side of zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cxrag.errors import InvalidRequest
from cxrag.evals.metrics import METRICS


def bootstrap_ci(deltas: np.ndarray, *, resamples: int = 5000, level: float = 0.95,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``deltas``."""
    if len(deltas) == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(deltas), size=(resamples, len(deltas)))
    means = deltas[picks].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(low), float(high)


def compare_runs(a: dict[str, Any], b: dict[str, Any], *, resamples: int = 5000,
                 level: float = 0.95, seed: int = 0) -> dict[str, Any]:
    """Per metric: means of A and B on the paired cases, the delta and its interval."""
    cases_a = {c["id"]: c for c in a["cases"]}
    cases_b = {c["id"]: c for c in b["cases"]}
    shared = [cid for cid in cases_a if cid in cases_b]
    if not shared:
        raise InvalidRequest("the two runs share no case ids: nothing to compare")
    rows = []
    for metric in METRICS:
        pairs = [(cases_a[c]["scores"].get(metric), cases_b[c]["scores"].get(metric))
                 for c in shared]
        pairs = [(x, y) for x, y in pairs if x is not None and y is not None
                 and not (np.isnan(x) or np.isnan(y))]
        if not pairs:
            continue
        xa = np.array([p[0] for p in pairs], dtype=float)
        xb = np.array([p[1] for p in pairs], dtype=float)
        low, high = bootstrap_ci(xb - xa, resamples=resamples, level=level, seed=seed)
        verdict = "better" if low > 0 else "worse" if high < 0 else "no clear change"
        rows.append({"metric": metric, "cases": len(pairs), "a": float(xa.mean()),
                     "b": float(xb.mean()), "delta": float((xb - xa).mean()),
                     "ci_low": low, "ci_high": high, "verdict": verdict})
    changed = [
        {"id": c, "metric": m, "a": cases_a[c]["scores"][m], "b": cases_b[c]["scores"][m]}
        for c in shared for m in ("handoff_correct", "facts", "answered")
        if cases_a[c]["scores"].get(m) is not None and cases_b[c]["scores"].get(m) is not None
        and cases_a[c]["scores"][m] != cases_b[c]["scores"][m]]
    return {
        "a": _label(a), "b": _label(b), "paired_cases": len(shared),
        "only_in_a": len(cases_a) - len(shared), "only_in_b": len(cases_b) - len(shared),
        "level": level, "resamples": resamples, "metrics": rows, "changed_cases": changed,
    }


def _label(run: dict[str, Any]) -> dict[str, Any]:
    meta = run["meta"]
    return {k: meta.get(k) for k in ("suite", "timestamp", "prompt_version", "model",
                                     "embedding_model")} | {
        "commit": (meta.get("git") or {}).get("commit")}
