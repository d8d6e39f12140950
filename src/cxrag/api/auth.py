"""API keys with roles, and customer identity proven by a signed token.

Roles are ordered: ``widget`` < ``agent`` < ``admin``; an endpoint names the least role it
needs. A widget key (public, in a web page) chats only as an anonymous visitor, or as a
customer whose id the host page signed: ``HMAC-SHA256(tenant secret, customer id)`` in hex, as
common chat widgets verify identity. Agent and admin keys are server-side secrets and may name
any customer of their tenant.

From a browser, a widget key works only on the pages of the origins listed for it
(``api.widget_origins``) and the service's own; a page on any other origin gets 403 and no CORS
headers, and may reach nothing but the widget endpoints. The demo page's key is made at start
and works only over loopback, from that page.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from collections.abc import Awaitable, Callable
from enum import IntEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cxrag.errors import AuthError, CxragError, Forbidden
from cxrag.settings import Settings

PROBLEM = "application/problem+json"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]"}

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False,
                        description="a widget, agent or admin key (CXRAG_API__*_KEYS)")


class Role(IntEnum):
    """What a key may do; higher includes lower."""

    widget = 1
    agent = 2
    admin = 3


def role_of(settings: Settings, key: str) -> Role | None:
    """The role of ``key`` (constant-time comparisons), or None."""
    found: Role | None = None
    for role, keys in ((Role.widget, settings.api.widget_keys),
                       (Role.agent, settings.api.agent_keys),
                       (Role.admin, settings.api.admin_keys)):
        if any(hmac.compare_digest(key.encode(), k.get_secret_value().encode()) for k in keys):
            found = role
    return found


def sign_customer(secret: str, customer_id: str) -> str:
    """The token a host page passes to prove it authenticated ``customer_id``."""
    return hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()


def verify_customer(settings: Settings, tenant: str, customer_id: str, token: str | None) -> None:
    """Raise unless ``token`` signs ``customer_id`` with the tenant's secret."""
    secret = settings.api.customer_token_secrets.get(tenant)
    if secret is None:
        raise Forbidden(f"tenant {tenant!r} has no customer token secret configured; a widget "
                        "key can only chat anonymously")
    expected = sign_customer(secret.get_secret_value(), customer_id)
    # Bytes: compare_digest refuses str with non-ASCII characters (a token is caller input).
    if not token or not hmac.compare_digest(expected.encode(), token.encode()):
        raise AuthError("the customer token does not match the customer id")


def require(least: Role) -> Callable[..., Awaitable[Role]]:
    """A dependency admitting keys of role ``least`` or above (within the key's rate limit);
    returns the caller's role."""

    async def check(request: Request,
                    key: Annotated[str | None, Depends(_api_key)]) -> Role:
        if not key:
            raise AuthError("missing X-API-Key header")
        role = role_of(request.app.state.settings, key) or demo_role(request.scope, key)
        if role is None:
            raise AuthError("unknown API key")
        if role < least:
            raise Forbidden(f"a {role.name} key may not call this endpoint "
                            f"(needs {least.name} or above)")
        await request.app.state.rate_limiter.hit("key", key)
        return role

    return check


async def metrics_reader(request: Request,
                         key: Annotated[str | None, Depends(_api_key)]) -> None:
    """Who may read ``/metrics``: an admin key, or anyone with ``api.metrics_public`` (where
    only the network reaches the port, e.g. a cluster's Prometheus)."""
    if not request.app.state.settings.api.metrics_public:
        await require(Role.admin)(request, key)


def caller_key(key: Annotated[str | None, Depends(_api_key)]) -> str:
    """The caller's API key as sent (use beside ``require``, which validates it)."""
    return key or ""


CallerKey = Annotated[str, Depends(caller_key)]


def widget_collection(settings: Settings, key: str, collection: str | None) -> str | None:
    """``collection`` if the widget key may use it (``api.widget_collections``; an unlisted
    key only the default collection), else ``Forbidden``."""
    asked = collection or settings.collection
    allowed = [settings.collection]
    for listed_key, names in settings.api.widget_collections.items():
        if hmac.compare_digest(key.encode(), listed_key.encode()):
            allowed = names
    if asked not in allowed:
        raise Forbidden(f"this widget key may not use collection {asked!r} "
                        "(api.widget_collections)")
    return collection


WidgetOrAbove = Annotated[Role, Depends(require(Role.widget))]
AgentOrAbove = Annotated[Role, Depends(require(Role.agent))]
AdminOnly = Annotated[Role, Depends(require(Role.admin))]


# -- browsers: origins per widget key, and the loopback demo key ---------------------------


def new_demo_key(settings: Settings) -> str | None:
    """A fresh key for the demo page (``api.demo``), or None when the demo is off."""
    return f"demo-{secrets.token_urlsafe(18)}" if settings.api.demo else None


def _is_loopback_ip(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def loopback_request(scope: Scope) -> bool:
    """Both ends of the connection are loopback and the page was asked for by a loopback name
    (not a DNS name that happens to point here)."""
    client, server = scope.get("client") or (None, 0), scope.get("server") or (None, 0)
    host = (Headers(scope=scope).get("host") or "").lower().rsplit(":", 1)[0]
    return _is_loopback_ip(client[0]) and _is_loopback_ip(server[0]) and host in LOOPBACK_NAMES


def demo_role(scope: Scope, key: str) -> Role | None:
    """``widget`` for the demo key, over loopback, from no page or a page of this service."""
    demo = getattr(scope["app"].state, "demo_key", None) if "app" in scope else None
    if not demo or not hmac.compare_digest(key.encode(), demo.encode()):
        return None
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    ok = loopback_request(scope) and (origin is None or same_origin(origin, headers.get("host")))
    return Role.widget if ok else None


def _origin(value: str) -> str:
    """``scheme://host:port`` with the default port spelled out, lower case."""
    parts = urlsplit(value.strip().rstrip("/"))
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)
    except ValueError:
        return value
    host = (parts.hostname or "").lower()
    return f"{parts.scheme.lower()}://{f'[{host}]' if ':' in host else host}:{port}"


def same_origin(origin: str, host: str | None) -> bool:
    """The page that sent ``origin`` was served by this service (at ``host``)."""
    return bool(host) and urlsplit(origin).netloc.lower() == (host or "").lower()


def origin_allowed(settings: Settings, key: str, origin: str) -> bool:
    """``origin`` is listed for the widget key ``key`` (or the key allows any origin)."""
    for listed_key, origins in settings.api.widget_origins.items():
        if hmac.compare_digest(key.encode(), listed_key.encode()):
            return "*" in origins or _origin(origin) in {_origin(o) for o in origins}
    return False


def any_key_allows(settings: Settings, origin: str) -> bool:
    """Some widget key may be used from ``origin`` (what a CORS preflight can tell)."""
    return any("*" in origins or _origin(origin) in {_origin(o) for o in origins}
               for origins in settings.api.widget_origins.values())


class WidgetOrigins:
    """CORS for the widget endpoints (``paths``), checked per widget key.

    A request from a page of another origin (an ``Origin`` header that is not this service's)
    reaches only ``paths``, only with a widget key listed for that origin; the answer then
    carries ``Access-Control-Allow-Origin``. Anything else is 403 without CORS headers. A
    preflight carries no key, so it is allowed when some widget key lists the origin.
    """

    ALLOW_HEADERS = "content-type, x-api-key, x-visitor-id, x-customer-id, x-customer-token"

    def __init__(self, app: ASGIApp, paths: re.Pattern[str]) -> None:
        self.app, self.paths = app, paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if (origin is None or not scope["path"].startswith("/v1/")
                or same_origin(origin, headers.get("host"))):
            await self.app(scope, receive, send)
            return
        settings: Settings = scope["app"].state.settings
        widget_path = bool(self.paths.match(scope["path"]))
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            if not (widget_path and any_key_allows(settings, origin)):
                await _refuse(scope, receive, send, f"origin {origin!r} may not call this API")
                return
            await Response(status_code=204, headers=self._cors(origin, {
                "Access-Control-Allow-Methods": "GET, POST, PUT",
                "Access-Control-Allow-Headers": self.ALLOW_HEADERS,
                "Access-Control-Max-Age": "600"}))(scope, receive, send)
            return
        key = headers.get("x-api-key")
        refusal = self._refusal(settings, widget_path, key, origin)
        if refusal:
            await _refuse(scope, receive, send, refusal)
            return
        if key and role_of(settings, key) == Role.widget:
            send = self._adding(send, origin)
        # no or unknown key: the endpoint answers 401, without CORS headers (unreadable there)
        await self.app(scope, receive, send)

    @staticmethod
    def _refusal(settings: Settings, widget_path: bool, key: str | None,
                 origin: str) -> str | None:
        if not widget_path:
            return f"a page on {origin!r} may only call the widget endpoints"
        role = role_of(settings, key) if key else None
        if role is None:
            return None
        if role != Role.widget or not origin_allowed(settings, key or "", origin):
            return f"origin {origin!r} is not allowed for this key (api.widget_origins)"
        return None

    @staticmethod
    def _cors(origin: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin", **(extra or {})}

    def _adding(self, send: Send, origin: str) -> Send:
        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._cors(origin).items():
                    headers.append(name, value)
            await send(message)

        return send_with_cors


async def _refuse(scope: Scope, receive: Receive, send: Send, detail: str) -> None:
    exc: CxragError = Forbidden(detail)
    body: dict[str, Any] = exc.to_problem(scope["path"])
    await JSONResponse(body, status_code=exc.status, media_type=PROBLEM)(scope, receive, send)
