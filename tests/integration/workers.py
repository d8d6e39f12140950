"""``cxrag worker`` processes for the integration tests."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.widget.servers import BIN, service_env


@contextmanager
def worker(data_dir: Path, log: Path, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``cxrag worker`` (output in ``log``); stopped with SIGINT, as Ctrl+C, unless
    the test killed it."""
    with log.open("wb") as out:
        proc = subprocess.Popen([str(BIN / "cxrag"), "worker"], stdout=out,
                                stderr=subprocess.STDOUT, env=service_env(data_dir, **env))
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
