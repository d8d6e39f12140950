"""The insights of one tenant over a window: the one service the API and the CLI call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import get_args

from cxrag.embed.base import Embedder
from cxrag.errors import InvalidRequest
from cxrag.insights import churn, gaps, metrics
from cxrag.insights.analyzer import MessageAnalyzer
from cxrag.insights.contacts import contacts_of
from cxrag.insights.models import Bucket, InsightsReport, Window
from cxrag.settings import check_name
from cxrag.store.analytics import activity_bounds, load_activity
from cxrag.store.repository import HistoryStore
from cxrag.store.types import as_utc, now

DEFAULT_SPAN = timedelta(days=90)  # of an empty store, or when only ``until`` is given


def parse_bound(value: str | datetime | date | None, field: str, *, end: bool = False
                ) -> datetime | None:
    """An ISO date or time as aware UTC; a bare date as an ``end`` bound includes that day."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidRequest(f"{field}: {value!r} is not an ISO 8601 date or time",
                                 field=field) from exc
        if len(value.strip()) > 10:
            return as_utc(parsed)
        value = parsed.date()
    start = as_utc(datetime(value.year, value.month, value.day))
    return start + timedelta(days=1) if end else start


def resolve_window(store: HistoryStore, tenant: str, since: str | datetime | None = None,
                   until: str | datetime | None = None, bucket: str = "week",
                   recent_days: int = 30) -> Window:
    """The window to report on: ``until`` defaults to just after the latest activity (so a
    quiet store still shows its last month), ``since`` to the first activity."""
    tenant = check_name("tenant", tenant)
    if bucket not in get_args(Bucket):
        raise InvalidRequest(f"bucket must be day, week or month; got {bucket!r}",
                             field="bucket")
    if not 1 <= recent_days <= 366:
        raise InvalidRequest("recent_days must be between 1 and 366", field="recent_days")
    start, end = parse_bound(since, "since"), parse_bound(until, "until", end=True)
    first, last = activity_bounds(store.engine, tenant)
    if end is None:
        end = last + timedelta(seconds=1) if last else now()
    start = start or (first if first and first < end else end - DEFAULT_SPAN)
    if start >= end:
        raise InvalidRequest("since must be before until", field="since")
    return Window(tenant=tenant, since=start, until=end, bucket=bucket,
                  recent_days=recent_days)


def build_insights(store: HistoryStore, window: Window, *, embedder: Embedder | None = None,
                   analyzer: MessageAnalyzer | None = None,
                   languages: Sequence[str] = ("es", "en")) -> InsightsReport:
    """Every figure of the report for ``window``."""
    activity = load_activity(store.engine, window.tenant, window.since, window.until)
    contacts = contacts_of(activity, analyzer, languages)
    return InsightsReport(
        window=window, generated_at=now(),
        analyzer=type(analyzer).__name__ if analyzer is not None else None,
        volume=metrics.volume(contacts, window),
        containment=metrics.containment(activity.threads, window),
        escalation_reasons=metrics.escalation_reasons(activity.threads),
        feedback=metrics.feedback(activity.feedback),
        csat=metrics.csat(activity.tickets, window),
        gaps=gaps.gaps(activity, window, embedder),
        churn=churn.churn_risk(contacts, activity.customers, window))


def insights(store: HistoryStore, tenant: str, *, since: str | datetime | None = None,
             until: str | datetime | None = None, bucket: str = "week",
             embedder: Embedder | None = None, analyzer: MessageAnalyzer | None = None,
             languages: Sequence[str] = ("es", "en")) -> InsightsReport:
    """The insights report of ``tenant`` (see ``resolve_window`` for the defaults)."""
    window = resolve_window(store, tenant, since, until, bucket)
    return build_insights(store, window, embedder=embedder, analyzer=analyzer,
                          languages=languages)
