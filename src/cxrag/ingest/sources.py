"""Find what to ingest under the paths an operator gives."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from cxrag.ingest.loaders import DOCUMENT_SUFFIXES
from cxrag.ingest.models import Failure, SourceFile
from cxrag.ingest.tickets import TICKET_SUFFIXES

SUPPORTED = DOCUMENT_SUFFIXES | TICKET_SUFFIXES


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_", "~$")) for part in path.relative_to(root).parts)


def discover(path: Path) -> Iterator[SourceFile]:
    """Every file under ``path`` (or ``path`` itself), skipping hidden and ``_``-prefixed ones.

    Unsupported files are yielded too, so they are reported instead of silently ignored.
    """
    path = path.resolve()
    if path.is_file():
        yield SourceFile(path, path.parent)
        return
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        if not _hidden(file, path):
            yield SourceFile(file, path)


def discover_all(paths: Sequence[Path | SourceFile],
                 failures: list[Failure]) -> tuple[list[SourceFile], list[Path]]:
    """Every file under ``paths`` and the folders among them (a missing path is a Failure).
    A ``SourceFile`` is taken as it is (its root decides its document id)."""
    sources: list[SourceFile] = []
    roots: list[Path] = []
    for path in paths:
        if isinstance(path, SourceFile):
            sources.append(path)
            continue
        if not path.exists():
            failures.append(Failure(str(path), "no such file or directory", "not_found"))
            continue
        if path.is_dir():
            roots.append(path.resolve())
        sources.extend(discover(path))
    return sources, roots


def is_ticket_export(source: SourceFile) -> bool:
    """True for helpdesk exports (CSV, JSONL)."""
    return source.path.suffix.lower() in TICKET_SUFFIXES
