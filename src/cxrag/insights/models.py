"""The insights report as typed, JSON-ready models (what the API returns)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Bucket = Literal["day", "week", "month"]
Outcome = Literal["ticket", "ungrounded", "handoff"]


class Window(BaseModel):
    """What the report covers: one tenant, ``[since, until)``, counted per ``bucket``."""

    tenant: str
    since: datetime
    until: datetime
    bucket: Bucket = "week"
    recent_days: int = Field(30, description="the recent period of churn signals and of "
                             "emerging topics (compared with the period before it)")


class Volume(BaseModel):
    """Contacts (tickets and conversations) per bucket; every list aligns with ``buckets``."""

    buckets: list[str]
    total: int
    by_source: dict[str, list[int]]
    by_category: dict[str, list[int]]
    by_channel: dict[str, list[int]]
    by_language: dict[str, list[int]]


class RatePoint(BaseModel):
    """Containment and escalation of the conversations started in one bucket."""

    bucket: str
    conversations: int
    containment_rate: float | None
    escalation_rate: float | None


class Containment(BaseModel):
    """How many conversations the assistant handled alone, and how many went to a person."""

    conversations: int = Field(description="conversations with at least one customer message")
    answered: int = Field(description="of those, with at least one assistant reply")
    contained: int = Field(description="answered and never handed off")
    handed_off: int
    containment_rate: float | None
    escalation_rate: float | None
    replies: int = Field(description="assistant replies")
    ungrounded_replies: int = Field(description="replies the grounding check did not support")
    by_bucket: list[RatePoint]


class ReasonCount(BaseModel):
    """How often one handoff reason occurred (once per conversation)."""

    reason: str
    count: int
    share: float


class FeedbackStats(BaseModel):
    """Verdicts on assistant replies (thumbs: up = 5, down = 1) and on drafted replies."""

    replies_rated: int
    thumbs_up: int
    thumbs_down: int
    reply_satisfaction: float | None = Field(description="share of reply ratings of 4-5")
    drafts_reviewed: int
    drafts_accepted: int
    drafts_edited: int
    draft_mean_rating: float | None


class CsatGroup(BaseModel):
    """CSAT of one group of tickets."""

    rated: int
    mean: float | None
    score: float | None = Field(description="share of ratings of 4-5 (the usual CSAT %)")


class Csat(BaseModel):
    """Ticket CSAT (1-5) overall, by value, by category and per bucket."""

    rated: int
    mean: float | None
    score: float | None
    distribution: dict[str, int]
    by_category: dict[str, CsatGroup]
    by_bucket: list[float | None]


class GapExample(BaseModel):
    """One customer question of a topic."""

    text: str
    source: Literal["ticket", "conversation"]
    ref: str
    at: datetime
    outcome: Outcome


class GapCluster(BaseModel):
    """A topic: similar questions that ended in a ticket, ungrounded or handed off."""

    id: int
    label: str
    terms: list[str]
    size: int
    tickets: int
    ungrounded: int
    handed_off: int
    share_unanswered: float = Field(description="share the assistant left ungrounded or "
                                    "handed off")
    recent: int = Field(description="questions in the recent period")
    previous: int = Field(description="questions in the period before it")
    growth: int
    emerging: bool
    examples: list[GapExample]


class Gaps(BaseModel):
    """Knowledge gaps and emerging topics."""

    questions: int
    clusters: list[GapCluster]
    unclustered: int = Field(description="questions like no other (not reported)")
    emerging: list[int] = Field(description="ids of the emerging clusters, fastest first")
    embedder: str | None
    threshold: float
    note: str | None = None


class ChurnRisk(BaseModel):
    """A customer who may leave, and why."""

    customer_id: str
    name: str | None
    tier: str | None
    score: float = Field(description="0..1: the signals' weights combined as a noisy-OR")
    reasons: list[str]
    contacts: int
    recent_contacts: int
    last_contact: datetime


class InsightsReport(BaseModel):
    """Volume, containment, escalation, feedback, CSAT, gaps and churn risk of one tenant."""

    window: Window
    generated_at: datetime
    analyzer: str | None = Field(description="the message analyzer used (None: the "
                                 "regex and CSAT signals only)")
    volume: Volume
    containment: Containment
    escalation_reasons: list[ReasonCount]
    feedback: FeedbackStats
    csat: Csat
    gaps: Gaps
    churn: list[ChurnRisk]
