"""Triage of a message or ticket for agents and routing systems (agent key or above)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from cxrag.api.auth import AgentOrAbove
from cxrag.api.deps import SettingsDep, TriageDep

router = APIRouter(prefix="/v1", tags=["agent assist"])


class TriageRequest(BaseModel):
    """A message (or a ticket's text) and, optionally, whose it is."""

    text: str = Field(..., min_length=1, max_length=20_000,
                      examples=["¡Es la tercera vez que escribo! Mi pedido sigue sin llegar."])
    customer_id: str | None = Field(None, max_length=64, examples=["C0008"])
    conversation_id: str | None = Field(None, max_length=36)
    load: dict[str, float] = Field(default_factory=dict, max_length=100,
                                   description="queue load hints, "
                                   "0 (idle) to 1 (full), e.g. {\"vip\": 0.9}")


class SentimentOut(BaseModel):
    label: Literal["negative", "neutral", "positive"]
    score: float = Field(..., description="probability of the label")
    probabilities: dict[str, float]


class ReasonOut(BaseModel):
    code: str = Field(..., examples=["repeated_contact"])
    weight: float
    detail: str


class FrustrationOut(BaseModel):
    score: float = Field(..., ge=0, le=1)
    reasons: list[ReasonOut]


class TriageResponse(BaseModel):
    """What triage found and decided."""

    category: str | None = Field(..., description="null when out of scope")
    confidence: float
    out_of_scope: bool
    priority: Literal["low", "normal", "high", "urgent"]
    language: str
    sentiment: SentimentOut
    frustration: FrustrationOut
    escalate: bool
    escalation_reason: str | None = Field(
        ..., description="a sensitive topic (legal, fraud, ...), requested_human, "
        "frustration or out_of_scope")
    queue: str
    within_business_hours: bool
    next_open: str | None
    classifier: str = Field(..., description="trained:<version> or zero-shot")


@router.post("/triage", response_model=TriageResponse)
async def triage(body: TriageRequest, _: AgentOrAbove, settings: SettingsDep,
                 service: TriageDep) -> dict[str, Any]:
    """Classify a message: category (the organisation's taxonomy, trained or zero-shot) with a
    confidence, priority, language, sentiment, a 0-1 frustration score with its reasons, and
    the escalation decision with the best-qualified queue, following the policy file.

    With `customer_id` (or a `conversation_id`, whose owner counts) the customer's tier and
    recent contacts are taken into account. Low confidence means out of scope: a person
    decides, the category is not guessed.
    """
    analysis = await run_in_threadpool(
        lambda: service.analyse(settings.tenant, body.text, customer_id=body.customer_id,
                                conversation_id=body.conversation_id, load=body.load))
    result: dict[str, Any] = analysis.as_dict()
    return result
