"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from cxrag.api.deps import AssistantDep, KnowledgeDep
from cxrag.api.schemas import Health
from cxrag.errors import CxragError

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(knowledge: KnowledgeDep, assistant: AssistantDep) -> Health | JSONResponse:
    """The embedding model, the default collection's stores and the chat model answer."""
    checks: dict[str, str] = {}
    try:
        checks["llm"] = "ok" if assistant.health()["llm"] else "not answering"
        knowledge.embedder.embed_query("ready")
        checks["embedding"] = "ok"
        base = knowledge.get()
        checks["chroma"] = f"ok ({base.index.count()} chunks)"
        checks["catalog"] = "ok ({documents} documents)".format(**base.catalog.stats())
    except CxragError as exc:
        checks["error"] = f"{exc.code}: {exc.detail}"
    if "error" in checks or checks.get("llm") != "ok":
        body = Health(status="not_ready", checks=checks)
        return JSONResponse(body.model_dump(), status_code=503)
    return Health(status="ready", checks=checks)
