"""The embeddable assistant: ``widget.js``, the demo help page, and the widget's endpoints.

One ``<script src=".../widget.js" data-key="...">`` on any page adds the assistant. Besides
``POST /v1/chat`` it uses three endpoints, open to a widget key (or above) for the caller's own
conversations only; the caller says who they are with headers, as the chat body does:
``X-Visitor-Id`` (anonymous), or ``X-Customer-Id`` with ``X-Customer-Token`` (signed by the host
page; agent and admin keys name any customer without a token).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path as FilePath
from string import Template
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cxrag.api.auth import Role, WidgetOrAbove, loopback_request, verify_customer
from cxrag.api.deps import ChatDep, DemoKeyDep, KnowledgeDep, RateLimiterDep, SettingsDep
from cxrag.errors import InvalidRequest, NotFound
from cxrag.index.catalog import StoredChunk
from cxrag.knowledge import Knowledge
from cxrag.reply.chat import customer_view
from cxrag.settings import Settings

router = APIRouter()
STATIC = FilePath(__file__).resolve().parents[1] / "static"
# The endpoints a page on another origin may call (see auth.WidgetOrigins).
CORS_PATHS = re.compile(r"^/v1/(chat|handoffs|conversations/[^/]+(/messages/[^/]+/feedback)?)$")
ASSET = re.compile(r"^[a-z0-9-]+\.(css|svg|js)$")
DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,199}$")
MEDIA = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
         "svg": "image/svg+xml", "html": "text/html; charset=utf-8"}
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
Channel = Literal["web", "email", "whatsapp", "phone", "agent"]
_PROBLEM: dict[str, object] = {"content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, object]] = {
    401: {"description": "missing or unknown key, or a customer token that does not match",
          **_PROBLEM},
    403: {"description": "a page's origin not listed for the key, or someone else's "
                         "conversation (`conversation_forbidden`)", **_PROBLEM},
    404: {"description": "no such conversation (or reply)", **_PROBLEM},
}


# -- who is calling ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """The owner a caller proved to be: a signed customer, or an anonymous visitor."""

    customer_id: str | None = None
    visitor_id: str | None = None


async def owner(role: WidgetOrAbove, settings: SettingsDep, limiter: RateLimiterDep,
          x_visitor_id: Annotated[str | None, Header(max_length=64, description=(
              "anonymous visitor id the widget made (random, kept in the browser)"))] = None,
          x_customer_id: Annotated[str | None, Header(max_length=64)] = None,
          x_customer_token: Annotated[str | None, Header(max_length=128, description=(
              "with a widget key: hex HMAC-SHA256 of the customer id"))] = None) -> Owner:
    """The caller's identity, verified as for ``POST /v1/chat`` (and within its rate)."""
    if x_customer_id:
        if role == Role.widget:
            verify_customer(settings, settings.tenant, x_customer_id, x_customer_token)
        await limiter.hit("customer", f"{settings.tenant}/{x_customer_id}")
        return Owner(customer_id=x_customer_id)
    if x_visitor_id:
        await limiter.hit("visitor", f"{settings.tenant}/{x_visitor_id}")
        return Owner(visitor_id=x_visitor_id)
    raise InvalidRequest("send X-Customer-Id (with X-Customer-Token) or an anonymous "
                         "X-Visitor-Id header")


OwnerDep = Annotated[Owner, Depends(owner)]
ConversationId = Annotated[str, Path(max_length=64)]


# -- the widget's endpoints --------------------------------------------------------------------


class CitationOut(BaseModel):
    document_id: str
    title: str
    source: str
    quote: str
    number: int | None = Field(None, description="the [n] mark in the answer")


class HandoffOut(BaseModel):
    reason: str = Field(..., examples=["requested"])
    queue: str = Field(..., examples=["support-es"])
    summary: str | None = Field(None, description="for agent and admin keys only")
    priority: str | None = Field(None, examples=["high"],
                                 description="for agent and admin keys only")


class MessageOut(BaseModel):
    """One turn: ``user``, ``assistant`` (rate it by ``id``), ``agent`` or ``system`` (a
    handoff)."""

    id: int
    role: str
    text: str
    at: str
    citations: list[CitationOut] = []
    grounded: bool | None = None
    handoff: HandoffOut | None = None
    language: str | None = None


class ConversationOut(BaseModel):
    """A conversation and its latest turns, oldest first."""

    conversation_id: str
    status: str = Field(..., description="open, or handoff (waiting for a person)")
    channel: str
    started_at: str
    updated_at: str
    messages: list[MessageOut]


class ThumbIn(BaseModel):
    """A customer's verdict on one reply."""

    rating: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)


class FeedbackOut(BaseModel):
    feedback_id: int
    conversation_id: str
    message_id: int
    rating: Literal["up", "down"]
    comment: str | None


class HandoffIn(BaseModel):
    """A request to talk to a person."""

    conversation_id: str | None = Field(
        None, max_length=64, description="default: the caller's open conversation, or a new one")
    channel: Channel = "web"
    locale: str | None = Field(None, max_length=16, examples=["es-ES"])


class HandoffCreated(HandoffOut):
    conversation_id: str
    message_id: int = Field(..., description="the system turn that records the handoff")
    status: Literal["handoff"]


@router.get("/v1/conversations/{conversation_id}", tags=["widget"],
            response_model=ConversationOut, responses=PROBLEMS)
async def get_conversation(conversation_id: ConversationId, who: OwnerDep, settings: SettingsDep,
                           chat: ChatDep) -> ConversationOut:
    """The conversation so far, so the widget can show it again after a page reload.

    Only its owner may read it: the visitor who started it, or the signed customer it belongs
    to (403 `conversation_forbidden` for anyone else, 404 when it does not exist).
    """
    body = await run_in_threadpool(lambda: chat.conversation(
        settings.tenant, conversation_id, customer_id=who.customer_id,
        visitor_id=who.visitor_id))
    return ConversationOut.model_validate(body)


@router.put("/v1/conversations/{conversation_id}/messages/{message_id}/feedback",
            tags=["widget"], response_model=FeedbackOut, responses=PROBLEMS)
async def rate_reply(conversation_id: ConversationId,
                     message_id: Annotated[int, Path(ge=1, le=2**63 - 1)], body: ThumbIn,
                     who: OwnerDep, settings: SettingsDep, chat: ChatDep) -> FeedbackOut:
    """Thumbs up or down on one of the assistant's replies, with an optional comment.

    Stored as feedback on that message (up as rating 5, down as 1, so CSAT counts it) and
    listed by `GET /v1/feedback/export`. Sending it again replaces the earlier verdict.
    """
    result = await run_in_threadpool(lambda: chat.rate(
        settings.tenant, conversation_id, message_id, customer_id=who.customer_id,
        visitor_id=who.visitor_id, thumb=body.rating, comment=body.comment))
    return FeedbackOut.model_validate(result)


@router.post("/v1/handoffs", tags=["widget"], status_code=201, response_model=HandoffCreated,
             responses=PROBLEMS)
async def create_handoff(body: HandoffIn, who: OwnerDep, settings: SettingsDep,
                         role: WidgetOrAbove, chat: ChatDep) -> HandoffCreated:
    """Talk to a person: hand the conversation over, at any time, even before a question.

    The conversation is marked `handoff` and the request recorded in it, with a summary of the
    conversation and of what is known about the customer (their orders, tickets), so nobody
    asks them to repeat themselves. Gold and VIP customers go to the `vip` queue, everyone
    else to `support-<language>`.
    """
    result = await run_in_threadpool(lambda: chat.hand_off(
        settings.tenant, body.conversation_id, customer_id=who.customer_id,
        visitor_id=who.visitor_id, channel=body.channel, locale=body.locale))
    return HandoffCreated.model_validate(customer_view(result) if role == Role.widget
                                         else result)


# -- the script and the demo pages -------------------------------------------------------------


@functools.cache
def _asset(name: str) -> tuple[bytes, bytes, str]:
    """A static file, gzipped, and its ETag (read once per process)."""
    data = (STATIC / name).read_bytes()
    return data, gzip.compress(data, 9, mtime=0), hashlib.sha256(data).hexdigest()[:24]


def _cached(request: Request, name: str, cache_control: str) -> Response:
    """A static file with an ETag (304 when the browser has it), gzipped when accepted."""
    data, packed, digest = _asset(name)
    zipped = "gzip" in request.headers.get("accept-encoding", "")
    etag = f'"{digest}{"-gz" if zipped else ""}"'
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding",
               "X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*",
               "Cross-Origin-Resource-Policy": "cross-origin"}
    seen = {t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "")
            .split(",")}
    if etag in seen:
        return Response(status_code=304, headers=headers)
    if zipped:
        headers["Content-Encoding"] = "gzip"
    return Response(packed if zipped else data, headers=headers,
                    media_type=MEDIA[name.rsplit(".", 1)[1]])


@router.api_route("/widget.js", methods=["GET", "HEAD"], include_in_schema=False)
def widget_js(request: Request) -> Response:
    """The widget: one script, no dependencies (cached 5 minutes, then revalidated)."""
    return _cached(request, "widget.js", "public, max-age=300, stale-while-revalidate=86400")


@router.api_route("/assets/{name}", methods=["GET", "HEAD"], include_in_schema=False)
def asset(name: str, request: Request) -> Response:
    """The demo page's stylesheet and images."""
    if not ASSET.match(name) or not (STATIC / name).is_file():
        raise NotFound(f"no asset {name!r}")
    return _cached(request, name, "public, max-age=3600")


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
def demo_page(request: Request, settings: SettingsDep, demo_key: DemoKeyDep) -> Response:
    """Tiendalia's help centre with the assistant on it (``api.demo``)."""
    language = _page_language(request)
    main = Template(_template("home.html")).safe_substitute(lang=language)
    return _page(request, settings, demo_key, language, "Tiendalia", main)


@router.get("/help/{doc_id:path}", include_in_schema=False)
async def help_article(doc_id: str, request: Request, settings: SettingsDep,
                       knowledge: KnowledgeDep, demo_key: DemoKeyDep) -> Response:
    """One help-centre article of the default collection, as text: where citations lead."""
    if not settings.api.demo or not DOC_ID.match(doc_id) or ".." in doc_id:
        raise NotFound(f"no article {doc_id!r}")
    chunks = await run_in_threadpool(_article_chunks, knowledge, doc_id)
    if not chunks or chunks[0].doc_type != "article":
        raise NotFound(f"no article {doc_id!r}")
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in _article_lines(chunks))
    main = (f'<article class="article" lang="{html.escape(chunks[0].language)}">'
            f'<p class="crumb"><a href="/">Tiendalia</a></p>'
            f"<h1>{html.escape(chunks[0].title)}</h1>{paragraphs}</article>")
    return _page(request, settings, demo_key, _page_language(request), chunks[0].title,
                 main)


def _page(request: Request, settings: Settings, demo_key: str | None, language: str,
          title: str, main: str) -> Response:
    if not settings.api.demo:
        raise NotFound("the demo page is off (api.demo)")
    key = _page_key(request, settings, demo_key)
    widget = (f'<script src="/widget.js" defer data-key="{html.escape(key)}" '
              f'data-article-url="/help/{{id}}" data-color="#0a6847"></script>' if key else
              '<p class="notice">Set <code>CXRAG_API__WIDGET_KEYS</code> to try the assistant '
              "on this page.</p>")
    page = Template(_template("page.html")).safe_substitute(
        lang=language, title=html.escape(title), main=main, widget=widget).encode()
    etag = f'"{hashlib.sha256(page).hexdigest()[:24]}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Language",
               "Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff",
               "Referrer-Policy": "same-origin"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(page, media_type=MEDIA["html"], headers=headers)


def _page_key(request: Request, settings: Settings, demo: str | None) -> str | None:
    """The key the page embeds: over loopback the demo key, else the first widget key."""
    if demo and loopback_request(request.scope):
        return demo
    return settings.api.widget_keys[0].get_secret_value() if settings.api.widget_keys else None


def _page_language(request: Request) -> str:
    """``?lang=``, else the browser's first preference among Spanish and English."""
    asked = request.query_params.get("lang", "")
    if asked in ("es", "en"):
        return asked
    for tag in request.headers.get("accept-language", "").split(","):
        if tag.strip()[:2].lower() in ("es", "en"):
            return tag.strip()[:2].lower()
    return "es"


@functools.cache
def _template(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _article_chunks(knowledge: Knowledge, doc_id: str) -> list[StoredChunk]:
    return [c for batch in knowledge.get().catalog.iter_chunks([doc_id]) for c in batch]


def _article_lines(chunks: list[StoredChunk]) -> list[str]:
    """The article's text lines, without the sentences chunks repeat from the one before."""
    lines: list[str] = []
    for chunk in sorted(chunks, key=lambda c: c.index):
        new = chunk.text.split("\n")
        before = " ".join(lines[-3:])
        for k in range(min(len(new), 8), 0, -1):
            if before.endswith(" ".join(new[:k])):
                new = new[k:]
                break
        lines.extend(line for line in new if line.strip())
    return lines
