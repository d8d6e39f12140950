"""The FastAPI application factory and the one error handler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

import structlog
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from cxrag import __version__, tracing
from cxrag.api.auth import PROBLEM, WidgetOrigins, new_demo_key
from cxrag.api.observe import REQUEST_ID, RequestMetrics, new_request_id
from cxrag.api.routes import agents, health, ingest, privacy, search, widget
from cxrag.api.routes import chat as chat_routes
from cxrag.api.routes import insights as insights_routes
from cxrag.api.routes import triage as triage_routes
from cxrag.api.schemas import problems
from cxrag.api.throttle import Bounds, RateLimiter, ReplySlots, problem_response
from cxrag.errors import CxragError, InvalidRequest
from cxrag.generate.client import ChatModel
from cxrag.jobs.service import IngestJobs
from cxrag.knowledge import Knowledge
from cxrag.metrics import ERRORS
from cxrag.reply.assistant import Assistant
from cxrag.settings import Settings

log = structlog.get_logger(__name__)


def problem(exc: CxragError, request: Request) -> JSONResponse:
    """Render any CxragError as RFC 9457 problem+json (with its Retry-After, if any)."""
    return problem_response(exc, request.url.path)


def create_app(settings: Settings | None = None, knowledge: Knowledge | None = None,
               chat: ChatModel | None = None) -> FastAPI:
    """Build the app; dependencies are created once in the lifespan (``chat`` replaces the
    configured chat model, e.g. a fake one in tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings or Settings()
        stop_tracing = tracing.setup(app.state.settings.otel)
        app.state.rate_limiter = RateLimiter(app.state.settings)
        app.state.reply_slots = ReplySlots(app.state.settings.api.chat_concurrency)
        app.state.knowledge = knowledge or Knowledge(app.state.settings)
        app.state.assistant = Assistant(app.state.settings, app.state.knowledge, chat)
        app.state.jobs = IngestJobs.build(app.state.knowledge, app.state.assistant.store.engine)
        app.state.demo_key = new_demo_key(app.state.settings)
        if app.state.demo_key:
            log.info("widget.demo", page="/", key=app.state.demo_key,
                     note="the demo page's key works only over loopback (api.demo)")
        yield
        app.state.jobs.close()
        app.state.assistant.close()
        app.state.knowledge.close()
        stop_tracing()

    app = FastAPI(title="cxrag", version=__version__, lifespan=lifespan,
                  description="Offline, multilingual customer-experience assistant API.")

    @app.exception_handler(CxragError)
    async def _cxrag_error(request: Request, exc: CxragError) -> JSONResponse:
        if exc.status >= 500:
            log.error("request.failed", code=exc.code, detail=exc.detail)
        return problem(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(part)[:64] for part in e["loc"]][:8], "msg": e["msg"][:200]}
                  for e in exc.errors()[:20]]
        return problem(InvalidRequest("the request is not valid", errors=errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI's own 4xx (a body that does not parse, an unknown route, a wrong method).
        error = (InvalidRequest if exc.status_code < 500 else CxragError)(str(exc.detail))
        ERRORS.labels(error.code, str(exc.status_code)).inc()
        body = {**error.to_problem(request.url.path), "status": exc.status_code,
                "title": HTTPStatus(exc.status_code).phrase}
        return JSONResponse(body, status_code=exc.status_code, media_type=PROBLEM,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # One compact line: the error and where, never the request or its headers.
        log.error("request.crashed", path=request.url.path, error=type(exc).__name__,
                  detail=str(exc)[:300])
        return problem(CxragError("an unexpected error occurred"), request)

    app.include_router(health.router)
    # Every /v1/ endpoint may answer these (a body that does not parse, the key, the body
    # limit, validation, the rates), and 404 where it names something that may not exist.
    refusals, missing = problems(400, 401, 403, 413, 422, 429), problems(404)
    for router, names in ((search.router, True), (ingest.router, False),
                          (chat_routes.router, True), (agents.router, True),
                          (widget.router, True), (triage_routes.router, True),
                          (privacy.router, True), (insights_routes.router, False)):
        app.include_router(router, responses={**refusals, **(missing if names else {})})
    app.add_middleware(WidgetOrigins, paths=widget.CORS_PATHS)
    app.add_middleware(Bounds)  # the address's rate and the body limit first
    app.add_middleware(RequestMetrics)  # refusals count too
    app.add_middleware(CorrelationIdMiddleware, header_name=REQUEST_ID,
                       generator=new_request_id)  # outermost: every log line has the id
    return app
