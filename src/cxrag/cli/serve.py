"""``cxrag serve``: the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from cxrag.cli.common import load_settings


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from cxrag.api.app import create_app

    settings = load_settings()
    # On SIGTERM, requests still running after a few seconds are cancelled (their model calls
    # with them) instead of computing answers nobody will read.
    uvicorn.run(create_app(settings), host=host or settings.api.host,
                port=port or settings.api.port, log_config=None, timeout_graceful_shutdown=5,
                limit_concurrency=settings.api.max_connections)
