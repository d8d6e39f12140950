"""Dependencies handed to routes; built once in the app's lifespan (see ``api.app``).

Routes take what they need as annotated parameters (``store: StoreDep``); none of them reads
``request.app.state`` itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cxrag.api.throttle import RateLimiter, ReplySlots
from cxrag.cx.service import TriageService
from cxrag.jobs.service import IngestJobs
from cxrag.knowledge import Knowledge
from cxrag.reply.assistant import Assistant
from cxrag.reply.chat import ChatService
from cxrag.reply.drafts import DraftService
from cxrag.settings import Settings
from cxrag.store import HistoryStore


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_knowledge(request: Request) -> Knowledge:
    """The shared Knowledge registry."""
    knowledge: Knowledge = request.app.state.knowledge
    return knowledge


def get_jobs(request: Request) -> IngestJobs:
    """Ingest jobs: submit uploads, read progress."""
    jobs: IngestJobs = request.app.state.jobs
    return jobs


def get_assistant(request: Request) -> Assistant:
    """The reply side: chat model, prompts, store, one Responder per collection."""
    assistant: Assistant = request.app.state.assistant
    return assistant


def get_store(assistant: AssistantDep) -> HistoryStore:
    """The history store (conversations, customers, feedback)."""
    return assistant.store


def get_chat(assistant: AssistantDep) -> ChatService:
    """Chat turns, conversations, ratings and handoffs."""
    return assistant.chat


def get_drafts(assistant: AssistantDep) -> DraftService:
    """Drafted replies for agents."""
    return assistant.drafts


def get_triage(assistant: AssistantDep) -> TriageService:
    """Triage of a message or ticket."""
    return assistant.triage_service


def get_rate_limiter(request: Request) -> RateLimiter:
    """The per-key, per-visitor and per-customer rates."""
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def get_reply_slots(request: Request) -> ReplySlots:
    """The replies that may be in progress at once."""
    slots: ReplySlots = request.app.state.reply_slots
    return slots


def get_demo_key(request: Request) -> str | None:
    """The demo page's key (loopback only), or None."""
    key: str | None = getattr(request.app.state, "demo_key", None)
    return key


SettingsDep = Annotated[Settings, Depends(get_settings)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge)]
JobsDep = Annotated[IngestJobs, Depends(get_jobs)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
StoreDep = Annotated[HistoryStore, Depends(get_store)]
ChatDep = Annotated[ChatService, Depends(get_chat)]
DraftsDep = Annotated[DraftService, Depends(get_drafts)]
TriageDep = Annotated[TriageService, Depends(get_triage)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
ReplySlotsDep = Annotated[ReplySlots, Depends(get_reply_slots)]
DemoKeyDep = Annotated[str | None, Depends(get_demo_key)]
