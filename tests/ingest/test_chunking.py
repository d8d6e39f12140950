from cxrag.documents import Document, Section
from cxrag.ingest.chunking import TokenChunker, embedding_text
from cxrag.text import split_sentences


def _doc(sections: list[Section]) -> Document:
    return Document("d", "Title", "src", "article", "en", "", "abc123def456xyz", sections)


def test_split_sentences_handles_spanish_marks() -> None:
    text = "Hola. ¿Dónde está mi pedido? Llega mañana! Gracias."
    assert split_sentences(text) == ["Hola.", "¿Dónde está mi pedido?", "Llega mañana!", "Gracias."]


def test_chunks_respect_budget_and_never_cut_sentences() -> None:
    sentences = [f"Sentence number {i} explains a policy detail clearly." for i in range(60)]
    doc = _doc([Section(("Title", "Policy"), (" ".join(sentences),))])
    chunker = TokenChunker(max_tokens=64, overlap_tokens=12)
    chunks = chunker.split(doc)
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.n_tokens <= 64
        assert chunker.count(chunk.text) <= 64 + 2  # joining newlines may merge tokens
        for line in chunk.text.split("\n"):
            assert line.endswith("."), f"cut mid-sentence: {line!r}"
        assert chunk.headings == ("Title", "Policy")


def test_overlap_repeats_trailing_sentence() -> None:
    sentences = [f"Fact {i} is here." for i in range(40)]
    doc = _doc([Section(("Title",), tuple(sentences))])
    chunks = TokenChunker(max_tokens=30, overlap_tokens=8).split(doc)
    assert chunks[1].text.split("\n")[0] == chunks[0].text.split("\n")[-1]


def test_heading_path_and_inline_headings() -> None:
    doc = _doc([
        Section(("Title",), ("Intro text.",)),
        Section(("Title", "Returns"), ("Thirty days to return.",)),
    ])
    (chunk,) = TokenChunker(max_tokens=200, overlap_tokens=0).split(doc)
    assert chunk.headings == ("Title",)
    assert chunk.text == "Intro text.\nReturns\nThirty days to return."
    assert embedding_text("Title", chunk).startswith("Title\nIntro")


def test_overlong_sentence_is_hard_split_within_budget() -> None:
    doc = _doc([Section(("Title",), ("word " * 500,))])
    chunks = TokenChunker(max_tokens=50, overlap_tokens=0).split(doc)
    assert all(c.n_tokens <= 50 for c in chunks)
    assert sum(c.n_tokens for c in chunks) >= 500


def test_chunk_ids_are_stable_and_versioned() -> None:
    doc = _doc([Section(("Title",), ("Same text.",))])
    a = TokenChunker(100, 0).split(doc)
    b = TokenChunker(100, 0).split(doc)
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b] == ["d#abc123def456-0"]
