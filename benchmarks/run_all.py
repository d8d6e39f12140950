"""Every benchmark, one after the other (they must not share the 2 cores with each other).

    .venv/bin/python benchmarks/run_all.py      (make bench)

Results go to bench-out/*.json; docs/benchmarks.md quotes them with the command of each.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["retrieval_quality.py", "ticket_prior.py", "search_latency_100k.py",
           "lexical_engines.py", "reply_latency.py", "service_overhead.py"]


def main() -> None:
    failed = []
    for script in SCRIPTS:
        if script == "service_overhead.py" and not shutil.which("wrk"):
            print("skipping service_overhead.py: wrk is not installed (apt-get install wrk)")
            continue
        print(f"== {script}", flush=True)
        if subprocess.run([sys.executable, str(HERE / script)]).returncode:
            failed.append(script)
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
