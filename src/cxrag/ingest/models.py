"""The data that flows through ingestion.

Documents, sections, chunks and their ids are shared by every stage and live in
``cxrag.documents``; they are re-exported here for older imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cxrag.documents import (  # noqa: F401  (re-exported)
    DOC_VECTOR_KINDS,
    Chunk,
    Document,
    Section,
    chunk_id_for,
    doc_vector_ids,
    split_chunk_id,
    split_doc_vector_id,
    version_of,
)

__all__ = [
    "DOC_VECTOR_KINDS",
    "Chunk",
    "Document",
    "Failure",
    "IngestReport",
    "Section",
    "SourceFile",
    "chunk_id_for",
    "doc_vector_ids",
    "split_chunk_id",
    "split_doc_vector_id",
    "version_of",
]


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
