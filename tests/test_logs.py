"""Logs never carry secrets, local variables, personal data or unbounded values."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from cxrag.logs import configure_logging

FORMATS = ["console", "json"]


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger's output, restored afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield io.StringIO()
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def _crash(order: str) -> None:
    api_key = "admin-secret"  # noqa: F841 - the locals a rich traceback used to print
    headers = {"x-api-key": "admin-secret", "authorization": "Bearer admin-secret"}  # noqa: F841
    body = "z" * 300_000  # noqa: F841
    raise RuntimeError(f"lookup failed for {order}")


def _log_crash(via: str) -> None:
    try:
        _crash("TL-ES-2026-006572")
    except RuntimeError:
        if via == "stdlib":
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
        else:
            structlog.get_logger("cxrag.api").exception("request.crashed", path="/v1/chat")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("via", ["stdlib", "structlog"])
def test_a_crash_logs_a_bounded_traceback_without_locals(captured: io.StringIO, fmt: str,
                                                         via: str) -> None:
    configure_logging(fmt, stream=captured)
    _log_crash(via)
    out = captured.getvalue()
    assert "RuntimeError: lookup failed for TL-ES-2026-006572" in out
    assert "_crash" in out  # the frames are there...
    assert "admin-secret" not in out and "zzzz" not in out  # ...their locals are not
    assert len(out) < 10_000


@pytest.mark.parametrize("fmt", FORMATS)
def test_secrets_and_personal_data_are_masked(captured: io.StringIO, fmt: str) -> None:
    configure_logging(fmt, stream=captured)
    log = structlog.get_logger("cxrag.test")
    log.info("customer wrote ana@example.es, card 4111 1111 1111 1111",
             headers={"X-API-Key": "admin-secret", "Cookie": "s=admin-secret", "Accept": "*/*"},
             scope_headers=[(b"x-customer-token", b"admin-secret")], api_key="admin-secret",
             note="sent Authorization: Bearer admin-secret", usage={"prompt_tokens": 12})
    logging.getLogger("uvicorn.access").info("call me on %s", "+34 612 34 56 78")
    out = _readable(captured.getvalue(), fmt)
    assert "admin-secret" not in out
    assert "ana@example.es" not in out and "4111 1111" not in out and "612 34" not in out
    assert "[email]" in out and "[card ••••1111]" in out and "[phone]" in out
    assert "*/*" in out and "12" in out  # what is not secret stays


def _readable(out: str, fmt: str) -> str:
    """JSON lines with their non-ASCII characters unescaped (the card's dots)."""
    if fmt == "console":
        return out
    return "\n".join(json.dumps(json.loads(line), ensure_ascii=False) for line in out.splitlines())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_value_is_bounded(captured: io.StringIO, fmt: str) -> None:
    configure_logging(fmt, stream=captured)
    structlog.get_logger("cxrag.test").info("big", body="y" * 300_000,
                                            nested={"items": ["w" * 5_000] * 1_000})
    out = captured.getvalue()
    assert len(out) < 10_000 and "more characters" in out


def test_json_lines_stay_json(captured: io.StringIO) -> None:
    configure_logging("json", stream=captured)
    _log_crash("structlog")
    record = json.loads(captured.getvalue())
    assert record["event"] == "request.crashed" and record["path"] == "/v1/chat"
    assert record["exception"].startswith("Traceback")
