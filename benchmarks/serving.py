"""Start and stop a real ``cxrag serve`` over a data directory with knowledge/ ingested.

Shared by the serving benchmarks: each runs the service as its own process, exactly as an
operator does, and talks to it over HTTP.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CXRAG = Path(sys.executable).parent / "cxrag"
WIDGET_KEY = "bench-widget-key"
TOKEN_SECRET = "bench-token-secret"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a benchmark service: its own data dir, keys, quiet logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CXRAG_")}
    env.update({
        "CXRAG_DATA_DIR": str(data_dir),
        "CXRAG_PROMPTS__DIR": str(ROOT / "prompts"),
        "CXRAG_API__WIDGET_KEYS": f'["{WIDGET_KEY}"]',
        "CXRAG_API__CUSTOMER_TOKEN_SECRETS": f'{{"default": "{TOKEN_SECRET}"}}',
        "CXRAG_LOG_LEVEL": "WARNING",
        **extra,
    })
    return env


def prepare_data(data_dir: Path) -> None:
    """Ingest knowledge/ (incremental: fast when done) and start a new history store with the
    sample customers, so every run begins from the same state."""
    env = service_env(data_dir)
    knowledge = ROOT / "knowledge"
    done = subprocess.run([str(CXRAG), "ingest", str(knowledge / "articles"),
                           str(knowledge / "tickets"), "--json"], env=env,
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"ingest failed:\n{done.stderr[-2000:]}")
    for old in data_dir.glob("cxrag.sqlite*"):
        old.unlink()
    subprocess.run([str(CXRAG), "import-customers",
                    str(knowledge / "customers" / "customers.json")],
                   env=env, check=True, capture_output=True)


@contextmanager
def serve(data_dir: Path, port: int, ready_timeout_s: float = 180.0,
          **extra_env: str) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    """A running ``cxrag serve`` and the seconds it took to become ready."""
    began = time.perf_counter()
    proc = subprocess.Popen([str(CXRAG), "serve", "--port", str(port)],
                            env=service_env(data_dir, **extra_env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        ready = wait_ready(f"http://127.0.0.1:{port}/readyz", proc, ready_timeout_s)
        yield proc, ready - began
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> float:
    """Poll ``url`` until it answers 200; the time it did."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode()[-3000:] if proc.stderr else ""
            raise SystemExit(f"cxrag serve exited with {proc.returncode}:\n{err}")
        try:
            if httpx.get(url, timeout=5, trust_env=False).status_code == 200:
                return time.perf_counter()
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"{url} not ready after {timeout_s} s")


def memory_kb(pid: int) -> dict[str, int]:
    """Resident memory of a process now (VmRSS) and at its peak (VmHWM), in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
