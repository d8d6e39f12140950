"""Chat models behind one Protocol; ``build_chat`` picks the embedded server or a remote API."""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

import httpx
import httpx2
import openai
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from cxrag import tracing
from cxrag.errors import (
    ConfigurationError,
    LLMBadReply,
    LLMCancelled,
    LLMError,
    LLMTimeout,
    LLMUnavailable,
)
from cxrag.generate.control import CallControl
from cxrag.metrics import LLM_FIRST_TOKEN, LLM_SECONDS, LLM_TOKENS
from cxrag.settings import LLMSettings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from cxrag.generate.runtime import EmbeddedRuntime

_T = TypeVar("_T")
Messages = list[dict[str, str]]
"""OpenAI-style messages: ``[{"role": "system" | "user" | "assistant", "content": ...}]``."""


@dataclass(frozen=True, slots=True)
class ChatResult:
    """One completed answer."""

    text: str
    model: str
    latency_ms: float
    usage: dict[str, int] = field(default_factory=dict)
    """``input_tokens``, ``output_tokens``, ``total_tokens`` when the server reports them."""
    alternatives: tuple[tuple[str, float], ...] = ()
    """The first generated token's likeliest candidates, (token, log-probability), when the
    request asked for them (``logprobs=True, top_logprobs=n``) and the server gives them."""


@runtime_checkable
class ChatModel(Protocol):
    """Generates assistant replies to a conversation."""

    def complete(self, messages: Messages, *, control: CallControl | None = None,
                 **opts: Any) -> ChatResult:
        """The whole reply; ``opts`` override request fields (``max_tokens``, ``stop``...);
        ``control`` bounds it by a reply's deadline and lets it be cancelled."""
        ...

    def stream(self, messages: Messages, *, usage: dict[str, int] | None = None,
               control: CallControl | None = None, **opts: Any) -> Iterator[str]:
        """The reply as text deltas, as they are generated; token counts go into ``usage``
        when the server reports them."""
        ...


class OpenAIChat:
    """Any OpenAI-compatible chat endpoint through LangChain's ``ChatOpenAI``.

    Every request runs on one private event loop, so the whole of a reply's time with the
    model (waiting for one of ``max_in_flight`` slots, every retry, every read of a trickling
    response) is bounded by one deadline (:class:`CallControl`, default ``deadline_s``), and a
    cancelled call closes its connection. Whatever comes back becomes text or an ``LLMError``:
    ``LLMTimeout`` / ``LLMUnavailable`` (retried with backoff while the deadline allows),
    ``LLMBadReply`` for anything that is not a chat completion. ``grammar`` (GBNF, for
    llama.cpp servers) goes with every request: ``LLMSettings.grammar``.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        model: str,
        *,
        timeout_s: float = 60.0,
        max_retries: int = 2,
        temperature: float = 0.2,
        max_tokens: int = 512,
        deadline_s: float = 30.0,
        max_in_flight: int = 2,
        redact: Callable[[str], str] | None = None,
        grammar: str | None = None,
    ) -> None:
        from langchain_openai import ChatOpenAI

        self.model, self.base_url, self.api_key = model, base_url, api_key
        self.deadline_s, self.max_retries, self.timeout_s = deadline_s, max_retries, timeout_s
        self._redact = redact
        # Retries are ours (under the reply's deadline), not the client library's.
        self._llm: ChatOpenAI = ChatOpenAI(
            base_url=base_url, api_key=api_key, model=model, timeout=timeout_s,
            max_retries=0, temperature=temperature, max_tokens=max_tokens,
            extra_body={"grammar": grammar} if grammar else None,
        )
        self._loop = LoopThread("cxrag-llm")
        self._slots = self._loop.call(lambda: asyncio.Semaphore(max_in_flight))

    # -- the ChatModel protocol ------------------------------------------------------------

    def complete(self, messages: Messages, *, control: CallControl | None = None,
                 **opts: Any) -> ChatResult:
        """The whole reply with token usage and wall-clock latency."""
        control = control or CallControl(self.deadline_s)
        began = time.perf_counter()
        with tracing.tracer().start_as_current_span(
                "llm.complete", attributes={"gen_ai.request.model": self.model}) as span:
            try:
                reply = self._loop.run(
                    self._bounded(control, lambda: self._invoke(messages, opts)), control)
            except LLMError as exc:
                LLM_SECONDS.labels(exc.code).observe(time.perf_counter() - began)
                span.set_attribute("cxrag.outcome", exc.code)
                raise
            LLM_SECONDS.labels("ok").observe(time.perf_counter() - began)
            span.set_attributes({"cxrag.outcome": "ok", **_usage_attributes(reply[2])})
        _count_tokens(reply[2])
        latency_ms = (time.perf_counter() - began) * 1000
        return ChatResult(reply[0], reply[1], latency_ms, reply[2], reply[3])

    def stream(self, messages: Messages, *, usage: dict[str, int] | None = None,
               control: CallControl | None = None, **opts: Any) -> Iterator[str]:
        """Text deltas as the server sends them (empty deltas skipped); the final usage
        (``stream_options.include_usage``) goes into ``usage``. Closing the iterator early
        cancels the request."""
        control = control or CallControl(self.deadline_s)
        inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        pump = self._bounded(control, lambda: self._pump(messages, opts, inbox))
        future = self._loop.submit(pump)
        future.add_done_callback(lambda f: inbox.put(("done", f)))
        forget = control.on_cancel(future.cancel)
        began, first, outcome = time.perf_counter(), True, "cancelled"
        span = tracing.tracer().start_span("llm.stream",
                                           attributes={"gen_ai.request.model": self.model})
        try:
            while True:
                kind, value = inbox.get()
                if kind == "delta":
                    if first:
                        LLM_FIRST_TOKEN.observe(time.perf_counter() - began)
                        span.add_event("first_token")
                        first = False
                    yield value
                elif kind == "usage":
                    _count_tokens(value)
                    span.set_attributes(_usage_attributes(value))
                    if usage is not None:
                        usage.update(value)
                elif kind == "done":
                    try:
                        _outcome(value)
                    except LLMError as exc:
                        outcome = exc.code
                        raise
                    outcome = "ok"
                    return
        finally:
            LLM_SECONDS.labels(outcome).observe(time.perf_counter() - began)
            span.set_attribute("cxrag.outcome", outcome)
            span.end()
            forget()
            future.cancel()  # the consumer left early: stop generating

    def close(self) -> None:
        """Cancel every request in flight and stop the loop (idempotent)."""
        self._loop.stop()

    def health(self, timeout_s: float = 2.0) -> bool:
        """Whether the endpoint answers at all (``GET /models`` below 500)."""
        try:
            resp = httpx.get(f"{self.base_url.rstrip('/')}/models", timeout=timeout_s,
                             headers={"Authorization": f"Bearer {self.api_key}"})
        except httpx.HTTPError:
            return False
        return resp.status_code < 500

    # -- on the loop ---------------------------------------------------------------------

    async def _bounded(self, control: CallControl,
                       call: Callable[[], Awaitable[_T]]) -> _T:
        """``call`` in a model slot, retried, all within the control's deadline."""
        try:
            async with asyncio.timeout(control.remaining()):
                async with self._slots:
                    return await self._retrying(call)
        except TimeoutError as exc:
            raise LLMTimeout(f"no reply from the chat model within the {control.budget_s:g} s "
                             "deadline", deadline_s=control.budget_s) from exc

    async def _retrying(self, call: Callable[[], Awaitable[_T]]) -> _T:
        async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.max_retries + 1), reraise=True,
                wait=wait_exponential_jitter(multiplier=0.5, max=4.0),
                retry=retry_if_exception(_retryable)):
            with attempt:
                return await call()
        raise AssertionError("unreachable: tenacity reraises the last error")

    async def _invoke(self, messages: Messages, opts: dict[str, Any]
                      ) -> tuple[str, str, dict[str, int], tuple[tuple[str, float], ...]]:
        try:
            reply = await self._llm.ainvoke(self._outgoing(messages), **opts)
            text = reply.content
            if not isinstance(text, str):
                raise LLMBadReply("the chat model's reply has no text content")
            usage = {k: v for k, v in (reply.usage_metadata or {}).items()
                     if isinstance(v, int)}
            model = str(reply.response_metadata.get("model_name") or self.model)
            alternatives = _first_token_alternatives(reply.response_metadata.get("logprobs"))
        except Exception as exc:
            raise _translate(exc) from exc
        return text, model, usage, alternatives

    async def _pump(self, messages: Messages, opts: dict[str, Any],
                    inbox: queue.Queue[tuple[str, Any]]) -> None:
        """Stream into ``inbox``; retried only while nothing was sent on."""
        sent = False
        try:
            async for chunk in self._llm.astream(self._outgoing(messages), stream_usage=True,
                                                  **opts):
                if chunk.usage_metadata:
                    inbox.put(("usage", {k: v for k, v in chunk.usage_metadata.items()
                                         if isinstance(v, int)}))
                text = chunk.content
                if not isinstance(text, str):
                    raise LLMBadReply("a streamed chunk has no text content")
                if text:
                    sent = True
                    inbox.put(("delta", text))
        except Exception as exc:
            err = _translate(exc)
            raise (_NotRetried(err) if sent else err) from exc

    def _outgoing(self, messages: Messages) -> Messages:
        """What leaves the process: personal data masked when the endpoint is remote."""
        if self._redact is None:
            return messages
        redact = self._redact
        return [{**m, "content": redact(m["content"])} for m in messages]


def _first_token_alternatives(logprobs: Any) -> tuple[tuple[str, float], ...]:
    """(token, log-probability) of the first generated token's candidates, from an OpenAI
    ``logprobs`` object; () when there is none or it is malformed."""
    try:
        first = logprobs["content"][0]
        return tuple((str(t["token"]), float(t["logprob"]))
                     for t in first.get("top_logprobs") or [first])
    except (KeyError, IndexError, TypeError, ValueError):
        return ()


class _NotRetried(Exception):
    """A stream error after text was already passed on (a retry would repeat it)."""

    def __init__(self, error: LLMError) -> None:
        super().__init__(str(error))
        self.error = error


def _count_tokens(usage: dict[str, int]) -> None:
    """Add a call's token usage to the metrics."""
    for kind in ("input", "output"):
        if usage.get(f"{kind}_tokens"):
            LLM_TOKENS.labels(kind).inc(usage[f"{kind}_tokens"])


def _usage_attributes(usage: dict[str, int]) -> dict[str, int]:
    """A call's token usage as span attributes (OpenTelemetry's GenAI names)."""
    return {f"gen_ai.usage.{kind}_tokens": int(usage[f"{kind}_tokens"])
            for kind in ("input", "output") if usage.get(f"{kind}_tokens") is not None}


def _outcome(future: concurrent.futures.Future[Any]) -> Any:
    """A finished call's result, or its failure as an ``LLMError``."""
    if future.cancelled():
        raise LLMCancelled("the reply was cancelled")
    exc = future.exception()
    if exc is not None:
        raise _translate(exc) from exc
    return future.result()


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, LLMUnavailable)


class LoopThread:
    """An asyncio loop on a daemon thread: the model client's requests run there."""

    def __init__(self, name: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name=name)
        self._thread.start()

    def call(self, fn: Callable[[], _T]) -> _T:
        """``fn()`` on the loop's thread (objects bound to the loop are made there)."""
        async def wrapped() -> _T:
            return fn()
        return asyncio.run_coroutine_threadsafe(wrapped(), self._loop).result()

    def submit(self, coro: Coroutine[Any, Any, _T]) -> concurrent.futures.Future[_T]:
        """Schedule ``coro`` on the loop."""
        if self._loop.is_closed() or not self._loop.is_running():
            coro.close()
            raise LLMCancelled("the chat model client is closed")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, _T], control: CallControl) -> _T:
        """Run ``coro`` and wait for it; ``control.cancel()`` aborts it."""
        future = self.submit(coro)
        forget = control.on_cancel(future.cancel)
        try:
            concurrent.futures.wait([future])
            result: _T = _outcome(future)
            return result
        finally:
            forget()

    def stop(self) -> None:
        """Cancel what runs, then stop and close the loop."""
        if self._loop.is_closed():
            return

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(cancel_all(), self._loop).result(timeout=10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()


def _translate(exc: BaseException) -> LLMError:
    """The cxrag error for anything a model call raised: the ``openai`` errors (LangChain's
    subclasses included), mid-stream transport errors, and a reply that does not parse."""
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, _NotRetried):
        return exc.error
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return LLMTimeout(f"chat model timed out: {exc}")
    if isinstance(exc, httpx2.TransportError):
        return LLMUnavailable(f"chat model stream broke off: {exc!r}")
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailable(f"chat model unreachable: {exc}")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status == 429 or status >= 500:
            return LLMUnavailable(f"chat model busy or failing ({status}): {exc.message}",
                                  upstream_status=status)
        return LLMError(f"chat model rejected the request ({status}): {exc.message}",
                        upstream_status=status)
    # Anything else is a reply that is not a chat completion: bytes, HTML, truncated JSON,
    # no choices, a field of the wrong type (the library raises whatever its parser hits).
    return LLMBadReply(f"chat model reply unreadable: {type(exc).__name__}: {str(exc)[:200]}")


def build_chat(settings: LLMSettings, runtime: EmbeddedRuntime | None = None, *,
               redact: Callable[[str], str] | None = None) -> OpenAIChat:
    """The configured chat model; the embedded backend needs its started ``runtime``;
    ``redact`` masks what is sent (for a remote endpoint)."""
    if settings.backend == "embedded":
        if runtime is None or not runtime.running:
            raise ConfigurationError("the embedded LLM backend needs a started EmbeddedRuntime")
        base_url, api_key = runtime.base_url, runtime.api_key
    else:
        if not settings.base_url:
            raise ConfigurationError("the remote LLM backend needs llm.base_url")
        base_url = settings.base_url
        key = settings.api_key.get_secret_value() if settings.api_key else None
        api_key = key or "not-needed"  # local servers (vLLM, llama.cpp) often ask for none
    return OpenAIChat(
        base_url, api_key, settings.model, timeout_s=settings.timeout_s,
        max_retries=settings.max_retries, temperature=settings.temperature,
        max_tokens=settings.max_tokens, deadline_s=settings.reply_deadline_s,
        max_in_flight=settings.max_in_flight, redact=redact, grammar=settings.grammar,
    )
