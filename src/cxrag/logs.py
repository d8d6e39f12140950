"""Structured logging (structlog): console for people, JSON for machines.

Every record, ours and the libraries' (uvicorn included), goes through one pipeline that keeps
personal data and secrets out of the logs: tracebacks are plain text without local variables
(a 500 once logged the request, headers and admin key included, from a frame's locals), values
of secret-like keys are dropped, personal data is masked and every value is bounded.
"""

from __future__ import annotations

import logging
import re
from typing import Any, TextIO

import structlog
from asgi_correlation_id import correlation_id
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from cxrag.privacy import redact

REDACTED = "[redacted]"
MAX_VALUE = 2_000
MAX_EXCEPTION = 8_000
MAX_LINE = 500
MAX_LINES = 200
MAX_ITEMS = 50
MAX_DEPTH = 6
SECRET_WORDS = ("authorization", "api_key", "apikey", "cookie", "secret", "token", "password")
# "x-api-key: abc", "'authorization': 'Bearer abc'", "(b'cookie', b'abc')" inside any text.
_SECRET_TEXT = re.compile(
    r"(?i)((?:authorization|x-api-key|api[_-]?key|x-customer-token|cookie|password|secret"
    r"|token)['\"]?\s*(?:[:=]|,\s*b?['\"])\s*)(?:(?:bearer|basic)\s+)?[^\s'\",;}&)]+")


def configure_logging(fmt: str = "console", level: str = "INFO",
                      stream: TextIO | None = None) -> None:
    """Route stdlib and structlog records through one scrubbing renderer (stderr by default)."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        request_id,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=[
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        # Tracebacks become plain text here (traceback.format_exception: no locals), so the
        # scrubber below sees and bounds them like any other value.
        structlog.processors.format_exc_info, scrub, _renderer(fmt, handler.stream)]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # `cxrag serve` runs uvicorn with log_config=None: its loggers must reach the root handler.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # Parsers log per-file chatter (pdfminer "EOF marker not found", unstructured notices).
    for noisy in ("pdfminer", "unstructured", "chromadb", "httpx", "httpx2", "onnxruntime",
                  "alembic"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


def request_id(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """The id of the HTTP request being answered (``X-Request-ID``), on every record logged
    while it is (route code, the thread pool, libraries), and the trace and span ids when
    tracing is on."""
    current = correlation_id.get()
    if current is not None:
        event_dict.setdefault("request_id", current)
    span = trace.get_current_span().get_span_context()
    if span.is_valid:  # tracing is on: the line joins its trace in the collector's UI
        event_dict.setdefault("trace_id", format(span.trace_id, "032x"))
        event_dict.setdefault("span_id", format(span.span_id, "016x"))
    return event_dict


def _renderer(fmt: str, stream: TextIO) -> Processor:
    if fmt == "json":
        return structlog.processors.JSONRenderer()
    # plain_traceback: the default rich formatter prints every frame's local variables.
    return structlog.dev.ConsoleRenderer(colors=stream.isatty(),
                                         exception_formatter=structlog.dev.plain_traceback)


def scrub(_logger: WrappedLogger, _name: str, event_dict: EventDict) -> EventDict:
    """Drop secrets, mask personal data and bound the size of every value of a log record."""
    return {key: _bounded(_clean_item(key, value, 0)) for key, value in event_dict.items()}


def _bounded(value: Any) -> Any:
    """A collection whose cleaned items together run long, as its cut text."""
    if isinstance(value, dict | list):
        text = repr(value)
        return value if len(text) <= MAX_VALUE else _cut(text, len(text), MAX_VALUE)
    return value


def _clean_item(key: Any, value: Any, depth: int) -> Any:
    if isinstance(key, str | bytes) and is_secret_key(key):
        return REDACTED
    if key == "exception" and isinstance(value, str):
        return _exception_text(value)
    return _clean(value, depth)


def is_secret_key(key: str | bytes) -> bool:
    """Whether a key names a secret (a header like X-API-Key, Authorization, Cookie...)."""
    name = (key.decode("latin-1") if isinstance(key, bytes) else key).lower().replace("-", "_")
    return any(name == word or name.endswith("_" + word) for word in SECRET_WORDS)


def _clean(value: Any, depth: int) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if depth < MAX_DEPTH and isinstance(value, dict):
        return {k: _clean_item(k, v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}
    if depth < MAX_DEPTH and isinstance(value, list | tuple | set):
        return _clean_items(list(value)[:MAX_ITEMS], depth + 1)
    return _text(value if isinstance(value, str) else repr(value), MAX_VALUE)


def _clean_items(items: list[Any], depth: int) -> list[Any]:
    # A header pair (name, value), as ASGI scopes and httpx hold them.
    if len(items) == 2 and isinstance(items[0], str | bytes) and is_secret_key(items[0]):
        return [_clean(items[0], depth), REDACTED]
    return [_clean(item, depth) for item in items]


def _text(text: str, limit: int) -> str:
    """``text`` without secrets or personal data, cut to ``limit`` characters."""
    # Masking a slightly longer head keeps a card number cut at the limit from half-showing.
    clean = redact(_SECRET_TEXT.sub(r"\1" + REDACTED, text[:limit + 64]))
    return clean if len(text) <= limit else _cut(clean, len(text), limit)


def _cut(text: str, length: int, limit: int) -> str:
    return f"{text[:limit]}… [{length - limit} more characters]"


def _exception_text(text: str) -> str:
    """A traceback bounded in lines and in size, keeping its end (where the error is)."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        lines = [*lines[:20], f"… [{len(lines) - MAX_LINES} lines] …", *lines[20 - MAX_LINES:]]
    joined = "\n".join(_text(line, MAX_LINE) for line in lines)
    if len(joined) <= MAX_EXCEPTION:
        return joined
    return f"{joined[:MAX_EXCEPTION // 4]}\n…\n{joined[-MAX_EXCEPTION * 3 // 4:]}"
