"""Dependencies handed to routes; built once in the app's lifespan."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from cxrag.errors import AuthError, Forbidden
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_knowledge(request: Request) -> Knowledge:
    """The shared Knowledge registry."""
    knowledge: Knowledge = request.app.state.knowledge
    return knowledge


def require_admin(
    settings: Annotated[Settings, Depends(get_settings)],
    key: Annotated[str | None, Depends(_api_key)],
) -> None:
    """Admin endpoints need a key from CXRAG_API__ADMIN_KEYS (none configured: refused)."""
    if not key:
        raise AuthError("missing X-API-Key header")
    if not any(hmac.compare_digest(key, k.get_secret_value()) for k in settings.api.admin_keys):
        raise Forbidden("this API key may not call admin endpoints")


SettingsDep = Annotated[Settings, Depends(get_settings)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge)]
AdminDep = Annotated[None, Depends(require_admin)]
