"""Past tickets rank after the help-centre articles (``ticket_penalty``), and stay findable."""

import json
from pathlib import Path

from cxrag.knowledge import Knowledge
from cxrag.retrieve.fusion import Weights

TICKET = {
    "id": "TK-9", "customer_id": "C0001", "channel": "email", "language": "en",
    "subject": "Do gift cards expire?", "status": "solved", "tags": ["gift-cards"],
    "created_at": "2026-08-01T10:00:00Z", "updated_at": "2026-08-02T10:00:00Z",
    "messages": [{"author": "customer", "time": "2026-08-01T10:00:00Z",
                  "body": "Do gift cards expire? My gift card is from 2024."}],
    "resolution": "Gift cards never expire; the agent checked the card balance.",
}


def test_an_article_outranks_a_ticket_by_default_and_the_ticket_stays_findable(
        knowledge: Knowledge, sample_kb: Path, tmp_path: Path) -> None:
    tickets = tmp_path / "tickets"
    tickets.mkdir()
    (tickets / "export.jsonl").write_text(json.dumps(TICKET), encoding="utf-8")
    base = knowledge.get()
    assert base.ingestor.run([sample_kb, tickets]).ok
    query = "do gift cards expire"

    ranked = [h.document_id for h in base.retriever.search(query, k=10).hits]
    assert ranked[0] == "en/gift-cards" and "ticket/TK-9" in ranked

    w = base.retriever.weights
    base.retriever.weights = Weights(w.lexical, w.dense_chunk, w.dense_doc, ticket_penalty=0.0)
    ranked = [h.document_id for h in base.retriever.search(query, k=5).hits]
    assert ranked[0] == "ticket/TK-9"
