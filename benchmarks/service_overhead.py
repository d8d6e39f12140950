"""Service overhead of ``POST /v1/chat`` with a zero-latency LLM, under load from wrk.

    .venv/bin/python benchmarks/service_overhead.py [--seconds 30] [--connections 8]

A real ``cxrag serve`` (remote LLM backend) over knowledge/ answers chat requests whose model is
``fake_openai.py``: an OpenAI-compatible server that replies at once with a cited sentence of
the first passage, so every request still runs auth, the history store (conversation, both
messages, the customer's profile for signed customers), language detection, hybrid retrieval,
prompt composition, the HTTP call to the model and the grounding check. wrk (a C load tool:
``apt-get install wrk``) sends the requests at a fixed concurrency, non-streaming, half as
anonymous visitors and half as signed customers, rotating through the same-language eval
questions. Targets (issue 3): p50 <= 25 ms and >= 50 requests/s at concurrency 8.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, save  # noqa: E402
from serving import (  # noqa: E402
    TOKEN_SECRET,
    WIDGET_KEY,
    cpu_seconds,
    free_port,
    memory_kb,
    prepare_data,
    serve,
)

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def questions() -> list[str]:
    """The same-language eval questions: typical knowledge questions, es and en."""
    lines = (ROOT / "evals" / "retrieval" / "samelingual.jsonl").read_text().splitlines()
    return [json.loads(line)["text"] for line in lines]


def customer_ids() -> list[str]:
    """The sample customers' ids (imported by ``prepare_data``)."""
    rows = json.loads((ROOT / "knowledge" / "customers" / "customers.json").read_text())
    return [c["id"] for c in rows]


def token(customer_id: str) -> str:
    """The widget token a host page would compute for ``customer_id``."""
    return hmac.new(TOKEN_SECRET.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


def lua_script(scenario: str) -> str:
    """A wrk script POSTing chat requests round-robin over the questions with the widget key.

    ``first``: every request opens a new conversation (a unique anonymous visitor id).
    ``customers``: signed sample customers, each continuing their own conversation, so most
    requests carry history (follow-up rewriting: a second model call) and a profile.
    """
    qs = ",\n".join(f"[==[{json.dumps(q, ensure_ascii=False)}]==]" for q in questions())
    who = ",\n".join(f'[==["customer_id": "{c}", "customer_token": "{token(c)}"]==]'
                      for c in customer_ids())
    pick = ('\'"visitor_id": "bench-\' .. id .. \'-\' .. i .. \'"\''
            if scenario == "first" else "who[(i % #who) + 1]")
    return f"""
local qs = {{
{qs}
}}
local who = {{
{who}
}}
local headers = {{["Content-Type"] = "application/json", ["X-API-Key"] = "{WIDGET_KEY}"}}
local i = 0
local id = "{time.time_ns()}"
request = function()
  i = i + 1
  local body = '{{"channel": "web", "message": ' .. qs[(i % #qs) + 1] .. ', ' .. {pick} .. '}}'
  return wrk.format("POST", "/v1/chat", headers, body)
end
"""


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, float]:
    """One wrk run: requests/s, latency percentiles (ms), errors."""
    done = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency",
                           "--timeout", "10s", "-s", str(script), url],
                          capture_output=True, text=True, check=True)
    text = done.stdout
    result: dict[str, float] = {}
    for pct, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text,
                                       re.MULTILINE):
        result[f"p{pct}_ms"] = float(value) * _UNITS[unit]
    result["requests_per_s"] = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    result["requests"] = float(re.search(r"(\d+) requests in", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    result["non_2xx"] = float(bad.group(1)) if bad else 0.0
    errors = re.search(r"Socket errors: (.+)", text)
    result["socket_errors"] = errors.group(1) if errors else "none"  # type: ignore[assignment]
    return result


def measure(base: str, script: Path, seconds: int, connections: int, service_pid: int,
            model_pid: int) -> dict[str, float]:
    """A wrk run, plus the CPU milliseconds per request that the service and the fake model
    used (less noisy on a shared machine than wall-clock figures)."""
    before = cpu_seconds(service_pid), cpu_seconds(model_pid)
    result = run_wrk(base, script, seconds, connections)
    n = max(result["requests"], 1.0)
    result["service_cpu_ms_per_request"] = (cpu_seconds(service_pid) - before[0]) * 1000 / n
    result["model_cpu_ms_per_request"] = (cpu_seconds(model_pid) - before[1]) * 1000 / n
    return result


def check_replies(base: str) -> dict[str, int]:
    """Ask each question once as a new visitor; count grounded replies (the full pipeline
    ran) and handoffs."""
    counts = {"ok": 0, "grounded": 0, "handoff": 0}
    with httpx.Client(base_url=base, headers={"X-API-Key": WIDGET_KEY}, trust_env=False,
                      timeout=30) as client:
        for i, question in enumerate(questions()):
            resp = client.post("/v1/chat", json={"message": question,
                                                 "visitor_id": f"check-{i}"})
            resp.raise_for_status()
            reply = resp.json()
            counts["ok"] += 1
            counts["grounded"] += bool(reply["grounded"])
            counts["handoff"] += reply["handoff"] is not None
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-out" / "serve-data")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    prepare_data(args.data_dir)
    llm_port, api_port = free_port(), free_port()
    fake = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "fake_openai.py"),
                             str(llm_port)])
    runs: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, serve(
                args.data_dir, api_port, CXRAG_LLM__BACKEND="remote",
                CXRAG_LLM__BASE_URL=f"http://127.0.0.1:{llm_port}/v1",
                CXRAG_LLM__MAX_RETRIES="0") as (proc, ready_s):
            base = f"http://127.0.0.1:{api_port}"
            replies = check_replies(base)
            for scenario in ("first", "customers"):
                script = Path(tmp) / f"{scenario}.lua"
                script.write_text(lua_script(scenario))
                run_wrk(base, script, 5, args.connections)  # warm-up
                time.sleep(1)
                runs[scenario] = measure(base, script, args.seconds, args.connections,
                                         proc.pid, fake.pid)
            single = Path(tmp) / "single.lua"
            single.write_text(lua_script("first"))
            runs["first_concurrency_1"] = measure(base, single, args.seconds // 2, 1, proc.pid,
                                                  fake.pid)
            memory = memory_kb(proc.pid)
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    result = {"connections": args.connections, "seconds": args.seconds,
              "questions": len(questions()), "ready_s": round(ready_s, 2),
              "replies_checked": replies, "runs": runs,
              "serve_rss_mb": round(memory["VmRSS"] / 1024), "serve_peak_rss_mb":
              round(memory["VmHWM"] / 1024),
              "targets": {"p50_ms": 25, "requests_per_s": 50}}
    path = save("service_overhead", result)
    for name, m in runs.items():
        print(f"{name:>20}: p50 {m['p50_ms']:.1f} ms, p90 {m['p90_ms']:.1f} ms, "
              f"p99 {m['p99_ms']:.1f} ms, {m['requests_per_s']:.1f} req/s, "
              f"{int(m['requests'])} requests, non-2xx {int(m['non_2xx'])}, service CPU "
              f"{m['service_cpu_ms_per_request']:.1f} ms/request, fake model "
              f"{m['model_cpu_ms_per_request']:.1f}")
    print(f"replies grounded {replies['grounded']}/{replies['ok']}; serve RSS "
          f"{result['serve_rss_mb']} MB -> {path}")


if __name__ == "__main__":
    main()
