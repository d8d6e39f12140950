"""The HTML report: charts, tables, and every stored text escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cxrag.insights.report import write_report
from cxrag.insights.service import insights
from cxrag.store import HistoryStore, TicketRecord
from tests.conftest import FakeEmbedder
from tests.insights.conftest import TENANT

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _hostile_tickets(store: HistoryStore) -> None:
    for ref in ("T-X1", "T-X2"):
        store.record_ticket(TENANT, TicketRecord(
            ref, "C0001", SCRIPT, "open", channel="email", category="<i>shipping</i>",
            created_at=datetime(2026, 9, 20, tzinfo=UTC),
            customer_text="cancel my subscription"))


def test_the_report_on_the_sample_tickets_has_charts_and_tables(
        store: HistoryStore, tmp_path: Path) -> None:
    _hostile_tickets(store)
    report = insights(store, TENANT, bucket="month", embedder=FakeEmbedder())
    path = write_report(report, tmp_path / "out" / "nested")
    assert path == tmp_path / "out" / "nested" / "index.html"
    html = path.read_text(encoding="utf-8")
    assert html.count("<svg") >= 5  # category, channel, language, CSAT, topics
    for title in ("Volume by category", "Volume by channel", "Volume by language",
                  "Ticket CSAT", "Knowledge gaps: questions per topic"):
        assert title in html
    for text in ("Escalation reasons", "Churn risk", "Lucía Fernández García",
                 "CSAT by category", "complaints", "product_support",
                 report.gaps.clusters[0].label):
        assert text in html
    assert "<script" not in html and "<i>shipping" not in html
    assert f'cancellation intent: &#34;{ESCAPED} cancel my subscription' in html
    assert "&lt;i&gt;shipping&lt;/i&gt;" in html  # the category table


def test_a_topic_example_is_escaped(empty_store: HistoryStore, tmp_path: Path) -> None:
    _hostile_tickets(empty_store)
    report = insights(empty_store, TENANT, embedder=FakeEmbedder())
    (topic,) = report.gaps.clusters
    assert topic.examples[0].text.startswith(SCRIPT)
    html = write_report(report, tmp_path).read_text(encoding="utf-8")
    assert "<script" not in html
    assert f"<li>{ESCAPED}. cancel my subscription <i>(ticket T-X" in html


def test_an_empty_store_still_renders(empty_store: HistoryStore, tmp_path: Path) -> None:
    html = write_report(insights(empty_store, TENANT), tmp_path).read_text(encoding="utf-8")
    assert "No customer shows a churn signal" in html and "<svg" not in html
