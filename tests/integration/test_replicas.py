"""Stateless replicas: two real ``cxrag serve`` processes with their own data directories and
the same PostgreSQL (history, catalogue, lexical index), Redis (rate limits) and Chroma server
(vectors), the fake OpenAI-compatible model behind both. What one replica writes, the other
serves; a replica killed mid-reply loses nothing stored; the data directories hold nothing
anyone needs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.databases import temporary_postgres
from tests.integration.test_load import _server_pid
from tests.integration.workers import worker
from tests.uploads import finished
from tests.widget.servers import AGENT_KEY, HOST_KEY, fake_model, serve

pytestmark = pytest.mark.slow
ADMIN_KEY = "replicas-admin-key"
PHRASE = "Orders to the Canary Islands ship with the island courier within four working days."


def _conversation(url: str, conv: str, visitor: str) -> list[dict[str, Any]]:
    resp = httpx.get(f"{url}/v1/conversations/{conv}", trust_env=False, timeout=30,
                     headers={"X-API-Key": HOST_KEY, "X-Visitor-Id": visitor})
    assert resp.status_code == 200, resp.text
    messages: list[dict[str, Any]] = resp.json()["messages"]
    return messages


def _chat(url: str, message: str, visitor: str, conv: str | None = None,
          stream: bool = False) -> httpx.Response:
    body = {"message": message, "visitor_id": visitor, "stream": stream,
            **({"conversation_id": conv} if conv else {})}
    return httpx.post(f"{url}/v1/chat", headers={"X-API-Key": HOST_KEY}, json=body,
                      trust_env=False, timeout=120)


def test_replicas_share_every_piece_of_state(tmp_path: Path, chroma_server: str) -> None:
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    llm_url, llm = fake_model(tmp_path, 0.3)  # a streamed reply takes several seconds
    with temporary_postgres() as database, llm:
        env = {"CXRAG_DATABASE_URL": database, "CXRAG_CHROMA__URL": chroma_server,
               "CXRAG_REDIS_URL": "redis://127.0.0.1:6379/0",
               "CXRAG_COLLECTION": f"replicas-{uuid.uuid4().hex[:8]}",
               "CXRAG_LLM__BACKEND": "remote", "CXRAG_LLM__BASE_URL": llm_url,
               "CXRAG_API__ADMIN_KEYS": json.dumps([ADMIN_KEY])}
        dirs = [tmp_path / "replica-a", tmp_path / "replica-b", tmp_path / "replica-c"]
        url_a, server_a = serve(dirs[0], tmp_path / "a.log", **env)
        url_b, server_b = serve(dirs[1], tmp_path / "b.log", **env)
        with server_a, server_b, worker(tmp_path / "worker", tmp_path / "worker.log", **env):
            # A document uploaded through one replica (a job, run by the worker) is
            # searchable on the other.
            files = {"files": ("shipping.md", f"# Island shipping\n\n{PHRASE}\n".encode())}
            resp = httpx.post(f"{url_a}/v1/ingest", files=files, trust_env=False, timeout=120,
                              headers={"X-API-Key": ADMIN_KEY})
            assert resp.status_code == 202, resp.text
            job = finished(lambda where, **kw: httpx.get(f"{url_b}{where}", trust_env=False,
                                                         timeout=30, **kw),
                           resp.headers["Location"], {"X-API-Key": ADMIN_KEY}, timeout=300)
            assert job["status"] == "done" and job["added"] == 1, job
            found = httpx.post(f"{url_b}/v1/search", headers={"X-API-Key": AGENT_KEY},
                               json={"query": "Canary Islands courier"}, trust_env=False,
                               timeout=60).json()["results"]
            assert found[0]["title"] == "Island shipping"
            # A conversation started on one continues on the other, with its history.
            first = _chat(url_a, "How long does shipping to the Canary Islands take?", visitor)
            assert first.status_code == 200, first.text
            conv = first.json()["conversation_id"]
            second = _chat(url_b, "And which courier is it?", visitor, conv)
            assert second.status_code == 200 and second.json()["conversation_id"] == conv
            assert [m["role"] for m in _conversation(url_b, conv, visitor)] == [
                "user", "assistant", "user", "assistant"]
            # A replica killed (SIGKILL) in the middle of a streamed reply loses nothing that
            # was stored: the customer's message is there, and the other replica goes on.
            streaming = threading.Thread(
                target=lambda: _stream_until_killed(url_a, visitor, conv), daemon=True)
            streaming.start()
            deadline = time.monotonic() + 30
            while len(_conversation(url_b, conv, visitor)) < 5:
                assert time.monotonic() < deadline, "the third message was never stored"
                time.sleep(0.1)
            os.kill(_server_pid(url_a), signal.SIGKILL)
            streaming.join(30)
            after = _conversation(url_b, conv, visitor)
            assert [m["role"] for m in after][:5] == ["user", "assistant", "user", "assistant",
                                                      "user"]
            assert after[4]["text"] == "Is there a fee for it?"
            third = _chat(url_b, "Thanks. Anything else I should know?", visitor, conv)
            assert third.status_code == 200, third.text
        # Nothing in the data directories is needed: delete them, start a new replica.
        for folder in dirs[:2]:
            shutil.rmtree(folder, ignore_errors=True)
        url_c, server_c = serve(dirs[2], tmp_path / "c.log", **env)
        with server_c:
            found = httpx.post(f"{url_c}/v1/search", headers={"X-API-Key": AGENT_KEY},
                               json={"query": "Canary Islands courier"}, trust_env=False,
                               timeout=60).json()["results"]
            assert found[0]["title"] == "Island shipping"
            roles = [m["role"] for m in _conversation(url_c, conv, visitor)]
            assert roles[:5] == ["user", "assistant", "user", "assistant", "user"]
            assert roles[-2:] == ["user", "assistant"] and len(roles) >= 7


def _stream_until_killed(url: str, visitor: str, conv: str) -> None:
    try:
        _chat(url, "Is there a fee for it?", visitor, conv, stream=True)
    except httpx.HTTPError:
        pass  # the replica died under it: expected
