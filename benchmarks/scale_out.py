"""The server configuration against the embedded one, same run: search and chat through one
replica, with a zero-latency model.

    .venv/bin/python benchmarks/scale_out.py [--seconds 15] [--rounds 3] [--connections 8]

Embedded: SQLite history and catalogue, tantivy, embedded Chroma, all in a data directory.
Server: PostgreSQL (history, catalogue, lexical index; a temporary database on the server of
``CXRAG_BENCH_POSTGRES_URL``, default the local one), Redis (rate limits) and a Chroma server
on loopback; the replica's data directory holds nothing. Both ingest knowledge/ and import the
sample customers the same way, then one ``cxrag serve`` at a time answers wrk:
``POST /v1/search`` (agent key) and ``POST /v1/chat`` (new visitors, the fake model of
``fake_openai.py``). The configurations alternate round by round (embedded, server, embedded,
...) so a noisy neighbour hits both; the figures are the medians over rounds, and the ratio
server/embedded of each. Target (issue 17): the server configuration within 1.5x of the
embedded one. Needs wrk (``apt-get install wrk``), PostgreSQL and Redis on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, HostSteal, save, temporary_postgres  # noqa: E402
from service_overhead import lua_script, run_wrk  # noqa: E402
from serving import CXRAG, free_port, serve, service_env  # noqa: E402

AGENT_KEY = "bench-agent-key"
UNLIMITED = "1000000/minute"


def search_script() -> str:
    """wrk: POST /v1/search over the same-language eval questions with an agent key."""
    lines = (ROOT / "evals" / "retrieval" / "samelingual.jsonl").read_text().splitlines()
    qs = ",\n".join(f"[==[{json.dumps(json.loads(line)['text'], ensure_ascii=False)}]==]"
                    for line in lines)
    return f"""
local qs = {{
{qs}
}}
local headers = {{["Content-Type"] = "application/json", ["X-API-Key"] = "{AGENT_KEY}"}}
local i = 0
request = function()
  i = i + 1
  local body = '{{"k": 5, "query": ' .. qs[(i % #qs) + 1] .. '}}'
  return wrk.format("POST", "/v1/search", headers, body)
end
"""


@contextmanager
def chroma_server(folder: Path) -> Iterator[str]:
    """``chroma run`` on a free loopback port."""
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path",
                             str(folder), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1,
                             trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def prepare(data_dir: Path, env: dict[str, str]) -> float:
    """Ingest knowledge/ and import the sample customers; the seconds the ingest took."""
    full = service_env(data_dir, **env)
    knowledge = ROOT / "knowledge"
    began = time.perf_counter()
    done = subprocess.run([str(CXRAG), "ingest", str(knowledge / "articles"),
                           str(knowledge / "tickets"), "--json"], env=full,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest failed:\n{done.stderr[-2000:]}")
    subprocess.run([str(CXRAG), "import-customers",
                    str(knowledge / "customers" / "customers.json")], env=full, check=True,
                   capture_output=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    llm_port = free_port()
    fake = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "fake_openai.py"),
                             str(llm_port)])
    common = {"CXRAG_LLM__BACKEND": "remote", "CXRAG_LLM__MAX_RETRIES": "0",
              "CXRAG_LLM__BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
              "CXRAG_API__AGENT_KEYS": f'["{AGENT_KEY}"]',
              "CXRAG_API__RATE_LIMITS": json.dumps({k: UNLIMITED for k in (
                  "per_ip", "per_key", "per_visitor", "per_customer")})}
    runs: dict[str, dict[str, list[dict[str, float]]]] = {"embedded": {}, "server": {}}
    ingest_s: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, temporary_postgres() as database, \
                chroma_server(Path(tmp) / "chroma") as chroma, HostSteal() as steal:
            configs = {
                "embedded": (Path(tmp) / "embedded", dict(common)),
                "server": (Path(tmp) / "server", {
                    **common, "CXRAG_DATABASE_URL": database, "CXRAG_CHROMA__URL": chroma,
                    "CXRAG_REDIS_URL": "redis://127.0.0.1:6379/0"}),
            }
            scripts = {"search": Path(tmp) / "search.lua", "chat": Path(tmp) / "chat.lua"}
            scripts["search"].write_text(search_script())
            scripts["chat"].write_text(lua_script("first"))
            for name, (data, env) in configs.items():
                ingest_s[name] = round(prepare(data, env), 1)
            for r in range(args.rounds):
                for name, (data, env) in configs.items():
                    port = free_port()
                    with serve(data, port, **env):
                        base = f"http://127.0.0.1:{port}"
                        for scenario, script in scripts.items():
                            run_wrk(base, script, 3, args.connections)  # warm-up
                            result = run_wrk(base, script, args.seconds, args.connections)
                            runs[name].setdefault(scenario, []).append(result)
                            print(f"round {r + 1} {name:>8} {scenario:>6}: p50 "
                                  f"{result['p50_ms']:.1f} ms, {result['requests_per_s']:.1f}"
                                  f" req/s, non-2xx {int(result['non_2xx'])}", flush=True)
                    if name == "server":  # the replica kept nothing it needs
                        shutil.rmtree(data, ignore_errors=True)
                        data.mkdir()
    finally:
        fake.terminate()
        fake.wait(timeout=10)
    summary: dict[str, dict[str, float]] = {}
    for scenario in ("search", "chat"):
        row: dict[str, float] = {}
        for name in ("embedded", "server"):
            rs = runs[name][scenario]
            row[f"{name}_p50_ms"] = round(statistics.median(r["p50_ms"] for r in rs), 2)
            row[f"{name}_rps"] = round(statistics.median(r["requests_per_s"] for r in rs), 1)
            row[f"{name}_non_2xx"] = sum(r["non_2xx"] for r in rs)
        row["p50_ratio"] = round(row["server_p50_ms"] / row["embedded_p50_ms"], 2)
        row["rps_ratio"] = round(row["embedded_rps"] / row["server_rps"], 2)
        # Each round's server run against the embedded run just before it: a slow spell of a
        # shared host that spans both cancels out of the pair.
        pairs = list(zip(runs["embedded"][scenario], runs["server"][scenario], strict=True))
        row["p50_ratio_paired"] = round(statistics.median(
            s["p50_ms"] / e["p50_ms"] for e, s in pairs), 2)
        row["rps_ratio_paired"] = round(statistics.median(
            e["requests_per_s"] / s["requests_per_s"] for e, s in pairs), 2)
        summary[scenario] = row
    result = {"seconds": args.seconds, "rounds": args.rounds, "connections": args.connections,
              "host_steal": round(steal.share, 4),
              "ingest_s": ingest_s, "summary": summary, "runs": runs, "target_ratio": 1.5}
    path = save("scale_out", result)
    for scenario, row in summary.items():
        print(f"{scenario:>6}: embedded p50 {row['embedded_p50_ms']} ms, "
              f"{row['embedded_rps']} req/s; server p50 {row['server_p50_ms']} ms, "
              f"{row['server_rps']} req/s; ratios p50 {row['p50_ratio']}x, req/s "
              f"{row['rps_ratio']}x; round by round (median) p50 {row['p50_ratio_paired']}x, "
              f"req/s {row['rps_ratio_paired']}x")
    print(f"host steal {steal.share:.1%}")
    print(f"ingest of knowledge/: {ingest_s} s -> {path}")


if __name__ == "__main__":
    main()
