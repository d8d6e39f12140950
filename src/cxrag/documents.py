"""The shared vocabulary of the knowledge base: documents, sections, chunks and their ids.

Every stage speaks it: ingest makes these, the catalogue and the indexes store them, search
reads them back. It imports nothing from cxrag, so any stage may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def version_of(content_hash: str) -> str:
    """The short version tag of a document's content, carried by its chunk and vector ids."""
    return content_hash[:12]


# Ids carry their document and version, so search can tell a committed chunk or vector from a
# stale one without reading any metadata: ``{doc_id}#{version}-{index}`` for a chunk,
# ``{doc_id}#{version}#{kind}`` for a document-level vector. A doc id may itself contain '#'.
DOC_VECTOR_KINDS = ("centroid", "title")


def chunk_id_for(doc_id: str, version: str, index: int) -> str:
    """The id of a document version's ``index``-th chunk."""
    return f"{doc_id}#{version}-{index}"


def split_chunk_id(chunk_id: str) -> tuple[str, str]:
    """(doc_id, version) of a chunk id."""
    doc_id, _, rest = chunk_id.rpartition("#")
    return doc_id, rest.rpartition("-")[0]


def doc_vector_ids(doc_id: str, version: str) -> list[str]:
    """Ids of a document version's centroid and title vectors."""
    return [f"{doc_id}#{version}#{kind}" for kind in DOC_VECTOR_KINDS]


def split_doc_vector_id(vector_id: str) -> tuple[str, str, str]:
    """(doc_id, version, kind) of a document-level vector id."""
    head, _, kind = vector_id.rpartition("#")
    doc_id, _, version = head.rpartition("#")
    return doc_id, version, kind


@dataclass(frozen=True)
class Section:
    """A run of text blocks under one heading path."""

    headings: tuple[str, ...]
    blocks: tuple[str, ...]


@dataclass
class Document:
    """One knowledge document (an article, or a resolved ticket turned into Q&A)."""

    doc_id: str
    title: str
    source: str
    doc_type: str
    language: str
    updated_at: str
    content_hash: str
    sections: list[Section]
    tags: list[str] = field(default_factory=list)
    product: str | None = None
    format: str = ""
    # Kept in the catalogue for customer history, never indexed or returned by search.
    private: dict[str, str] = field(default_factory=dict)
    # Source text kept out of the index (a ticket's customer messages): screened at ingest,
    # never stored.
    unindexed: str = field(default="", repr=False)

    @property
    def version(self) -> str:
        """This content's version tag (see ``version_of``)."""
        return version_of(self.content_hash)

    @property
    def text(self) -> str:
        """All the text, for language detection and hashing."""
        return "\n".join(b for s in self.sections for b in s.blocks)


@dataclass(frozen=True)
class Chunk:
    """A token-bounded slice of a document, with its heading path."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    headings: tuple[str, ...]
    n_tokens: int
