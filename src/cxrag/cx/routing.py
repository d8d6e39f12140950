"""Choosing the best-qualified queue for a contact.

A queue is eligible when it speaks the contact's language (or any), takes the customer's tier
(when it is tier-restricted) and, for a sensitive topic, lists that topic. Among eligible
queues the score prefers: a queue that takes the topic, then a tier queue for a VIP, then an
exact skill over a catch-all ('*'), minus the load hint. Ties go to the queue listed first.
With no queue eligible the contact goes to ``support-<language>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cxrag.cx.policy import Policy, Queue


@dataclass(frozen=True)
class Contact:
    """What routing looks at."""

    language: str
    category: str | None = None
    tier: str | None = None
    topic: str | None = None  # a sensitive topic, when one was found


def _score(queue: Queue, contact: Contact, vip: bool, load: float) -> float | None:
    if queue.languages and contact.language not in queue.languages:
        return None
    if queue.tiers and (contact.tier or "").lower() not in {t.lower() for t in queue.tiers}:
        return None
    if queue.topics and contact.topic not in queue.topics:
        return None
    if not queue.topics and not queue.skills and not queue.tiers:
        return None  # a queue with nothing it takes
    points = 0.0
    if contact.topic is not None and contact.topic in queue.topics:
        points += 8
    if vip and queue.tiers:
        points += 4
    if contact.category is not None and contact.category in queue.skills:
        points += 2
    elif "*" in queue.skills:
        points += 1
    elif queue.skills and not queue.topics:
        return None  # skills that do not include this category
    return points - 1.5 * load


def route(policy: Policy, contact: Contact, load: Mapping[str, float] | None = None) -> str:
    """The name of the best queue for ``contact``; ``load`` hints override standing ones."""
    vip = policy.is_vip(contact.tier)
    best: tuple[float, str] | None = None
    for queue in policy.queues:
        hint = (load or {}).get(queue.name, queue.load)
        points = _score(queue, contact, vip, max(0.0, min(1.0, hint)))
        if points is not None and (best is None or points > best[0]):
            best = (points, queue.name)
    return best[1] if best else f"support-{contact.language}"
