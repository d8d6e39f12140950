"""Churn risk: customers ranked by signals in their history, each with its reasons.

The score combines the weights of the signals a customer shows as a noisy-OR,
``1 - prod(1 - weight)``: within 0..1, raised by every signal, reached by none. Signals:
cancellation intent (es/en), a complaint or legal threat, repeated contacts in the recent
period, low CSAT, a conversation waiting for a person, (with a message analyzer) frustration
that is high or rising, and, only beside another signal, a valued tier.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from statistics import fmean

from cxrag.cx.frustration import CANCEL_INTENT
from cxrag.guard.escalation import RULES
from cxrag.insights.contacts import Contact
from cxrag.insights.models import ChurnRisk, Window
from cxrag.store.records import CustomerRecord

WEIGHTS = {"cancel": 0.45, "legal": 0.2, "contact": 0.1, "csat": 0.2, "waiting": 0.1,
           "frustrated": 0.25, "rising": 0.15, "tier": 0.1}
MAX_CONTACT_WEIGHT = 0.3
VALUED_TIERS = frozenset({"vip", "gold", "platinum", "premium", "plus", "business"})
LOW_CSAT = 2
FRUSTRATED, RISING = 0.6, 0.2

def _quote(text: str, start: int, end: int, margin: int = 30) -> str:
    left, right = max(0, start - margin), min(len(text), end + margin)
    snippet = " ".join(text[left:right].split())
    return ("…" if left else "") + snippet + ("…" if right < len(text) else "")


def _day(at: datetime) -> str:
    return at.date().isoformat()


def _intent(contacts: Sequence[Contact], pattern: re.Pattern[str]) -> tuple[Contact, str] | None:
    """The latest contact matching ``pattern``, with the matching words in context."""
    for c in reversed(contacts):
        found = pattern.search(c.text)
        if found:
            return c, _quote(c.text, found.start(), found.end())
    return None


class _Score:
    def __init__(self) -> None:
        self.unlikely = 1.0  # prod(1 - weight)
        self.reasons: list[str] = []

    def add(self, weight: float, reason: str) -> None:
        self.unlikely *= 1.0 - weight
        self.reasons.append(reason)

    @property
    def total(self) -> float:
        return 1.0 - self.unlikely


def _frustration(mine: Sequence[Contact], score: _Score) -> None:
    scored = [c for c in mine if c.frustration is not None]
    if not scored:
        return
    latest = scored[-1].frustration
    assert latest is not None
    if latest >= FRUSTRATED:
        score.add(WEIGHTS["frustrated"] * latest,
                  f"frustrated in the latest contact ({latest:.2f}, {scored[-1].ref})")
    if len(scored) >= 2:
        before = fmean(c.frustration or 0.0 for c in scored[:-1])
        if latest - before >= RISING:
            score.add(WEIGHTS["rising"], f"frustration rising: {before:.2f} → {latest:.2f} "
                      f"over {len(scored)} contacts")


def _signals(mine: Sequence[Contact], recent: Sequence[Contact], window: Window) -> _Score:
    score = _Score()
    cancel = _intent(mine, CANCEL_INTENT)
    if cancel:
        score.add(WEIGHTS["cancel"], f'cancellation intent: "{cancel[1]}" '
                  f"({cancel[0].ref}, {_day(cancel[0].at)})")
    legal = _intent(mine, RULES["legal"])
    if legal:
        score.add(WEIGHTS["legal"], f'complaint or legal threat: "{legal[1]}" '
                  f"({legal[0].ref}, {_day(legal[0].at)})")
    if len(recent) >= 2:
        score.add(min(WEIGHTS["contact"] * (len(recent) - 1), MAX_CONTACT_WEIGHT),
                  f"{len(recent)} contacts in the last {window.recent_days} days")
    low = [c for c in mine if c.csat is not None and c.csat <= LOW_CSAT]
    if low:
        score.add(WEIGHTS["csat"], "low CSAT: " + ", ".join(f"{c.csat}/5 on {c.ref}"
                                                           for c in low[-3:]))
    waiting = [c for c in mine if c.waiting]
    if waiting:
        score.add(WEIGHTS["waiting"], f"{len(waiting)} conversation(s) waiting for a person")
    _frustration(mine, score)
    return score


def churn_risk(contacts: Sequence[Contact], customers: dict[str, CustomerRecord],
               window: Window, limit: int = 25) -> list[ChurnRisk]:
    """Customers with at least one signal, riskiest first."""
    by_customer: dict[str, list[Contact]] = defaultdict(list)
    for c in contacts:
        if c.customer_id:
            by_customer[c.customer_id].append(c)
    recent_from = window.until - timedelta(days=window.recent_days)
    out: list[ChurnRisk] = []
    for customer_id, mine in by_customer.items():
        recent = [c for c in mine if c.at >= recent_from]
        score = _signals(mine, recent, window)
        if not score.reasons:
            continue
        profile = customers.get(customer_id)
        tier = profile.tier if profile else None
        if tier and tier.lower() in VALUED_TIERS:
            score.add(WEIGHTS["tier"], f"{tier} tier customer")
        out.append(ChurnRisk(customer_id=customer_id, name=profile.name if profile else None,
                             tier=tier, score=round(score.total, 3),
                             reasons=score.reasons, contacts=len(mine),
                             recent_contacts=len(recent), last_contact=mine[-1].at))
    out.sort(key=lambda r: (-r.score, -r.recent_contacts, r.customer_id))
    return out[:limit]
