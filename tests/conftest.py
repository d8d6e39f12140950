"""Shared fixtures: a fake embedder (same Protocol), sample documents of every format."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import make_url

import cxrag  # noqa: F401  (applies the offline environment defaults first)
from cxrag.embed.base import Vectors, normalise
from cxrag.generate.client import ChatResult, Messages
from cxrag.knowledge import Knowledge
from cxrag.settings import Settings


class FakeEmbedder:
    """Bag of hashed words: deterministic, instant, similar texts get similar vectors."""

    model_id = "fake-hash-64"
    dimension = 64

    def __init__(self) -> None:
        self.calls = 0

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        return vec

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return normalise(np.vstack([self._one(t) for t in texts]))

    def embed_query(self, text: str) -> Vectors:
        return self.embed_documents([text])[0]


class FakeChat:
    """A ChatModel answering from a script: replies (or exceptions), one per call; when the
    script runs out it repeats its default."""

    def __init__(self, *script: str | Exception, default: str = "NO_ANSWER") -> None:
        self.script = list(script)
        self.default = default
        self.calls: list[Messages] = []

    def _next(self, messages: Messages) -> str:
        self.calls.append(messages)
        item = self.script.pop(0) if self.script else self.default
        if isinstance(item, Exception):
            raise item
        return item

    def complete(self, messages: Messages, **opts: Any) -> ChatResult:
        return ChatResult(self._next(messages), "fake", 1.0,
                          {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120})

    def stream(self, messages: Messages, *, usage: dict[str, int] | None = None,
               **opts: Any) -> Iterator[str]:
        text = self._next(messages)
        for word in text.split(" "):
            yield word + " "
        if usage is not None:
            usage.update({"input_tokens": 100, "output_tokens": len(text.split(" "))})


def write_docx(path: Path, title: str, sections: list[tuple[str, str]]) -> Path:
    """A real .docx with Heading 1/2 styles."""
    from docx import Document

    doc = Document()
    doc.add_heading(title, 1)
    for heading, text in sections:
        doc.add_heading(heading, 2)
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def write_pdf(path: Path, title: str, sections: list[tuple[str, str]]) -> Path:
    """A real text PDF with bold headings."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, title)
    pdf.ln(14)
    for heading, text in sections:
        pdf.set_font("Helvetica", "B", 13)
        pdf.cell(0, 8, heading)
        pdf.ln(10)
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, text)
        pdf.ln(4)
    pdf.output(str(path))
    return path


@pytest.fixture
def sample_kb(tmp_path: Path) -> Path:
    """A small bilingual knowledge base with every supported format."""
    kb = tmp_path / "kb"
    (kb / "es").mkdir(parents=True)
    (kb / "en").mkdir(parents=True)
    (kb / "es" / "devoluciones.md").write_text(
        "---\ntitle: Devoluciones\nupdated: 2026-10-01\ntags: [returns]\n---\n"
        "# Devoluciones\n\nTienes 30 días naturales para devolver un pedido. La devolución es "
        "gratuita en la península.\n\n## Cómo devolver\n\nEntra en Mis pedidos y pulsa "
        "Devolver. Imprime la etiqueta.\n", encoding="utf-8")
    (kb / "en" / "shipping.html").write_text(
        "<html><head><title>Shipping</title></head><body><h1>Shipping times</h1>"
        "<p>Orders ship within 24 hours. Standard delivery takes 3 to 5 business days.</p>"
        "<h2>Tracking</h2><p>You receive a tracking link by email when the parcel leaves."
        "</p></body></html>", encoding="utf-8")
    (kb / "en" / "gift-cards.txt").write_text(
        "Gift cards\n\nGift cards never expire and can be used on any product sold by us.\n",
        encoding="utf-8")
    write_docx(kb / "es" / "garantia.docx", "Garantía de los dispositivos Luma",
               [("Cobertura", "Todos los dispositivos Luma tienen dos años de garantía."),
                ("Cómo reclamar", "Escríbenos por chat con tu número de pedido.")])
    write_pdf(kb / "en" / "night-vision.pdf", "Luma Cam night vision",
              [("Infrared", "The Luma Cam switches to infrared night vision below 10 lux."),
               ("Troubleshooting", "If the image is white at night, clean the lens and "
                "move the camera away from windows.")])
    return kb


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


# CXRAG_TEST_CONFIG=server runs the suite on the server configuration: every test's settings
# point CXRAG_DATABASE_URL at a database of its own on the local PostgreSQL (history,
# catalogue and lexical index there), copied from one made and migrated once per session.
SERVER = os.environ.get("CXRAG_TEST_CONFIG", "embedded") == "server"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """In the server configuration, a migrated database with the catalogue's and lexical
    index's tables, the template each test's database is copied from."""
    if not SERVER:
        yield None
        return
    from cxrag.index.lexical_pg import METADATA as LEXICAL
    from cxrag.index.schema import create_tables
    from cxrag.store import migrate
    from cxrag.store.db import make_engine
    from tests.databases import temporary_postgres

    with temporary_postgres() as url:
        engine = make_engine(url)
        migrate(engine)
        create_tables(engine)
        create_tables(engine, LEXICAL)
        engine.dispose()
        yield make_url(url).database


@pytest.fixture
def settings(tmp_path: Path, postgres_template: str | None) -> Iterator[Settings]:
    made = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    # The fake embedder's bag-of-words cosine says nothing about whether an answer is on the
    # question's topic: that rule is tested with the real embedder (tests/guard/test_relevance.py).
    made.guard.min_answer_relevance = 0.0
    if postgres_template is None:
        yield made
        return
    from tests.databases import temporary_postgres

    with temporary_postgres(postgres_template) as url:
        made.database_url = url
        made.jobs.queue = "local"  # uploads run in the app; tests/jobs run real workers
        yield made


@pytest.fixture
def knowledge(settings: Settings, fake_embedder: FakeEmbedder) -> Iterator[Knowledge]:
    k = Knowledge(settings, embedder=fake_embedder)
    yield k
    k.close()
