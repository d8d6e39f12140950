"""The triage, escalation and routing policy: a YAML file, validated into typed objects.

The default (``policy.yaml`` beside this module) describes the sample retailer; an operator
points ``CXRAG_CX__POLICY_FILE`` at their own. Keys left out take the defaults below.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from cxrag.errors import ConfigurationError

DEFAULT_POLICY = Path(__file__).with_name("policy.yaml")
Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[Priority, ...] = ("low", "normal", "high", "urgent")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _weekdays() -> list[Day]:
    return ["mon", "tue", "wed", "thu", "fri"]


class Category(BaseModel):
    """One category of the organisation's taxonomy."""

    description: str = ""
    examples: list[str] = Field(default_factory=list)


class ZeroShot(BaseModel):
    """Category by closeness to the descriptions when no trained model exists."""

    min_similarity: float = Field(0.30, ge=-1, le=1)
    temperature: float = Field(25.0, gt=0)


class Priorities(BaseModel):
    """How a priority is chosen."""

    default: Priority = "normal"
    by_category: dict[str, Priority] = Field(default_factory=dict)
    frustrated: Priority = "high"
    sensitive: Priority = "urgent"
    vip_bump: bool = True


class Topic(BaseModel):
    """A sensitive topic; built-in ones (legal, fraud) need no patterns."""

    patterns: list[str] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r}: {exc}") from exc
        return patterns

    @cached_property
    def compiled(self) -> list[re.Pattern[str]]:
        """The patterns, compiled case-insensitively."""
        return [re.compile(p, re.IGNORECASE) for p in self.patterns]


class BusinessHours(BaseModel):
    """When people are at work (one window a day)."""

    timezone: str = "UTC"
    days: list[Day] = Field(default_factory=_weekdays)
    open: time = time(9, 0)
    close: time = time(18, 0)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except Exception as exc:  # ZoneInfoNotFoundError or a malformed key
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` (aware) falls in business hours."""
        local = at.astimezone(ZoneInfo(self.timezone))
        return DAYS[local.weekday()] in self.days and self.open <= local.time() < self.close

    def next_open(self, at: datetime) -> datetime:
        """The next opening time at or after ``at`` (``at`` itself when open)."""
        if self.is_open(at):
            return at
        local = at.astimezone(ZoneInfo(self.timezone))
        for days in range(8):
            day = (local + timedelta(days=days)).date()
            start = datetime.combine(day, self.open, tzinfo=local.tzinfo)
            if DAYS[day.weekday()] in self.days and start >= local:
                return start
        return at  # no working day configured: nothing better to say


class Escalation(BaseModel):
    """When a person takes over."""

    frustration_threshold: float = Field(0.70, ge=0, le=1)
    vip_tiers: list[str] = Field(default_factory=list)
    vip_frustration_threshold: float = Field(0.55, ge=0, le=1)
    out_of_scope_to_human: bool = True
    sensitive_topics: dict[str, Topic] = Field(
        default_factory=lambda: {"legal": Topic(), "fraud": Topic()})
    business_hours: BusinessHours = Field(default_factory=BusinessHours)


class Queue(BaseModel):
    """A team that takes handoffs: the categories (skills), languages, tiers and topics."""

    name: str = Field(..., min_length=1, max_length=64)
    languages: list[str] = Field(default_factory=list, description="empty: any language")
    skills: list[str] = Field(default_factory=list, description="categories; '*' = any")
    tiers: list[str] = Field(default_factory=list, description="only these customer tiers")
    topics: list[str] = Field(default_factory=list, description="sensitive topics it takes")
    load: float = Field(0.0, ge=0, le=1, description="a standing load hint")


class Policy(BaseModel):
    """The whole policy file."""

    categories: dict[str, Category] = Field(default_factory=dict)
    min_confidence: float = Field(0.45, ge=0, le=1)
    use_model_threshold: bool = True
    zero_shot: ZeroShot = Field(default_factory=ZeroShot)
    priorities: Priorities = Field(default_factory=Priorities)
    escalation: Escalation = Field(default_factory=Escalation)
    queues: list[Queue] = Field(default_factory=list)

    def is_vip(self, tier: str | None) -> bool:
        """Whether a customer tier counts as VIP."""
        return (tier or "").lower() in {t.lower() for t in self.escalation.vip_tiers}


def load_policy(path: Path | None = None) -> Policy:
    """Read and validate a policy file (default: the sample retailer's)."""
    path = path or DEFAULT_POLICY
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Policy.model_validate(raw)
    except OSError as exc:
        raise ConfigurationError(f"cannot read the policy file {path}: {exc}") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise ConfigurationError(f"the policy file {path} is invalid: {exc}") from exc
