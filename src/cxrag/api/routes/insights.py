"""Insights for support leads: volume, containment, escalations, CSAT, gaps, churn risk."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from cxrag.api.auth import AgentOrAbove, Role
from cxrag.api.deps import AssistantDep, KnowledgeDep, SettingsDep
from cxrag.cx.analyzer import TriageAnalyzer
from cxrag.errors import Forbidden
from cxrag.insights.models import Bucket, InsightsReport
from cxrag.insights.service import insights

router = APIRouter(prefix="/v1", tags=["insights"])


@router.get("/insights", response_model=InsightsReport)
async def get_insights(
    role: AgentOrAbove, settings: SettingsDep, knowledge: KnowledgeDep,
    assistant: AssistantDep,
    tenant: Annotated[str | None, Query(
        description="default: the service's tenant; another tenant needs an admin key")] = None,
    since: Annotated[str | None, Query(
        description="first day (YYYY-MM-DD or ISO time); default: the first activity")] = None,
    until: Annotated[str | None, Query(
        description="last day, included; default: the latest activity")] = None,
    bucket: Bucket = "week",
) -> InsightsReport:
    """The insights report of a tenant over a window (agent key or above).

    Contact volume per bucket by category, channel and language; containment (conversations
    answered without a handoff), escalation rate and reasons; reply feedback and ticket CSAT;
    knowledge gaps and emerging topics (clusters of questions that needed a person, with
    examples); customers at risk of churning, each with the reasons.
    """
    tenant = tenant or settings.tenant
    if tenant != settings.tenant and role < Role.admin:
        raise Forbidden("an agent key reads its own tenant's insights; another tenant needs "
                        "an admin key")
    store, analyzer = assistant.store, TriageAnalyzer(assistant.triage)
    report: InsightsReport = await run_in_threadpool(
        lambda: insights(store, tenant, since=since, until=until, bucket=bucket,
                         embedder=knowledge.embedder, analyzer=analyzer,
                         languages=settings.retrieval.languages))
    return report
