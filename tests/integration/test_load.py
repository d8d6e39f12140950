"""A bounded load on loopback: a real ``cxrag serve`` (real embedder, Chroma, tantivy, SQLite)
with the fake OpenAI-compatible model, many widget chats and agent searches at once. Nothing
may fail, and memory must stay flat once warm."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from tests.widget.kb import write_kb
from tests.widget.servers import AGENT_KEY, HOST_KEY, fake_model, ingest, serve

pytestmark = pytest.mark.slow
ROUNDS, CONCURRENCY = 3, 8
PER_ROUND = 200


def _server_pid(url: str) -> int:
    port = int(url.rsplit(":", 1)[1])
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return conn.pid
    raise AssertionError(f"no process listens on {port}")


def _one(client: httpx.Client, url: str, i: int) -> int:
    if i % 4 == 3:
        return client.post(f"{url}/v1/search", headers={"X-API-Key": AGENT_KEY},
                           json={"query": f"gift card balance {i}"}).status_code
    body = {"message": ["Do gift cards expire?", "¿Cuánto tarda el reembolso?",
                        "How long does shipping take?"][i % 3],
            "visitor_id": f"load-{i % 50}", "stream": i % 2 == 0}
    resp = client.post(f"{url}/v1/chat", headers={"X-API-Key": HOST_KEY}, json=body)
    if body["stream"] and resp.status_code == 200:
        assert "event: reply" in resp.text, resp.text[-500:]
    return resp.status_code


def test_a_bounded_load_gives_no_errors_and_flat_memory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    ingest(data, write_kb(tmp_path / "kb"))
    llm_url, llm = fake_model(tmp_path, 0.0)
    unlimited = "100000/minute"
    with llm:
        url, server = serve(
            data, tmp_path / "serve.log", CXRAG_LLM__BACKEND="remote",
            CXRAG_LLM__BASE_URL=llm_url, CXRAG_API__CHAT_CONCURRENCY="32",
            CXRAG_API__RATE_LIMITS=json.dumps({"per_ip": unlimited, "per_key": unlimited,
                                               "per_visitor": unlimited}))
        with server:
            process = psutil.Process(_server_pid(url))
            rss: list[float] = []
            codes: list[int] = []
            began = time.perf_counter()
            with httpx.Client(timeout=60, trust_env=False,
                              limits=httpx.Limits(max_connections=CONCURRENCY)) as client, \
                    ThreadPoolExecutor(CONCURRENCY) as pool:
                for r in range(ROUNDS):
                    codes += pool.map(lambda i: _one(client, url, i),
                                      range(r * PER_ROUND, (r + 1) * PER_ROUND))
                    rss.append(process.memory_info().rss / 2**20)
            seconds = time.perf_counter() - began
    errors = [c for c in codes if c != 200]
    print(f"load: {len(codes)} requests in {seconds:.1f} s, RSS after each round "
          f"{[round(m) for m in rss]} MB")
    assert not errors, f"{len(errors)} errors: {sorted(set(errors))}"
    assert rss[-1] - rss[0] < 40, f"RSS grew {rss[-1] - rss[0]:.0f} MB after warm-up: {rss}"
