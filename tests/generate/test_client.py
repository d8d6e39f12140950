"""OpenAIChat against a stub OpenAI server on 127.0.0.1: results, streaming, error mapping."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pydantic import SecretStr

from cxrag.errors import ConfigurationError
from cxrag.generate import (
    ChatModel,
    LLMError,
    LLMSettings,
    LLMTimeout,
    LLMUnavailable,
    OpenAIChat,
    build_chat,
)
from cxrag.metrics import REGISTRY

MESSAGES = [{"role": "user", "content": "hola"}]
Reply = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    """Answers every POST with ``server.reply(self)``; records the request bodies."""

    server: Stub

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        self.server.auth.append(self.headers.get("Authorization", ""))
        self.server.reply(self)

    def do_GET(self) -> None:  # noqa: N802 (a model list, as health probes ask for)
        self.send_json(200, {"object": "list", "data": [{"id": "stub-model"}]})

    def send_json(self, status: int, payload: object) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_events(self, events: list[object], stall_s: float = 0.0) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for event in events:
            self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        self.server.release.wait(stall_s)
        if not stall_s:
            self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        pass


class Stub(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.reply: Reply = lambda h: h.send_json(500, {})
        self.requests: list[dict[str, object]] = []
        self.auth: list[str] = []
        self.release = threading.Event()  # ends stalled handlers at teardown

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/v1"


@pytest.fixture
def stub() -> Iterator[Stub]:
    server = Stub()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def chat(url: str, timeout_s: float = 5.0) -> OpenAIChat:
    return OpenAIChat(url, "test-key", "stub-model", timeout_s=timeout_s, max_retries=0)


def completion(text: str) -> dict[str, object]:
    return {
        "id": "c1", "object": "chat.completion", "created": 0, "model": "stub-model-v2",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9},
    }


def delta(text: str) -> dict[str, object]:
    return {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "stub-model",
            "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_complete_returns_text_usage_model_and_latency(stub: Stub) -> None:
    stub.reply = lambda h: h.send_json(200, completion("Hola"))
    calls, read = sample("cxrag_llm_call_seconds_count", outcome="ok"), \
        sample("cxrag_llm_tokens_total", kind="input")
    result = chat(stub.url).complete(MESSAGES, max_tokens=5)
    # the metrics count the call and its tokens
    assert sample("cxrag_llm_call_seconds_count", outcome="ok") == calls + 1
    assert sample("cxrag_llm_tokens_total", kind="input") == read + 7
    assert result.text == "Hola"
    assert result.model == "stub-model-v2"
    assert result.usage == {"input_tokens": 7, "output_tokens": 2, "total_tokens": 9}
    assert result.latency_ms > 0
    request = stub.requests[0]
    assert request["messages"] == MESSAGES and request["model"] == "stub-model"
    assert 5 in (request.get("max_tokens"), request.get("max_completion_tokens"))


def test_complete_gives_the_first_tokens_alternatives_when_asked(stub: Stub) -> None:
    body = completion("neutral")
    body["choices"][0]["logprobs"] = {"content": [  # type: ignore[index]
        {"token": "neutral", "logprob": -0.6, "bytes": None, "top_logprobs": [
            {"token": "neutral", "logprob": -0.6, "bytes": None},
            {"token": "negative", "logprob": -0.9, "bytes": None}]}]}
    stub.reply = lambda h: h.send_json(200, body)
    result = chat(stub.url).complete(MESSAGES, max_tokens=1, logprobs=True, top_logprobs=2)
    assert result.alternatives == (("neutral", -0.6), ("negative", -0.9))
    assert stub.requests[0]["logprobs"] is True and stub.requests[0]["top_logprobs"] == 2
    stub.reply = lambda h: h.send_json(200, completion("neutral"))
    assert chat(stub.url).complete(MESSAGES).alternatives == ()  # not asked, none given


def test_stream_yields_the_deltas(stub: Stub) -> None:
    stub.reply = lambda h: h.send_events([delta("Ho"), delta(""), delta("la")])
    first = sample("cxrag_llm_time_to_first_token_seconds_count")
    assert list(chat(stub.url).stream(MESSAGES)) == ["Ho", "la"]
    assert sample("cxrag_llm_time_to_first_token_seconds_count") == first + 1
    assert stub.requests[0]["stream"] is True
    assert stub.requests[0]["stream_options"] == {"include_usage": True}


def test_slow_server_raises_llm_timeout(stub: Stub) -> None:
    def late(h: Handler) -> None:
        stub.release.wait(5)
        h.send_json(200, completion("late"))

    stub.reply = late
    began = time.perf_counter()
    timeouts = sample("cxrag_llm_call_seconds_count", outcome="llm_timeout")
    with pytest.raises(LLMTimeout) as info:
        chat(stub.url, timeout_s=0.3).complete(MESSAGES)
    assert time.perf_counter() - began < 3
    assert sample("cxrag_llm_call_seconds_count", outcome="llm_timeout") == timeouts + 1
    assert info.value.status == 504 and info.value.code == "llm_timeout"
    assert isinstance(info.value, LLMUnavailable)  # callers that fall back catch both


def test_stream_that_stalls_midway_raises_llm_timeout(stub: Stub) -> None:
    stub.reply = lambda h: h.send_events([delta("Ho")], stall_s=5)
    received: list[str] = []
    with pytest.raises(LLMTimeout):
        for text in chat(stub.url, timeout_s=0.3).stream(MESSAGES):
            received.append(text)
    assert received == ["Ho"]


def test_nothing_listening_raises_llm_unavailable() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(LLMUnavailable) as info:
        chat(f"http://127.0.0.1:{port}/v1").complete(MESSAGES)
    assert not isinstance(info.value, LLMTimeout)
    assert info.value.status == 503


@pytest.mark.parametrize(("status", "error", "http"), [
    (500, LLMUnavailable, 503), (429, LLMUnavailable, 503), (400, LLMError, 502)])
def test_error_statuses_are_mapped(
    stub: Stub, status: int, error: type[LLMError], http: int
) -> None:
    stub.reply = lambda h: h.send_json(status, {"error": {"message": "nope", "type": "x"}})
    with pytest.raises(error) as info:
        chat(stub.url).complete(MESSAGES)
    assert type(info.value) is error
    assert info.value.status == http and info.value.extra["upstream_status"] == status


def test_build_chat_remote_uses_settings(stub: Stub) -> None:
    stub.reply = lambda h: h.send_json(200, completion("ok"))
    settings = LLMSettings(backend="remote", base_url=stub.url, model="m",
                           api_key=SecretStr("sk-test"), temperature=0.0, max_tokens=7)
    model = build_chat(settings)
    assert isinstance(model, ChatModel)
    assert model.complete(MESSAGES).text == "ok"
    assert stub.requests[0]["temperature"] == 0.0
    assert stub.auth == ["Bearer sk-test"]
    assert "grammar" not in stub.requests[0]  # a remote server may not know the field


def test_a_grammar_goes_with_every_request_streamed_or_not(stub: Stub) -> None:
    stub.reply = lambda h: h.send_json(200, completion("ok"))
    settings = LLMSettings(backend="remote", base_url=stub.url, no_cjk=True)
    model = build_chat(settings)
    model.complete(MESSAGES)
    stub.reply = lambda h: h.send_events([delta("ok")])
    assert list(model.stream(MESSAGES)) == ["ok"]
    assert [r["grammar"] for r in stub.requests] == [settings.grammar] * 2
    assert settings.grammar and settings.grammar.startswith("root ::= [^")


def test_build_chat_needs_what_the_backend_needs() -> None:
    with pytest.raises(ConfigurationError, match="EmbeddedRuntime"):
        build_chat(LLMSettings())
    with pytest.raises(ConfigurationError, match="base_url"):
        build_chat(LLMSettings(backend="remote"))
