"""Volume, containment, escalation, feedback and CSAT on the sample tickets and on
conversations created through the store's API."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from statistics import fmean

import pytest

from cxrag.errors import InvalidRequest
from cxrag.insights.service import insights
from cxrag.store import HistoryStore
from tests.insights.conftest import TENANT, ticket_rows

HANDOFF = {"queue": "support-en", "summary": "..."}


def _created(row: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(row["created_at"]))


def test_volume_matches_the_source_files(store: HistoryStore) -> None:
    rows = ticket_rows()
    report = insights(store, TENANT, bucket="month")
    v = report.volume
    assert v.total == len(rows) == 175
    assert v.by_source == {"ticket": [sum(1 for r in rows if str(r["created_at"])[:7] == b)
                                      for b in v.buckets]}
    assert v.buckets == ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
    for field, series in (("category", v.by_category), ("channel", v.by_channel),
                          ("language", v.by_language)):
        assert {k: sum(n) for k, n in series.items()} == Counter(r[field] for r in rows), field
    per_month = Counter(str(r["created_at"])[:7] for r in rows if r["language"] == "es")
    assert v.by_language["es"] == [per_month[b] for b in v.buckets]


def test_weekly_buckets_start_on_monday_and_until_includes_its_day(store: HistoryStore) -> None:
    rows = ticket_rows()
    report = insights(store, TENANT, since="2026-06-01", until="2026-06-30", bucket="week")
    june = [r for r in rows if str(r["created_at"]).startswith("2026-06")]
    assert report.volume.total == len(june) > 0
    assert report.volume.buckets[0] == "2026-06-01"  # a Monday
    assert all(datetime.fromisoformat(b).weekday() == 0 for b in report.volume.buckets)
    assert sum(report.volume.by_source["ticket"]) == len(june)
    with pytest.raises(InvalidRequest):
        insights(store, TENANT, bucket="year")
    with pytest.raises(InvalidRequest):
        insights(store, TENANT, since="2026-07-01", until="2026-06-01")
    with pytest.raises(InvalidRequest):
        insights(store, TENANT, since="last tuesday")


def _conversation(store: HistoryStore, owner: dict[str, str], question: str,
                  reply_meta: dict[str, object]) -> tuple[str, int]:
    conv, _ = store.begin_turn(TENANT, channel="web", text=question, **owner)
    reply = store.add_message(TENANT, conv.id, role="assistant", channel="web", text="...",
                              meta=reply_meta, **owner)
    return conv.id, reply.id


def test_containment_escalation_and_feedback(store: HistoryStore) -> None:
    ana, bob = {"customer_id": "C0001"}, {"visitor_id": "visitor-b"}
    good = _conversation(store, ana, "¿Cuánto tarda un envío a Canarias?",
                         {"grounded": True, "handoff": None, "language": "es"})
    bad = _conversation(store, bob, "How do I pair the Luma Cam with Alexa?",
                        {"grounded": False, "language": "en",
                         "handoff": {"reason": "no_answer", **HANDOFF}})
    carl = {"customer_id": "C0002"}
    conv_c, _ = _conversation(store, carl, "My parcel is late", {"grounded": True,
                                                                 "language": "en"})
    store.hand_off(TENANT, conv_c, channel="web", text="summary", meta={
        "handoff": {"reason": "requested", **HANDOFF}}, **carl)
    _conversation(store, {"visitor_id": "visitor-d"}, "I want to talk to a person",
                  {"grounded": False, "language": "en",
                   "handoff": {"reason": "requested_human", **HANDOFF}})
    store.begin_turn(TENANT, channel="web", visitor_id="visitor-e", history=0)  # nobody spoke
    store.rate_message(TENANT, *good, rating=5, **ana)
    store.rate_message(TENANT, *bad, rating=1, **bob)
    draft = store.save_draft(TENANT, ticket={"subject": "x"}, text="draft")
    store.add_feedback(TENANT, "draft", draft.id, accepted=True, edited_text="better",
                       rating=4)

    report = insights(store, TENANT)
    c = report.containment
    assert (c.conversations, c.answered, c.contained, c.handed_off) == (4, 4, 1, 3)
    assert (c.containment_rate, c.escalation_rate) == (0.25, 0.75)
    assert (c.replies, c.ungrounded_replies) == (4, 2)
    assert sum(p.conversations for p in c.by_bucket) == 4
    reasons = {r.reason: (r.count, r.share) for r in report.escalation_reasons}
    assert reasons == {"no_answer": (1, 0.3333), "requested": (1, 0.3333),
                       "requested_human": (1, 0.3333)}
    assert sum(report.volume.by_source["conversation"]) == 4
    assert sum(report.volume.by_language["es"]) == 1 + sum(
        1 for r in ticket_rows() if r["language"] == "es")
    f = report.feedback
    assert (f.replies_rated, f.thumbs_up, f.thumbs_down, f.reply_satisfaction) == (2, 1, 1, 0.5)
    assert (f.drafts_reviewed, f.drafts_accepted, f.drafts_edited, f.draft_mean_rating) == (
        1, 1, 1, 4.0)


def test_csat_matches_the_source_files(store: HistoryStore) -> None:
    rated = [r for r in ticket_rows() if r.get("csat") not in (None, "")]
    scores = [int(str(r["csat"])) for r in rated]
    csat = insights(store, TENANT).csat
    assert csat.rated == len(scores) == 113
    assert csat.mean == round(fmean(scores), 3)
    assert csat.score == round(sum(1 for s in scores if s >= 4) / len(scores), 4)
    assert csat.distribution == {str(v): scores.count(v) for v in range(1, 6)}
    complaints = [int(str(r["csat"])) for r in rated if r["category"] == "complaints"]
    assert csat.by_category["complaints"].mean == round(fmean(complaints), 3)
    assert csat.by_category["complaints"].rated == len(complaints)
    assert len(csat.by_bucket) == len(insights(store, TENANT).volume.buckets)
