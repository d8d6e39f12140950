"""The data that flows through ingestion."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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


@dataclass(frozen=True)
class SourceFile:
    """A file to ingest and the root it was found under."""

    path: Path
    root: Path

    @property
    def relative_id(self) -> str:
        """The document id: path under the root without extension, '/'-separated."""
        rel = self.path.relative_to(self.root) if self.path != self.root else Path(self.path.name)
        return rel.with_suffix("").as_posix()


@dataclass
class Failure:
    """A source that could not be ingested, and why."""

    source: str
    reason: str
    code: str


@dataclass
class IngestReport:
    """What an ingest run did."""

    documents_seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    chunks_written: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary."""
        return {
            "documents_seen": self.documents_seen,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": self.skipped,
            "chunks_written": self.chunks_written,
            "failed": len(self.failures),
            "failures": [f.__dict__ for f in self.failures],
            "seconds": round(self.seconds, 3),
        }
