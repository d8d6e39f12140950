"""Past tickets rank after the help-centre articles (``ticket_penalty``), and stay findable."""

import json
from pathlib import Path
from typing import Any

from cxrag.index.catalog import StoredChunk
from cxrag.knowledge import Knowledge
from cxrag.retrieve.fusion import Weights
from cxrag.retrieve.hybrid import Evidence, HybridRetriever

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


class _Chunks:
    """The catalogue's one call the ranking makes: the picked chunks' text."""

    def fetch_chunks(self, ids: list[str]) -> dict[str, StoredChunk]:
        return {c: StoredChunk(c, c.split("#")[0], 0, c, (), c, c, "", "en", (), None, "")
                for c in ids}


def _evidence() -> Evidence:
    """An article ranked first among documents, and a ticket whose one chunk is the best
    match on both legs (it repeats the question), among 40 weak chunks."""
    lexical = {"article#0": 9.0, "article#1": 4.0, "ticket#0": 14.0}
    dense = {"article#0": 0.62, "article#1": 0.55, "ticket#0": 0.80}
    for i in range(40):
        lexical[f"other{i}#0"], dense[f"other{i}#0"] = 1.0 + i % 3, 0.30 + 0.002 * i
    chunk_doc = {c: c.split("#")[0] for c in lexical}
    docs = set(chunk_doc.values())
    return Evidence("en", lexical, dense, chunk_doc, {}, {
        d: 0.7 if d == "article" else 0.6 if d == "ticket" else 0.3 for d in docs},
        dict.fromkeys(docs, "en"), {d: "ticket" if d == "ticket" else "article" for d in docs})


def test_reply_passages_put_the_article_before_a_ticket_that_repeats_the_question() -> None:
    """The reply path ranks chunks (``group_by_document=False``): a chunk's own evidence
    carries its ticket's penalty, so the article's chunks come first, as the documents do,
    and the ticket still follows; without the penalty the ticket comes first."""
    legs: Any = None  # the ranking reads the evidence only
    catalog: Any = _Chunks()
    retriever = HybridRetriever(catalog, legs, legs, legs, Weights(ticket_penalty=3.0),
                                ["en"])
    evidence = _evidence()
    documents = retriever.rank_documents(evidence)
    assert max(documents, key=documents.__getitem__) == "article"

    ranked = [h.chunk_id for h in retriever._rank(evidence, 4, group=False)]
    assert ranked[:2] == ["article#0", "article#1"] and "ticket#0" in ranked

    retriever.weights = Weights(ticket_penalty=0.0)
    assert retriever._rank(evidence, 4, group=False)[0].chunk_id == "ticket#0"
