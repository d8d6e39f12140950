"""Past tickets from helpdesk exports (JSONL or CSV) become Q&A knowledge documents.

Only resolved tickets (solved/closed with a resolution) become knowledge. The customer id is
kept in ``Document.private`` for history and never indexed; personal data in the text
(emails, phone numbers, order ids, the customer's name) is redacted before indexing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cxrag.errors import DocumentParseError, EmptyDocument
from cxrag.ingest.models import Document, Failure, Section
from cxrag.language import detect_language

TICKET_SUFFIXES = {".jsonl", ".csv"}
RESOLVED = {"solved", "closed", "resolved"}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w-])\+?\d[\d ()-]{7,}\d\b")
_ORDER = re.compile(r"\b[A-Z]{2,4}-[A-Z]{2}-\d{4}-\d{3,}\b")
_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")


def redact(text: str, names: set[str]) -> str:
    """Remove personal data a knowledge article must never carry."""
    text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[number]", text)
    text = _ORDER.sub("[order]", text)
    text = _PHONE.sub("[phone]", text)
    for name in sorted(names, key=len, reverse=True):
        if len(name) > 2:
            text = re.sub(rf"\b{re.escape(name)}\b", "[customer]", text)
    return text


def _read_rows(path: Path, raw: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line, row) pairs; a row that cannot be read comes back as its error message."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentParseError(f"{path.name}: not valid UTF-8 ({exc})") from exc
    if path.suffix.lower() == ".jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, f"invalid JSON ({exc.msg})"
                    continue
                yield n, row if isinstance(row, dict) else "not a JSON object"
        return
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), 2):
        yield n, dict(row)


def _messages(row: dict[str, Any]) -> list[dict[str, Any]]:
    value = row.get("messages") or []
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    return [m for m in value if isinstance(m, dict)]


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in re.split(r"[;,]", value) if t.strip()]
    return [str(t) for t in value or []]


def ticket_to_document(row: dict[str, Any], export: Path, languages: list[str]) -> Document | None:
    """A resolved ticket as a (question, resolution) document; None if not knowledge."""
    status = str(row.get("status") or "").lower()
    resolution = str(row.get("resolution") or "").strip()
    if status not in RESOLVED or not resolution:
        return None
    ticket_id = str(row.get("id") or row.get("ticket_id") or "").strip()
    if not ticket_id:
        raise DocumentParseError(f"{export.name}: a ticket has no id")
    msgs = _messages(row)
    names = {str(m.get("name", "")).strip() for m in msgs if m.get("author") == "customer"}
    names |= {part for name in names for part in name.split()}
    question = [str(m.get("body", "")) for m in msgs if m.get("author") == "customer"][:2]
    subject = redact(str(row.get("subject") or "").strip(), names)
    q_text = redact("\n".join(question), names)
    lang = str(row.get("language") or "") or detect_language(subject + "\n" + q_text, languages)
    spanish = lang == "es"
    heading_q, heading_r = ("Consulta", "Resolución") if spanish else ("Question", "Resolution")
    sections = [
        Section((subject, heading_q), tuple(p for p in q_text.split("\n") if p.strip())),
        Section((subject, heading_r), (redact(resolution, names),)),
    ]
    canonical = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    tags = _tags(row.get("tags"))
    if row.get("category"):
        tags.append(str(row["category"]))
    return Document(
        doc_id=f"ticket/{ticket_id}",
        title=subject or ticket_id,
        source=f"{export.as_posix()}#{ticket_id}",
        doc_type="ticket",
        language=lang,
        updated_at=str(row.get("updated_at") or row.get("created_at") or ""),
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        sections=sections,
        tags=sorted(set(tags)),
        product=str(row["product"]) if row.get("product") else None,
        format=export.suffix.lstrip("."),
        private={"customer_id": str(row.get("customer_id") or ""), "ticket_id": ticket_id},
    )


def load_ticket_export(
    path: Path, raw: bytes, languages: list[str]
) -> tuple[list[Document], list[Failure]]:
    """Every resolved ticket of an export, and a Failure (file:line, reason) per bad row."""
    if not raw.strip():
        raise EmptyDocument(f"{path.name}: file is empty")
    docs: list[Document] = []
    failures: list[Failure] = []
    for line, row in _read_rows(path, raw):
        where = f"{path.as_posix()}:{line}"
        if isinstance(row, str):
            failures.append(Failure(where, row, DocumentParseError.code))
            continue
        try:
            doc = ticket_to_document(row, path, languages)
        except (ValueError, TypeError, DocumentParseError) as exc:
            failures.append(Failure(where, str(exc), DocumentParseError.code))
            continue
        if doc is not None:
            docs.append(doc)
    if not docs and failures:
        raise DocumentParseError(f"{path.name}: no readable ticket ({failures[0].reason})")
    return docs, failures
