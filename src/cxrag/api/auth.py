"""API keys with roles, and customer identity proven by a signed token.

Roles are ordered: ``widget`` < ``agent`` < ``admin``; an endpoint names the least role it
needs. A widget key (public, in a web page) chats only as an anonymous visitor, or as a
customer whose id the host page signed: ``HMAC-SHA256(tenant secret, customer id)`` in hex, as
common chat widgets verify identity. Agent and admin keys are server-side secrets and may name
any customer of their tenant.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from enum import IntEnum
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from cxrag.errors import AuthError, Forbidden
from cxrag.settings import Settings

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
    if not token or not hmac.compare_digest(sign_customer(secret.get_secret_value(),
                                                          customer_id), token):
        raise AuthError("the customer token does not match the customer id")


def require(least: Role) -> Callable[..., Role]:
    """A dependency admitting keys of role ``least`` or above; returns the caller's role."""

    def check(request: Request,
              key: Annotated[str | None, Depends(_api_key)]) -> Role:
        if not key:
            raise AuthError("missing X-API-Key header")
        role = role_of(request.app.state.settings, key)
        if role is None:
            raise AuthError("unknown API key")
        if role < least:
            raise Forbidden(f"a {role.name} key may not call this endpoint "
                            f"(needs {least.name} or above)")
        return role

    return check


WidgetOrAbove = Annotated[Role, Depends(require(Role.widget))]
AgentOrAbove = Annotated[Role, Depends(require(Role.agent))]
AdminOnly = Annotated[Role, Depends(require(Role.admin))]
