"""Uploads through ``POST /v1/ingest`` followed to the end of their job."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

TERMINAL = ("done", "failed")


def finished(get: Callable[..., Any], location: str, headers: Mapping[str, str],
             timeout: float = 120.0) -> dict[str, Any]:
    """Poll ``GET location`` until the job is done or failed; its last view. The pauses grow
    to a second, as a client's should: a real server's per-address rate limit (120 a minute
    by default) counts every poll."""
    deadline, pause = time.monotonic() + timeout, 0.05
    while True:
        resp = get(location, headers=headers)
        assert resp.status_code == 200, resp.text
        job: dict[str, Any] = resp.json()
        if job["status"] in TERMINAL:
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout} s: {job}"
        time.sleep(pause)
        pause = min(2 * pause, 1.0)


def upload(client: Any, files: Any, headers: Mapping[str, str], timeout: float = 120.0,
           **post: Any) -> dict[str, Any]:
    """Upload ``files`` (TestClient or httpx style), expect 202, wait for the job's end."""
    resp = client.post("/v1/ingest", files=files, headers=headers, **post)
    assert resp.status_code == 202, resp.text
    assert resp.headers["Location"] == f"/v1/jobs/{resp.json()['id']}"
    return finished(client.get, resp.headers["Location"], headers, timeout)
