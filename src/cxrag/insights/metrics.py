"""Counts and rates: volume per bucket, containment, escalation reasons, feedback and CSAT."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from statistics import fmean

from cxrag.insights.contacts import Contact, handoff_reason
from cxrag.insights.models import (
    Bucket,
    Containment,
    Csat,
    CsatGroup,
    FeedbackStats,
    RatePoint,
    ReasonCount,
    Volume,
    Window,
)
from cxrag.store.analytics import Thread
from cxrag.store.records import FeedbackRecord, TicketRecord

GOOD = (4, 5)  # ratings that count as satisfied


def bucket_start(at: datetime, bucket: Bucket) -> datetime:
    """The start of the day, week (Monday) or month ``at`` falls in."""
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def bucket_key(at: datetime, bucket: Bucket) -> str:
    """The bucket's label: ``2026-09`` for a month, the first day's date otherwise."""
    start = bucket_start(at, bucket)
    return start.strftime("%Y-%m") if bucket == "month" else start.date().isoformat()


def bucket_keys(window: Window) -> list[str]:
    """Every bucket of the window, in order (empty ones included)."""
    keys: list[str] = []
    at = bucket_start(window.since, window.bucket)
    while at < window.until:
        keys.append(bucket_key(at, window.bucket))
        if window.bucket == "month":
            at = (at + timedelta(days=32)).replace(day=1)
        else:
            at += timedelta(days=7 if window.bucket == "week" else 1)
    return keys


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` rounded, or None for an empty whole."""
    return round(part / whole, 4) if whole else None


def _series(contacts: Sequence[Contact], keys: list[str], bucket: Bucket,
            group: Callable[[Contact], str]) -> dict[str, list[int]]:
    index = {k: i for i, k in enumerate(keys)}
    out: dict[str, list[int]] = defaultdict(lambda: [0] * len(keys))
    for c in contacts:
        i = index.get(bucket_key(c.at, bucket))
        if i is not None:
            out[group(c)][i] += 1
    return dict(sorted(out.items(), key=lambda kv: (-sum(kv[1]), kv[0])))


def volume(contacts: Sequence[Contact], window: Window) -> Volume:
    """Contacts per bucket, by source, category, channel and language."""
    keys = bucket_keys(window)

    def series(group: Callable[[Contact], str]) -> dict[str, list[int]]:
        return _series(contacts, keys, window.bucket, group)

    return Volume(buckets=keys, total=len(contacts), by_source=series(lambda c: c.source),
                  by_category=series(lambda c: c.category),
                  by_channel=series(lambda c: c.channel),
                  by_language=series(lambda c: c.language))


def _conversation_counts(threads: Sequence[Thread]) -> tuple[int, int, int, int]:
    """(conversations, answered, contained, handed off) of threads with a customer message."""
    asked = [t for t in threads if any(m.role == "user" for m in t.messages)]
    answered = [t for t in asked if any(m.role == "assistant" for m in t.messages)]
    handed = {t.conversation.id for t in asked if handoff_reason(t) is not None}
    contained = [t for t in answered if t.conversation.id not in handed]
    return len(asked), len(answered), len(contained), len(handed)


def containment(threads: Sequence[Thread], window: Window) -> Containment:
    """Containment and escalation overall and per bucket; ungrounded replies."""
    n, answered, contained, handed = _conversation_counts(threads)
    per: dict[str, list[Thread]] = defaultdict(list)
    for t in threads:
        per[bucket_key(t.conversation.started_at, window.bucket)].append(t)
    points = []
    for key in bucket_keys(window):
        bn, _, bc, bh = _conversation_counts(per.get(key, []))
        points.append(RatePoint(bucket=key, conversations=bn, containment_rate=rate(bc, bn),
                                escalation_rate=rate(bh, bn)))
    replies = [m for t in threads for m in t.messages if m.role == "assistant"]
    ungrounded = sum(1 for m in replies if m.meta.get("grounded") is False)
    return Containment(conversations=n, answered=answered, contained=contained,
                       handed_off=handed, containment_rate=rate(contained, n),
                       escalation_rate=rate(handed, n), replies=len(replies),
                       ungrounded_replies=ungrounded, by_bucket=points)


def escalation_reasons(threads: Sequence[Thread]) -> list[ReasonCount]:
    """Handoff reasons, once per handed-off conversation, most frequent first."""
    counts = Counter(r for t in threads if (r := handoff_reason(t)) is not None)
    total = sum(counts.values())
    return [ReasonCount(reason=r, count=n, share=round(n / total, 4))
            for r, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def feedback(rows: Sequence[FeedbackRecord]) -> FeedbackStats:
    """Thumbs and ratings on replies; acceptance, edits and ratings of drafts."""
    replies = [f.rating for f in rows if f.target_kind == "message" and f.rating is not None]
    drafts = [f for f in rows if f.target_kind == "draft"]
    draft_ratings = [f.rating for f in drafts if f.rating is not None]
    return FeedbackStats(
        replies_rated=len(replies), thumbs_up=sum(1 for r in replies if r >= GOOD[0]),
        thumbs_down=sum(1 for r in replies if r <= 2),
        reply_satisfaction=rate(sum(1 for r in replies if r in GOOD), len(replies)),
        drafts_reviewed=len(drafts), drafts_accepted=sum(1 for f in drafts if f.accepted),
        drafts_edited=sum(1 for f in drafts if f.edited_text),
        draft_mean_rating=round(fmean(draft_ratings), 3) if draft_ratings else None)


def _csat_group(scores: Sequence[int]) -> CsatGroup:
    return CsatGroup(rated=len(scores), mean=round(fmean(scores), 3) if scores else None,
                     score=rate(sum(1 for s in scores if s in GOOD), len(scores)))


def csat(tickets: Sequence[TicketRecord], window: Window) -> Csat:
    """Ticket CSAT overall, its distribution, by category and the mean per bucket."""
    rated = [t for t in tickets if t.csat is not None]
    scores = [t.csat for t in rated if t.csat is not None]
    overall = _csat_group(scores)
    by_category: dict[str, list[int]] = defaultdict(list)
    per_bucket: dict[str, list[int]] = defaultdict(list)
    for t in rated:
        assert t.csat is not None and t.created_at is not None
        by_category[t.category or "uncategorised"].append(t.csat)
        per_bucket[bucket_key(t.created_at, window.bucket)].append(t.csat)
    distribution = Counter(scores)
    return Csat(rated=overall.rated, mean=overall.mean, score=overall.score,
                distribution={str(v): distribution.get(v, 0) for v in range(1, 6)},
                by_category={k: _csat_group(v) for k, v in sorted(by_category.items())},
                by_bucket=[round(fmean(per_bucket[k]), 3) if per_bucket.get(k) else None
                           for k in bucket_keys(window)])
