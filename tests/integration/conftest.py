"""Fixtures that start real servers on loopback."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range. A port the OS handed out as
    ephemeral, once released, can be handed out again to any bind on port 0 before the
    server it was meant for binds it: ``cxrag serve`` starts the embedded model's runtime on
    port 0 before uvicorn binds its own port, and once took the very port the test had
    picked ("address already in use"). Ports below the range are never given out that way."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for port in random.sample(range(max(1024, low - 12000), low), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:  # nothing free below the range: any port, as before
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` on a free loopback port."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    env = {**os.environ, "RUST_LOG": "warn", "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(10)
