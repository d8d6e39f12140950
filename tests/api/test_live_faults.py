"""The service under real connections when things go wrong: overlapping uploads, a model that
trickles, hangs, answers garbage or is down, saturated chat, clients that leave, a shutdown
with replies in flight. The event loop must stay free (health and search answer) and every
chat must end in a reply, never a 500 or a dropped stream."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from cxrag.api.app import create_app
from cxrag.embed.base import Vectors
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings
from tests.api.conftest import with_keys
from tests.api.live import live
from tests.conftest import FakeChat, FakeEmbedder
from tests.generate.test_client import Stub, stub
from tests.generate.test_client_faults import GARBAGE, disconnect_watch, trickle
from tests.uploads import finished

__all__ = ["stub"]
WIDGET, AGENT, ADMIN = "widget-key", "agent-key", "admin-key"
W, A, ROOT = {"X-API-Key": WIDGET}, {"X-API-Key": AGENT}, {"X-API-Key": ADMIN}
ASK = {"message": "Do gift cards expire?", "visitor_id": "v1"}


@pytest.fixture
def model(stub: Stub) -> Stub:
    """The model server (the OpenAI-compatible stub of the client's tests)."""
    return stub


def keyed(settings: Settings, model_url: str | None = None) -> Settings:
    with_keys(settings, WIDGET, AGENT, ADMIN)
    if model_url:
        settings.llm.backend, settings.llm.base_url = "remote", model_url
        settings.llm.reply_deadline_s, settings.llm.max_retries = 2.0, 1
    return settings


def events(text: str) -> list[str]:
    return [block.split("\n")[0].removeprefix("event: ") for block in text.strip().split("\n\n")]


class SlowEmbedder(FakeEmbedder):
    """Embedding that takes its time, so an ingest is still running when the next arrives."""

    def embed_documents(self, texts: Any) -> Vectors:
        time.sleep(0.05 * max(1, len(texts)))
        return super().embed_documents(texts)


def test_overlapping_uploads_leave_the_server_responsive(settings: Settings,
                                                         tmp_path: Path) -> None:
    knowledge = Knowledge(keyed(settings), embedder=SlowEmbedder())
    doc = ("# Notes\n\n" + "\n\n".join(f"Paragraph {i} about delivery slot {i}." * 20
                                        for i in range(40))).encode()
    with live(create_app(settings, knowledge, FakeChat())) as (url, _):
        def upload(name: str) -> str:
            resp = httpx.post(f"{url}/v1/ingest", headers=ROOT, timeout=120,
                              files={"files": (name, doc)})
            assert resp.status_code == 202, resp.text
            job = finished(lambda where, **kw: httpx.get(f"{url}{where}", timeout=10, **kw),
                           resp.headers["Location"], ROOT)
            return str(job["status"])

        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(upload, "a.md")
            time.sleep(0.3)
            second = pool.submit(upload, "b.md")
            time.sleep(0.3)
            began = time.perf_counter()
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
            waited = time.perf_counter() - began
            assert (first.result(120), second.result(120)) == ("done", "done")
            assert waited < 2.0, waited  # frozen for good before the fix
    knowledge.close()


def test_a_trickling_model_costs_one_deadline_then_the_fallback(
        settings: Settings, knowledge: Knowledge, sample_kb: Path, model: Stub) -> None:
    model.reply = trickle
    knowledge.get().ingestor.run([sample_kb])
    with live(create_app(keyed(settings, model.url), knowledge)) as (url, _):
        began = time.perf_counter()
        resp = httpx.post(f"{url}/v1/chat", headers=W, json=ASK, timeout=30)
        assert resp.status_code == 200 and time.perf_counter() - began < 5
        body = resp.json()
        assert body["handoff"]["reason"] == "llm_unavailable" and body["citations"]
        began = time.perf_counter()
        streamed = httpx.post(f"{url}/v1/chat", headers=W, json={**ASK, "stream": True},
                              timeout=30).text
        assert events(streamed)[-1] == "reply" and time.perf_counter() - began < 5


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_garbage_from_the_model_is_a_fallback_not_a_500(
        settings: Settings, knowledge: Knowledge, sample_kb: Path, model: Stub,
        kind: str) -> None:
    model.reply = GARBAGE[kind]
    knowledge.get().ingestor.run([sample_kb])
    with live(create_app(keyed(settings, model.url), knowledge)) as (url, _):
        resp = httpx.post(f"{url}/v1/chat", headers=W, json=ASK, timeout=30)
        assert resp.status_code == 200 and resp.json()["handoff"] is not None
        streamed = httpx.post(f"{url}/v1/chat", headers=W, json={**ASK, "stream": True},
                              timeout=30).text
        assert events(streamed) == ["reply"]


def test_saturated_chat_is_503_and_the_rest_of_the_api_answers(
        settings: Settings, knowledge: Knowledge, sample_kb: Path, model: Stub) -> None:
    model.reply = trickle
    knowledge.get().ingestor.run([sample_kb])
    keyed(settings, model.url).api.chat_concurrency = 2
    settings.llm.reply_deadline_s = 4.0
    with live(create_app(settings, knowledge)) as (url, _):
        def ask(i: int) -> httpx.Response:
            return httpx.post(f"{url}/v1/chat", headers=W, timeout=30,
                              json={**ASK, "visitor_id": f"v{i}"})

        with ThreadPoolExecutor(8) as pool:
            replies = [pool.submit(ask, i) for i in range(8)]
            time.sleep(1.0)
            began = time.perf_counter()
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
            assert httpx.post(f"{url}/v1/search", headers=A, json={"query": "gift cards"},
                              timeout=5).status_code == 200
            assert time.perf_counter() - began < 2.0
            done = [r.result(30) for r in replies]
    codes = sorted(r.status_code for r in done)
    assert codes == [200, 200] + [503] * 6
    busy = next(r for r in done if r.status_code == 503)
    assert busy.json()["code"] == "busy" and int(busy.headers["retry-after"]) >= 1


def test_readiness_follows_the_remote_model(settings: Settings, knowledge: Knowledge,
                                            model: Stub) -> None:
    app = create_app(keyed(settings, model.url), knowledge)
    with live(app) as (url, _):
        assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
        model.shutdown()  # the model server goes away
        model.server_close()
        resp = httpx.get(f"{url}/readyz", timeout=10)
        assert resp.status_code == 503 and resp.json()["checks"]["llm"] != "ok"


def endless(model: Stub) -> threading.Event:
    """A model that streams a sentence forever; the event is set when its client hangs up."""
    return disconnect_watch(model, "Gift cards never expire. ", seconds=30)


@pytest.mark.parametrize("stream", [True, False])
def test_a_client_that_leaves_stops_the_generation(
        settings: Settings, knowledge: Knowledge, sample_kb: Path, model: Stub,
        stream: bool) -> None:
    gone = endless(model)
    knowledge.get().ingestor.run([sample_kb])
    keyed(settings, model.url).llm.reply_deadline_s = 60
    with live(create_app(settings, knowledge)) as (url, _):
        with httpx.Client(timeout=httpx.Timeout(30, read=1.5)) as client:
            try:
                if stream:
                    with client.stream("POST", f"{url}/v1/chat", headers=W,
                                       json={**ASK, "stream": True}) as resp:
                        next(resp.iter_lines())
                else:
                    client.post(f"{url}/v1/chat", headers=W, json=ASK)
            except httpx.ReadTimeout:
                pass  # the customer gave up
        assert gone.wait(5), "the model kept generating for a client that left"


def test_a_stopping_server_cancels_replies_in_flight(
        settings: Settings, knowledge: Knowledge, sample_kb: Path, model: Stub) -> None:
    gone = endless(model)
    knowledge.get().ingestor.run([sample_kb])
    keyed(settings, model.url).llm.reply_deadline_s = 60
    with live(create_app(settings, knowledge), graceful_s=1.0) as (url, server):
        pending = ThreadPoolExecutor(1).submit(
            httpx.post, f"{url}/v1/chat", headers=W, json=ASK, timeout=60)
        time.sleep(1.0)
        began = time.perf_counter()
        server.should_exit = True
        assert gone.wait(10), "the stopped server kept computing its answer"
        assert time.perf_counter() - began < 10
        try:
            pending.result(30)
        except httpx.HTTPError:
            pass
