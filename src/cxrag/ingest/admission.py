"""What may enter the index: size limits per file and per document, and screening."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cxrag.documents import Document
from cxrag.errors import DocumentTooLarge
from cxrag.ingest import screening
from cxrag.ingest.models import Failure

QUARANTINED = "quarantined"


@dataclass(frozen=True)
class Admission:
    """The limits a source must respect and whether documents are screened."""

    max_file_mb: float = 20.0
    max_text_chars: int = 2_000_000
    screen: bool = True

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes."""
        return int(self.max_file_mb * 1024 * 1024)

    def file_failure(self, path: Path, size: int) -> Failure | None:
        """Why a file of ``size`` bytes is not parsed at all, or None."""
        if size <= self.max_file_bytes:
            return None
        reason = (f"{size / 1024 / 1024:.1f} MB is over the {self.max_file_mb:g} MB limit "
                  "per file (ingest.max_file_mb)")
        return Failure(str(path), reason, DocumentTooLarge.code)

    def document_failure(self, doc: Document) -> Failure | None:
        """Why ``doc`` may not be indexed (too long, or quarantined by screening), or None."""
        if len(doc.text) > self.max_text_chars:
            reason = (f"{len(doc.text):,} characters of text is over the "
                      f"{self.max_text_chars:,} limit per document (ingest.max_text_chars)")
            return Failure(doc.source, reason, DocumentTooLarge.code)
        if not self.screen:
            return None
        threats = screening.screen(screened_text(doc))
        return Failure(doc.source, screening.describe(threats), QUARANTINED) if threats else None

    def admit(self, docs: list[Document]) -> tuple[list[Document], list[Failure], set[str]]:
        """The documents that may be indexed, a Failure per refused one, and the refused ids."""
        admitted: list[Document] = []
        failures: list[Failure] = []
        refused: set[str] = set()
        for doc in docs:
            failure = self.document_failure(doc)
            if failure is None:
                admitted.append(doc)
            else:
                failures.append(failure)
                refused.add(doc.doc_id)
        return admitted, failures, refused


def screened_text(doc: Document) -> str:
    """Everything of ``doc`` the model could be shown, plus its source text kept out of it."""
    headings = dict.fromkeys(h for s in doc.sections for h in s.headings)
    return "\n".join([doc.title, *headings, doc.text, doc.unindexed])
