"""Chat models behind one Protocol; ``build_chat`` picks the embedded server or a remote API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx2
import openai

from cxrag.errors import ConfigurationError, LLMError, LLMTimeout, LLMUnavailable
from cxrag.settings import LLMSettings

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from cxrag.generate.runtime import EmbeddedRuntime

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


@runtime_checkable
class ChatModel(Protocol):
    """Generates assistant replies to a conversation."""

    def complete(self, messages: Messages, **opts: Any) -> ChatResult:
        """The whole reply; ``opts`` override request fields (``max_tokens``, ``stop``...)."""
        ...

    def stream(self, messages: Messages, *, usage: dict[str, int] | None = None,
               **opts: Any) -> Iterator[str]:
        """The reply as text deltas, as they are generated; token counts go into ``usage``
        when the server reports them."""
        ...


class OpenAIChat:
    """Any OpenAI-compatible chat endpoint through LangChain's ``ChatOpenAI``; the library's
    errors become ``LLMTimeout`` / ``LLMUnavailable`` / ``LLMError``."""

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
    ) -> None:
        from langchain_openai import ChatOpenAI

        self.model = model
        self._llm: ChatOpenAI = ChatOpenAI(
            base_url=base_url, api_key=api_key, model=model, timeout=timeout_s,
            max_retries=max_retries, temperature=temperature, max_tokens=max_tokens,
        )

    def complete(self, messages: Messages, **opts: Any) -> ChatResult:
        """The whole reply with token usage and wall-clock latency."""
        began = time.perf_counter()
        try:
            reply = self._llm.invoke(messages, **opts)
        except openai.OpenAIError as exc:
            raise _translate(exc) from exc
        latency_ms = (time.perf_counter() - began) * 1000
        usage = {k: v for k, v in (reply.usage_metadata or {}).items() if isinstance(v, int)}
        model = str(reply.response_metadata.get("model_name") or self.model)
        return ChatResult(reply.text, model, latency_ms, usage)

    def stream(self, messages: Messages, *, usage: dict[str, int] | None = None,
               **opts: Any) -> Iterator[str]:
        """Text deltas as the server sends them (empty deltas skipped); the final usage
        (``stream_options.include_usage``) goes into ``usage``."""
        try:
            for chunk in self._llm.stream(messages, stream_usage=True, **opts):
                if chunk.usage_metadata and usage is not None:
                    usage.update({k: v for k, v in chunk.usage_metadata.items()
                                  if isinstance(v, int)})
                if text := chunk.text:
                    yield text
        # openai 3 does not wrap transport errors raised after the response began (httpx2's).
        except (openai.OpenAIError, httpx2.TransportError) as exc:
            raise _translate(exc) from exc


def _translate(exc: openai.OpenAIError | httpx2.TransportError) -> LLMError:
    """The cxrag error for an ``openai`` error (LangChain's subclasses included) or a
    mid-stream transport error."""
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
    return LLMError(f"chat model failed: {exc}")


def build_chat(settings: LLMSettings, runtime: EmbeddedRuntime | None = None) -> ChatModel:
    """The configured chat model; the embedded backend needs its started ``runtime``."""
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
        max_tokens=settings.max_tokens,
    )
