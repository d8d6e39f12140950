from pathlib import Path

import pytest

from cxrag.errors import DocumentParseError, EmptyDocument, UnsupportedFormat
from cxrag.ingest.loaders import load_file
from cxrag.ingest.models import SourceFile

LANGS = ["es", "en"]


def _load(kb: Path, rel: str):  # type: ignore[no-untyped-def]
    path = kb / rel
    return load_file(SourceFile(path, kb), path.read_bytes(), LANGS)


def test_markdown_front_matter_and_headings(sample_kb: Path) -> None:
    doc = _load(sample_kb, "es/devoluciones.md")
    assert doc.doc_id == "es/devoluciones"
    assert (doc.title, doc.language, doc.updated_at, doc.tags) == (
        "Devoluciones", "es", "2026-10-01", ["returns"])
    assert doc.format == "md"
    assert ("Devoluciones", "Cómo devolver") in [s.headings for s in doc.sections]
    assert "title:" not in doc.text


def test_html(sample_kb: Path) -> None:
    doc = _load(sample_kb, "en/shipping.html")
    assert doc.title == "Shipping times" and doc.language == "en"
    assert ("Shipping times", "Tracking") in [s.headings for s in doc.sections]


def test_txt(sample_kb: Path) -> None:
    doc = _load(sample_kb, "en/gift-cards.txt")
    assert doc.title == "Gift cards" and "never expire" in doc.text


def test_docx(sample_kb: Path) -> None:
    doc = _load(sample_kb, "es/garantia.docx")
    assert doc.title == "Garantía de los dispositivos Luma" and doc.language == "es"
    assert any(s.headings[-1] == "Cómo reclamar" for s in doc.sections)


def test_pdf(sample_kb: Path) -> None:
    doc = _load(sample_kb, "en/night-vision.pdf")
    assert doc.title == "Luma Cam night vision" and doc.language == "en"
    assert "infrared" in doc.text.lower()
    assert any("Troubleshooting" in s.headings for s in doc.sections)


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", EmptyDocument),
        ("empty.md", b"   \n", EmptyDocument),
        ("latin1.md", "# Título\n\ncañón".encode("latin-1"), DocumentParseError),
        ("broken.docx", b"PK\x03\x04 not a zip", DocumentParseError),
        ("image.png", b"\x89PNG....", UnsupportedFormat),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, name: str, content: bytes,
                                      error: type[Exception]) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error) as info:
        load_file(SourceFile(path, tmp_path), content, LANGS)
    assert name in str(info.value)


def test_markdown_elements_are_those_of_unstructureds_partition_md() -> None:
    """The loader reuses one markdown converter per thread instead of calling partition_md;
    the elements must stay exactly what partition_md gives (same converter, same extensions,
    then unstructured's partition_html), on every markdown article of the sample."""
    from unstructured.partition.md import partition_md

    from cxrag.ingest.loaders import _partition, split_front_matter

    root = Path(__file__).resolve().parents[2] / "knowledge"
    files = sorted(root.rglob("*.md"))
    assert len(files) >= 10
    for path in files:
        body = split_front_matter(path.read_text(encoding="utf-8"))[1]
        ours = [(e.category, e.text, e.metadata.category_depth) for e in _partition(path, body)]
        theirs = [(e.category, e.text, e.metadata.category_depth)
                  for e in partition_md(text=body, metadata_filename=str(path), languages=[""])]
        assert ours == theirs, path.name


def test_fast_non_alpha_ratio_answers_like_unstructureds() -> None:
    import importlib
    import random

    import unstructured.partition.text_type as text_type

    from cxrag.ingest.loaders import prepare_unstructured, under_non_alpha_ratio

    upstream = importlib.reload(text_type).under_non_alpha_ratio
    try:
        assert upstream is not under_non_alpha_ratio
        rnd = random.Random(7)
        texts = ["", " ", "\n\t ", "----BREAK----", "¿Qué tal? 12%", "ÁÉÍ óú ñ", "½ ² x", "a1"]
        texts += ["".join(rnd.choice("aZ1 .,\n¿éñ-_²½\t") for _ in range(rnd.randint(0, 40)))
                  for _ in range(3000)]
        for text in texts:
            for threshold in (0.3, 0.5, 0.8):
                assert under_non_alpha_ratio(text, threshold) == upstream(text, threshold), text
    finally:
        prepare_unstructured()
