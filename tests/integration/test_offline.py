"""Ingest and search open no connection beyond loopback.

Two guards: a Python-level socket guard in-process, and an OS-level one that runs the CLI in
a fresh network namespace with only loopback (catches native threads, e.g. onnxruntime's
telemetry, that a Python guard cannot see).
"""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cxrag.knowledge import Knowledge
from cxrag.settings import Settings

pytestmark = pytest.mark.slow


def _is_loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else str(address)
    return host in ("localhost", "::1") or str(host).startswith("127.") or "/" in str(host)


def test_ingest_and_search_make_no_outside_connection(tmp_path: Path, sample_kb: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            attempts.append(address)
            raise OSError(f"blocked non-loopback connection to {address}")
        return real_connect(self, address)

    def no_dns(*args: Any, **kwargs: Any) -> Any:
        if args and not _is_loopback((args[0],)):
            attempts.append(args[0])
            raise OSError(f"blocked DNS lookup of {args[0]}")
        return real_getaddrinfo(*args, **kwargs)

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    knowledge = Knowledge(Settings(data_dir=tmp_path / "d", _env_file=None))  # type: ignore[call-arg]
    report = knowledge.get().ingestor.run([sample_kb])
    assert report.ok, report.failures
    assert knowledge.get().retriever.search("garantía Luma", k=3).hits
    knowledge.close()
    assert attempts == []


def _netns_available() -> bool:
    if not shutil.which("unshare") or not shutil.which("ip"):
        return False
    probe = subprocess.run(["unshare", "-n", "ip", "link", "set", "lo", "up"],
                           capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _netns_available(), reason="needs unshare -n (root) and iproute2")
def test_cli_runs_in_a_network_namespace_with_only_loopback(tmp_path: Path,
                                                            sample_kb: Path) -> None:
    cxrag = Path(sys.executable).parent / "cxrag"
    env = {**os.environ, "CXRAG_DATA_DIR": str(tmp_path / "d"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}  # a cold cache: nothing pre-fetched
    script = (f"ip link set lo up && {cxrag} ingest {sample_kb} --json && "
              f"{cxrag} search 'night vision' --json")
    proc = subprocess.run(["unshare", "-n", "sh", "-c", script], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert '"added": 5' in proc.stdout and "en/night-vision" in proc.stdout
