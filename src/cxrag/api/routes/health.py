"""Liveness, readiness and metrics."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from cxrag.api.auth import metrics_reader
from cxrag.api.deps import AssistantDep, KnowledgeDep, RateLimiterDep, StoreDep
from cxrag.api.schemas import Health
from cxrag.errors import CxragError
from cxrag.metrics import CONTENT_TYPE, exposition

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(knowledge: KnowledgeDep, assistant: AssistantDep, store: StoreDep,
                 limiter: RateLimiterDep) -> Health | JSONResponse:
    """Every engine a reply depends on answers: the chat model, the embedding model, the
    default collection's vectors (Chroma) and catalogue, the history database, and the rate
    limits' storage (Redis when configured). Each is checked on its own, so one that is down
    does not hide the others; any that fails makes the replica not ready (503)."""
    checks: dict[str, str] = {}

    def llm() -> str:
        return "ok" if assistant.health()["llm"] else "not answering"

    def embedding() -> str:
        knowledge.embedder.embed_query("ready")
        return "ok"

    def chroma() -> str:
        return f"ok ({knowledge.get().index.count()} chunks)"

    def catalog() -> str:
        return "ok ({documents} documents)".format(**knowledge.get().catalog.stats())

    def database() -> str:
        return f"ok ({store.ping()})"

    probes: dict[str, Callable[[], str]] = {"llm": llm, "embedding": embedding,
                                            "chroma": chroma, "catalog": catalog,
                                            "database": database}
    for name, probe in probes.items():
        try:
            checks[name] = await run_in_threadpool(probe)
        except CxragError as exc:
            checks[name] = f"error: {exc.code}: {exc.detail}"
        except Exception as exc:  # an engine down raises its driver's own errors
            checks[name] = f"error: {type(exc).__name__}"
    checks["rate_limits"] = (f"ok ({limiter.backend})" if await limiter.healthy()
                             else f"error: {limiter.backend} not answering")
    if any(not value.startswith("ok") for value in checks.values()):
        body = Health(status="not_ready", checks=checks)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ready", checks=checks)


@router.get("/metrics", include_in_schema=False,
            dependencies=[Depends(metrics_reader)])
def metrics() -> Response:
    """Prometheus metrics of this replica (an admin key, unless ``api.metrics_public``)."""
    return Response(exposition(), media_type=CONTENT_TYPE)

