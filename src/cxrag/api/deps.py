"""Dependencies handed to routes; built once in the app's lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cxrag.knowledge import Knowledge
from cxrag.settings import Settings


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_knowledge(request: Request) -> Knowledge:
    """The shared Knowledge registry."""
    knowledge: Knowledge = request.app.state.knowledge
    return knowledge


SettingsDep = Annotated[Settings, Depends(get_settings)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge)]
