"""Knowledge gaps and emerging topics: which questions count, how they group, the labels."""

from __future__ import annotations

import numpy as np
import pytest

from cxrag.insights.gaps import cluster, gaps
from cxrag.insights.service import insights, resolve_window
from cxrag.store import HistoryStore
from cxrag.store.analytics import load_activity
from tests.conftest import FakeEmbedder
from tests.insights.conftest import TENANT, ticket_rows

UNGROUNDED = {"grounded": False, "handoff": None, "language": "en"}
GROUNDED = {"grounded": True, "handoff": None, "language": "en"}
NO_ANSWER = {"grounded": False, "language": "en",
             "handoff": {"reason": "no_answer", "queue": "support-en", "summary": "..."}}


def _ask(store: HistoryStore, visitor: str, question: str, meta: dict[str, object]) -> str:
    conv, _ = store.begin_turn(TENANT, channel="web", visitor_id=visitor, text=question)
    store.add_message(TENANT, conv.id, role="assistant", channel="web", text="...", meta=meta,
                      visitor_id=visitor)
    return conv.id


def test_unanswered_questions_group_into_topics(empty_store: HistoryStore) -> None:
    store = empty_store
    gift = [_ask(store, "v1", "How do I check my gift card balance?", UNGROUNDED),
            _ask(store, "v2", "gift card balance check please", NO_ANSWER),
            _ask(store, "v3", "check the balance of my gift card", GROUNDED)]
    store.hand_off(TENANT, gift[2], channel="web", text="s", visitor_id="v3",
                   meta={"handoff": {"reason": "requested"}})  # the button, after an answer
    warranty = [_ask(store, "v4", "Luma speaker warranty repair", UNGROUNDED),
                _ask(store, "v5", "repair under warranty for my Luma speaker", UNGROUNDED)]
    _ask(store, "v6", "What time does the Madrid store open?", GROUNDED)  # answered: no gap

    window = resolve_window(store, TENANT)
    result = gaps(load_activity(store.engine, TENANT, window.since, window.until), window,
                  FakeEmbedder(), threshold=0.6)
    assert (result.questions, result.unclustered, result.embedder) == (5, 0, "fake-hash-64")
    first, second = result.clusters
    assert (first.size, first.tickets, first.ungrounded, first.handed_off) == (3, 0, 1, 2)
    assert first.share_unanswered == 1.0
    assert {"gift", "card", "balance"} <= set(first.terms)
    assert sorted(e.ref for e in first.examples) == sorted(gift)
    assert {e.outcome for e in first.examples} == {"ungrounded", "handoff"}
    assert (second.size, second.ungrounded) == (2, 2)
    assert {"warranty", "repair", "speaker"} & set(second.label.split(", "))
    assert {e.ref for e in second.examples} == set(warranty)
    assert all(c.emerging and c.recent == c.size and c.previous == 0 for c in result.clusters)
    assert result.emerging == [first.id, second.id]  # the faster growth first


def test_without_an_embedder_the_questions_are_counted_not_grouped(store: HistoryStore) -> None:
    result = insights(store, TENANT).gaps
    assert (result.questions, result.clusters, result.note) == (
        len(ticket_rows()), [], "no embedder configured")


@pytest.mark.slow
def test_topics_of_the_sample_tickets_with_the_real_embedder(store: HistoryStore) -> None:
    from cxrag.embed import build_embedder
    from cxrag.settings import Settings

    embedder = build_embedder(Settings(_env_file=None).embedding)  # type: ignore[call-arg]
    result = insights(store, TENANT, embedder=embedder).gaps
    subjects = {str(r["id"]): str(r["subject"]) for r in ticket_rows()}
    assert result.questions == len(subjects) and result.embedder == embedder.model_id
    assert 5 <= len(result.clusters) <= 15
    for topic in result.clusters:
        assert topic.size >= 2 and topic.tickets == topic.size and topic.terms
        assert 1 <= len(topic.examples) <= 3
        assert all(e.ref in subjects and e.text.startswith(subjects[e.ref][:20])
                   for e in topic.examples)
    invoices = next(t for t in result.clusters if "factura" in t.terms)
    assert all("factura" in e.text.lower() for e in invoices.examples)
    gift_cards = next(t for t in result.clusters if "regalo" in t.terms)
    assert all("regalo" in e.text.lower() for e in gift_cards.examples)
    assert set(result.emerging) <= {t.id for t in result.clusters if t.recent > t.previous}


def test_rows_without_a_direction_are_topics_of_their_own() -> None:
    # A question the embedder found no tokens in is a zero vector: cosine distance to it is
    # undefined, and once made /v1/insights answer 500 (found by the API fuzz test).
    vectors = np.array([[1, 0, 0], [0.99, 0.1, 0], [0, 0, 0], [0, 1, 0], [np.nan, 0, 0]],
                       dtype=np.float32)
    labels = cluster(vectors, threshold=0.2)
    assert labels[0] == labels[1]
    assert len({labels[0], labels[2], labels[3], labels[4]}) == 4
    assert list(cluster(np.zeros((2, 3), dtype=np.float32), 0.2)) == [1, 2]
    assert list(cluster(np.ones((1, 3), dtype=np.float32), 0.2)) == [1]
