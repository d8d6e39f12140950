"""Real processes for the browser tests: ``cxrag ingest`` and ``cxrag serve`` over the test
help centre, the fake OpenAI-compatible model, and a host page on another origin."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from tests.integration.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST_KEY, AGENT_KEY, TOKEN_SECRET = "host-page-key", "agent-key", "token-secret"


def service_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a test service: its own data and keys, nothing from the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXRAG_")}
    env.update({"CXRAG_DATA_DIR": str(data_dir), "CXRAG_PROMPTS__DIR": str(ROOT / "prompts"),
                "CXRAG_API__AGENT_KEYS": json.dumps([AGENT_KEY]),
                "CXRAG_API__WIDGET_KEYS": json.dumps([HOST_KEY]),
                "CXRAG_API__CUSTOMER_TOKEN_SECRETS": json.dumps({"default": TOKEN_SECRET}),
                "CXRAG_LOG_LEVEL": "WARNING", **extra})
    return env


def ingest(data_dir: Path, folder: Path) -> None:
    """``cxrag ingest`` as an operator runs it, with screening off: the test help centre holds
    a markup-laden article on purpose (the widget must show it as text even if one gets in)."""
    done = subprocess.run([str(BIN / "cxrag"), "ingest", str(folder), "--json"],
                          env=service_env(data_dir, CXRAG_INGEST__SCREEN="false"),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@contextmanager
def process(args: list[str], log: Path, env: dict[str, str] | None = None,
            ready_url: str | None = None, timeout_s: float = 120) -> Iterator[None]:
    """A background process (output in ``log``), ready when ``ready_url`` answers 200."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            if ready_url:
                _wait(ready_url, proc, log, timeout_s)
            yield
        finally:
            proc.send_signal(signal.SIGINT)  # as Ctrl+C: uvicorn shuts down cleanly
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{url}: process exited\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=5, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{url} not ready after {timeout_s} s\n{log.read_text()[-3000:]}")


def fake_model(folder: Path,
               token_delay_s: float) -> tuple[str, AbstractContextManager[None]]:
    """The fake model's base URL and its process (streams a word every ``token_delay_s``)."""
    port = free_port()
    cmd = [sys.executable, str(ROOT / "benchmarks" / "fake_openai.py"), str(port),
           str(token_delay_s)]
    return (f"http://127.0.0.1:{port}/v1",
            process(cmd, folder / "fake-model.log", ready_url=f"http://127.0.0.1:{port}/"))


def serve(data_dir: Path, log: Path, timeout_s: float = 180,
          **env: str) -> tuple[str, AbstractContextManager[None]]:
    """A real ``cxrag serve`` on a free loopback port, ready when /readyz says so."""
    port = free_port()
    cmd = [str(BIN / "cxrag"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    return url, process(cmd, log, service_env(data_dir, **env), f"{url}/readyz", timeout_s)


@contextmanager
def static_site(folder: Path) -> Iterator[int]:
    """``folder`` served over HTTP on a free loopback port (the host page's own server)."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet,
                                                                   directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
