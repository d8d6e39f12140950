"""Packing passages into a token budget."""

from cxrag.compose.context import ContextPacker
from cxrag.retrieve.hybrid import SearchHit


def hit(doc: str, text: str, score: float) -> SearchHit:
    return SearchHit(doc, f"{doc}#v-0", doc.title(), f"kb/{doc}.md", score, text, "en",
                     "article", (), (), None, "2026-01-01")


SENTENCE = "Returns are free within thirty days of delivery for every order."
LONG = " ".join([SENTENCE] * 8)


def test_most_relevant_first_and_numbered_for_citation() -> None:
    packer = ContextPacker(budget=400)
    hits = [hit("low", "Low relevance text.", 0.1), hit("high", "High relevance text.", 0.9)]
    passages = packer.pack(hits)
    assert [p.document_id for p in passages] == ["high", "low"]
    assert [p.number for p in passages] == [1, 2]


def test_budget_is_respected_and_long_passages_trimmed_at_sentences() -> None:
    packer = ContextPacker(budget=200)
    hits = [hit("a", LONG, 0.9), hit("b", LONG, 0.8), hit("c", "tiny.", 0.1)]
    passages = packer.pack(hits)
    total = sum(p.tokens + packer.count(p.title) + 4 for p in passages)
    assert total <= 200
    assert passages[0].text == LONG  # fits whole
    # the second is trimmed to whole sentences, never cut mid-sentence
    assert [p.document_id for p in passages[:2]] == ["a", "b"]
    assert passages[1].text.endswith(SENTENCE) and passages[1].tokens < packer.count(LONG)
    assert passages[1].text.count(SENTENCE) >= 1


def test_nothing_fits_gives_nothing() -> None:
    assert ContextPacker(budget=10).pack([hit("a", " ".join([SENTENCE] * 20), 0.9)]) == []


def test_focus_keeps_the_sentences_closest_to_the_question_in_their_order() -> None:
    from cxrag.embed.cache import SentenceVectors
    from tests.conftest import FakeEmbedder

    text = ("Our shop opens every day of the year. Returns are free within thirty days of "
            "delivery. Refunds reach your card within five business days. Related articles\n"
            "Gift cards and vouchers for every season are sold online.")
    hits = [hit("returns", text, 0.9), hit("returns-copy", text, 0.8),
            hit("other", "Stores are open on Sundays in the summer.", 0.5)]
    question = "are returns free within thirty days"
    tight = ContextPacker(budget=50, sentences=SentenceVectors(FakeEmbedder()), max_passages=2)
    passages = tight.pack(hits, question)
    assert [p.document_id for p in passages] == ["returns"]
    assert passages[0].text == ("Returns are free within thirty days of delivery. Refunds reach "
                                "your card within five business days. Gift cards and vouchers "
                                "for every season are sold online.")  # closest, in order
    assert sum(p.tokens + tight.count(p.title) + 4 for p in passages) <= 50
    roomy = ContextPacker(budget=80, sentences=SentenceVectors(FakeEmbedder()), max_passages=2)
    passages = roomy.pack(hits, question)
    assert [p.document_id for p in passages] == ["returns", "other"]  # the copy is sent once
    assert "Related articles" not in passages[0].text  # too short to state a fact


def test_chunks_of_one_article_become_one_passage_in_document_order() -> None:
    from cxrag.embed.cache import SentenceVectors
    from cxrag.retrieve.hybrid import SearchHit
    from tests.conftest import FakeEmbedder

    def chunk(doc: str, index: int, text: str, score: float) -> SearchHit:
        return SearchHit(doc, f"{doc}#v-{index}", doc.title(), f"kb/{doc}.md", score, text,
                         "en", "article", (), (), None, "2026-01-01")

    hits = [chunk("shipping", 3, "Parcels to a PO box must weigh 20 lb or less.", 0.9),
            chunk("returns", 0, "Returns are free within thirty days of delivery.", 0.8),
            chunk("shipping", 1, "We ship to PO boxes with USPS standard shipping.", 0.7)]
    packer = ContextPacker(budget=120, sentences=SentenceVectors(FakeEmbedder()))
    passages = packer.pack(hits, "can you ship to my PO box, is there a weight limit")
    assert [(p.number, p.document_id) for p in passages] == [(1, "shipping"), (2, "returns")]
    assert passages[0].text == ("We ship to PO boxes with USPS standard shipping. Parcels to a "
                                "PO box must weigh 20 lb or less.")
