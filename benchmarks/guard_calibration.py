"""The grounding guard as a classifier of "supported", calibrated (cxrag.evals.guard_calibration).

    .venv/bin/python benchmarks/guard_calibration.py

Runs the real ``GroundingChecker`` with the real multilingual embedder on every sentence of
``evals/guard/labelled.yaml`` for ``min_support`` 0.25..0.70 (step 0.025), with and without
the near-miss rules; chooses the threshold with the most recall at precision >= 0.95 on the
even-indexed items, checks it on the odd ones, and reports every slice (language, same- vs
cross-language, kind) at the current and the chosen threshold. Writes
``bench-out/guard_calibration.json`` and prints a table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import save  # noqa: E402

from cxrag.embed.factory import build_embedder  # noqa: E402
from cxrag.evals.guard_calibration import calibrate, load, table  # noqa: E402
from cxrag.guard.grounding import MIN_SUPPORT  # noqa: E402
from cxrag.settings import EmbeddingSettings  # noqa: E402


def main() -> None:
    items = load()
    embedder = build_embedder(EmbeddingSettings())
    began = time.perf_counter()
    report = calibrate(items, embedder, current=0.4)
    report["shipped_min_support"] = MIN_SUPPORT
    report["embedder"] = getattr(embedder, "model_id", "unknown")
    report["seconds"] = round(time.perf_counter() - began, 1)
    path = save("guard_calibration", report)
    for key in ("no_rules", "rules"):
        r = report[key]
        print(f"{key}: chosen min_support {r['chosen']} on even items "
              f"(P {r['chosen_on_even']['precision']}, R {r['chosen_on_even']['recall']}), "
              f"odd items P {r['checked_on_odd']['precision']}, R {r['checked_on_odd']['recall']}")
    print(f"shipped min_support: {MIN_SUPPORT}\n")
    print(table(report))
    print("\nsweep (all items, rules on / off): threshold  P  R  F0.5")
    for t in report["thresholds"]:
        on, off = report["rules"]["sweep"][str(t)], report["no_rules"]["sweep"][str(t)]
        print(f"  {t:.3f}  on: {on['precision']} {on['recall']} {on['f05']}   "
              f"off: {off['precision']} {off['recall']} {off['f05']}")
    print(f"\n{len(report['errors'])} errors at the chosen threshold (rules on):")
    for e in report["errors"]:
        print(f"  {e['id']} [{e['kind']}, {e['language']}{', cross' if e['cross'] else ''}] "
              f"label={e['label']}: {e['reason']}")
    print(f"\n{len(items)} items, {report['seconds']} s; wrote {path}")


if __name__ == "__main__":
    main()
