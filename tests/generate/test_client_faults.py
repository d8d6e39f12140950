"""OpenAIChat against a hostile or broken OpenAI-compatible server: any reply becomes text or
an LLMError, one deadline bounds a whole reply (retries and trickling reads included), the
model's slots bound what runs at once, and a cancelled or abandoned call closes its
connection."""

from __future__ import annotations

import json
import threading
import time

import pytest

from cxrag.errors import LLMBadReply, LLMCancelled, LLMError, LLMTimeout
from cxrag.generate import OpenAIChat
from cxrag.generate.control import CallControl
from tests.generate.test_client import MESSAGES, Handler, Stub, completion, delta, stub

__all__ = ["stub"]


def raw(status: int, body: bytes, content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    def reply(h: Handler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return reply


GARBAGE = {
    "random bytes": raw(200, bytes(range(256)) * 4),
    "truncated json": raw(200, b'{"id": "c1", "choices": [{"index": 0, "message": {"rol'),
    "empty body": raw(200, b""),
    "no choices": raw(200, b'{"id": "c1", "object": "chat.completion", "choices": []}'),
    "html": raw(200, b"<html><body>502 Bad Gateway</body></html>", "text/html"),
    "usage of the wrong type": raw(200, (
        b'{"id": "c1", "object": "chat.completion", "created": 0, "model": "m", "choices": '
        b'[{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", '
        b'"content": "hi"}}], "usage": "lots"}')),
    "content of the wrong type": raw(200, (
        b'{"id": "c1", "object": "chat.completion", "created": 0, "model": "m", "choices": '
        b'[{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", '
        b'"content": {"x": 1}}}]}')),
}


def model(url: str, **kw: float) -> OpenAIChat:
    opts: dict[str, float] = {"timeout_s": 5.0, "max_retries": 0, "deadline_s": 5.0} | kw
    return OpenAIChat(url, "k", "stub-model", timeout_s=opts["timeout_s"],
                      max_retries=int(opts["max_retries"]), deadline_s=opts["deadline_s"],
                      max_in_flight=int(opts.get("max_in_flight", 2)))


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_garbage_reply_is_an_llm_error_not_a_crash(stub: Stub, kind: str) -> None:
    stub.reply = GARBAGE[kind]
    with pytest.raises(LLMError) as info:
        model(stub.url).complete(MESSAGES)
    assert info.value.status in (502, 503)


@pytest.mark.parametrize("body", [
    b"data: {not json}\n\n", b"data: " + bytes(range(1, 200)) + b"\n\n",
    b'data: {"choices": "x"}\n\n', b"<html>oops</html>"])
def test_garbage_stream_is_an_llm_error(stub: Stub, body: bytes) -> None:
    stub.reply = raw(200, body, "text/event-stream")
    with pytest.raises(LLMError):
        list(model(stub.url).stream(MESSAGES))


def test_a_stream_that_breaks_after_text_is_not_retried(stub: Stub) -> None:
    def half(h: Handler) -> None:
        raw(200, b'data: {"id":"c","object":"chat.completion.chunk","created":0,"model":"m",'
                 b'"choices":[{"index":0,"delta":{"content":"Ho"}}]}\n\ndata: {oops\n\n',
            "text/event-stream")(h)
    stub.reply = half
    got: list[str] = []
    with pytest.raises(LLMBadReply):
        for text in model(stub.url, max_retries=3).stream(MESSAGES):
            got.append(text)
    assert got == ["Ho"] and len(stub.requests) == 1


def trickle(h: Handler) -> None:
    """A server that sends a byte a second and never finishes (each read is quick)."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.end_headers()
    for _ in range(60):
        if h.server.release.is_set():
            return
        try:
            h.wfile.write(b" ")
            h.wfile.flush()
        except OSError:
            return
        time.sleep(1)


@pytest.mark.parametrize("streaming", [False, True])
def test_one_deadline_bounds_a_trickling_reply(stub: Stub, streaming: bool) -> None:
    stub.reply = trickle
    chat = model(stub.url, timeout_s=5.0, deadline_s=2.0, max_retries=2)
    began = time.perf_counter()
    with pytest.raises(LLMTimeout):
        if streaming:
            list(chat.stream(MESSAGES))
        else:
            chat.complete(MESSAGES)
    assert time.perf_counter() - began < 3.5  # per-read timeouts alone: 60 s and more


def test_retries_share_the_deadline(stub: Stub) -> None:
    stub.reply = lambda h: h.send_json(503, {"error": {"message": "busy"}})
    chat = model(stub.url, deadline_s=3.0, max_retries=50)
    began = time.perf_counter()
    with pytest.raises(LLMTimeout):
        chat.complete(MESSAGES)
    assert time.perf_counter() - began < 4.5  # the deadline, not 51 attempts with backoff
    assert 2 <= len(stub.requests) < 50


def test_a_transient_failure_is_retried(stub: Stub) -> None:
    replies = iter([lambda h: h.send_json(500, {}), lambda h: h.send_json(200, completion("ok"))])
    stub.reply = lambda h: next(replies)(h)
    assert model(stub.url, max_retries=2).complete(MESSAGES).text == "ok"


def test_slots_bound_requests_in_flight(stub: Stub) -> None:
    active, peak, lock = [0], [0], threading.Lock()

    def slow(h: Handler) -> None:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        h.send_json(200, completion("ok"))

    stub.reply = slow
    chat = model(stub.url, max_in_flight=2)
    threads = [threading.Thread(target=chat.complete, args=(MESSAGES,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stub.requests) == 6 and peak[0] == 2


def disconnect_watch(stub: Stub, text: str = "x ", seconds: float = 10) -> threading.Event:
    """A streaming reply of ``text`` every 50 ms for ``seconds`` that notices when the client
    hangs up (the returned event)."""
    gone = threading.Event()

    def endless(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.end_headers()
        for _ in range(int(seconds / 0.05)):
            try:
                h.wfile.write(f"data: {json.dumps(delta(text))}\n\n".encode())
                h.wfile.flush()
            except OSError:
                gone.set()
                return
            time.sleep(0.05)

    stub.reply = endless
    return gone


def test_closing_a_stream_early_closes_the_connection(stub: Stub) -> None:
    gone = disconnect_watch(stub)
    stream = model(stub.url, deadline_s=30).stream(MESSAGES)
    assert next(stream) == "x "
    stream.close()  # what the reply path does when the customer leaves
    assert gone.wait(5)


def test_cancel_aborts_a_call_in_flight(stub: Stub) -> None:
    gone = disconnect_watch(stub)
    control = CallControl(30)
    chat = model(stub.url, deadline_s=30)
    got: list[str] = []

    def consume() -> None:
        try:
            for text in chat.stream(MESSAGES, control=control):
                got.append(text)
        except LLMCancelled:
            got.append("cancelled")

    worker = threading.Thread(target=consume)
    worker.start()
    time.sleep(0.3)
    control.cancel()
    worker.join(5)
    assert got[-1] == "cancelled" and gone.wait(5)


def test_close_cancels_what_is_in_flight(stub: Stub) -> None:
    gone = disconnect_watch(stub)
    chat = model(stub.url, deadline_s=30)
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            list(chat.stream(MESSAGES))
        except LLMError as exc:
            errors.append(exc)

    worker = threading.Thread(target=consume)
    worker.start()
    time.sleep(0.3)
    chat.close()  # the service is stopping
    worker.join(5)
    assert not worker.is_alive() and isinstance(errors[0], LLMCancelled) and gone.wait(5)
    with pytest.raises(LLMCancelled):
        chat.complete(MESSAGES)
