"""``cxrag serve``: the HTTP API; ``cxrag model-server``: the embedded model for replicas."""

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


def model_server(
    host: Annotated[str | None, typer.Option(help="Bind address (CXRAG_LLM__HOST).")] = None,
    port: Annotated[int, typer.Option(help="Port.")] = 8081,
    parallel: Annotated[int, typer.Option(help="Requests decoded together.")] = 4,
) -> None:
    """Serve the embedded chat model over HTTP (OpenAI-compatible, llama.cpp's server) for API
    replicas that point CXRAG_LLM__BACKEND=remote and CXRAG_LLM__BASE_URL at it; clients must
    send CXRAG_LLM__API_KEY as their bearer token."""
    import signal
    import threading

    from cxrag.generate.runtime import EmbeddedRuntime

    settings = load_settings()
    key = settings.llm.api_key.get_secret_value() if settings.llm.api_key else None
    if not key:
        typer.echo("Set CXRAG_LLM__API_KEY: the key replicas send (the server refuses others).",
                   err=True)
        raise typer.Exit(2)
    llm = settings.llm.model_copy(update={"host": host or settings.llm.host, "port": port})
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with EmbeddedRuntime(llm, n_parallel=parallel, api_key=key) as runtime:
        typer.echo(f"serving {llm.model} at {runtime.base_url}")
        stop.wait()
