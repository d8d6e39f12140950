"""Past tickets from helpdesk exports (JSONL or CSV) become agent-answer knowledge documents.

Only resolved tickets (solved/closed with a resolution) become knowledge, and only their agent
side: the resolution and the agents' messages, under the (redacted) subject. What customers
wrote is never indexed: it is carried in ``Document.unindexed`` for screening only, so a
customer cannot plant instructions that the assistant later repeats to other customers. The
customer id is kept in ``Document.private`` for history and never indexed; personal data in
the text (emails, phone numbers, order ids, links, the customer's name) is redacted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cxrag.documents import Document, Section
from cxrag.errors import DocumentParseError, EmptyDocument
from cxrag.ingest.models import Failure
from cxrag.language import detect_language

TICKET_SUFFIXES = {".jsonl", ".csv"}
RESOLVED = {"solved", "closed", "resolved"}
REQUIRED = ("id", "status", "resolution")  # "ticket_id" stands for "id"
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w-])\+?\d[\d ()-]{7,}\d\b")
ORDER_ID = re.compile(r"\b[A-Z]{2,4}-[A-Z]{2}-\d{4}-\d{3,}\b")  # "TL-ES-2026-004512"
_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)
_QUOTED = re.compile(r"(?m)^\s*>.*$")  # quoted e-mail text in an agent reply: the customer's

# What ``redact`` leaves in place of each kind of personal data; the output guard knows them.
TOKENS = {"link": "[link]", "email": "[email]", "card": "[number]", "order": "[order]",
          "phone": "[phone]", "name": "[customer]"}

TICKET_PREFIX = "ticket/"  # a past ticket's document id: ticket/<ticket id>


def is_ticket(document_id: str) -> bool:
    """Whether ``document_id`` names a past ticket (what an agent answered one customer)."""
    return document_id.startswith(TICKET_PREFIX)


def redact(text: str, names: set[str]) -> str:
    """Remove personal data a knowledge article must never carry."""
    text = _URL.sub(TOKENS["link"], text)  # first: a link may carry an address or a number
    text = _EMAIL.sub(TOKENS["email"], text)
    text = _CARD.sub(TOKENS["card"], text)
    text = ORDER_ID.sub(TOKENS["order"], text)
    text = _PHONE.sub(TOKENS["phone"], text)
    for name in sorted(names, key=len, reverse=True):
        if len(name) > 2:
            text = re.sub(rf"\b{re.escape(name)}\b", TOKENS["name"], text)
    return text


def missing_columns(keys: Iterable[Any]) -> list[str]:
    """The required columns (``REQUIRED``) that a header or a row lacks."""
    present = {str(k).strip() for k in keys if k is not None}
    if "ticket_id" in present:
        present.add("id")
    return [c for c in REQUIRED if c not in present]


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        missing = missing_columns(reader.fieldnames or [])
        if missing:
            found = ", ".join(str(f)[:40] for f in (reader.fieldnames or [])[:8]) or "none"
            raise DocumentParseError(f"{path.name}: not a helpdesk export: missing required "
                                     f"columns {', '.join(missing)} (found: {found})")
        for n, row in enumerate(reader, 2):
            yield n, dict(row)
    except csv.Error as exc:  # a NUL byte, a field over the limit, a broken quote
        yield reader.line_num, f"unreadable CSV ({exc}); the rest of the file was not read"


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, f"invalid JSON ({exc.msg})"
                continue
            yield n, row if isinstance(row, dict) else "not a JSON object"


def _read_rows(path: Path, raw: bytes) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line, row) pairs; a row that cannot be read comes back as its error message."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentParseError(f"{path.name}: not valid UTF-8 ({exc})") from exc
    if path.suffix.lower() == ".jsonl":
        return _jsonl_rows(text)
    return _csv_rows(path, text)


def _messages(row: dict[str, Any]) -> list[dict[str, Any]]:
    value = row.get("messages") or []
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else []
    return [m for m in value if isinstance(m, dict)]


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t.strip() for t in re.split(r"[;,]", value) if t.strip()]
    return [str(t) for t in value or []]


def _not_knowledge(row: dict[str, Any], export: Path) -> bool:
    """True for an unresolved ticket (by design not knowledge); raises for a non-ticket row."""
    status = str(row.get("status") or "").lower()
    if "status" in row and status not in RESOLVED:
        return True
    missing = missing_columns(row)
    if missing:
        raise DocumentParseError(
            f"{export.name}: not a ticket: missing required columns {', '.join(missing)}")
    return not str(row.get("resolution") or "").strip()


def _agent_sections(row: dict[str, Any], msgs: list[dict[str, Any]], subject: str,
                    names: set[str], spanish: bool) -> list[Section]:
    """The resolution and the agents' replies (quoted customer text dropped), redacted."""
    heading_r, heading_a = (("Resolución", "Respuestas del agente") if spanish
                            else ("Resolution", "Agent replies"))
    resolution = redact(str(row.get("resolution") or "").strip(), names)
    replies = [redact(_QUOTED.sub("", str(m.get("body", ""))), names)
               for m in msgs if m.get("author") == "agent"]
    paragraphs = tuple(p.strip() for r in replies for p in r.split("\n") if p.strip())
    sections = [Section((subject, heading_r), (resolution,))]
    return sections + [Section((subject, heading_a), paragraphs)] if paragraphs else sections


def ticket_to_document(row: dict[str, Any], export: Path, languages: list[str]) -> Document | None:
    """A resolved ticket as an agent-answer document (customer text never indexed); None if
    it is not knowledge."""
    if _not_knowledge(row, export):
        return None
    ticket_id = str(row.get("id") or row.get("ticket_id") or "").strip()
    if not ticket_id:
        raise DocumentParseError(f"{export.name}: a ticket has no id")
    msgs = _messages(row)
    names = {str(m.get("name", "")).strip() for m in msgs if m.get("author") == "customer"}
    names |= {part for name in names for part in name.split()}
    subject = redact(str(row.get("subject") or "").strip(), names)
    lang = str(row.get("language") or "") or detect_language(
        subject + "\n" + str(row.get("resolution")), languages)
    canonical = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
    tags = _tags(row.get("tags")) + ([str(row["category"])] if row.get("category") else [])
    return Document(
        doc_id=f"{TICKET_PREFIX}{ticket_id}",
        title=subject or ticket_id,
        source=f"{export.as_posix()}#{ticket_id}",
        doc_type="ticket",
        language=lang,
        updated_at=str(row.get("updated_at") or row.get("created_at") or ""),
        content_hash=hashlib.sha256(canonical.encode()).hexdigest(),
        sections=_agent_sections(row, msgs, subject, names, lang == "es"),
        tags=sorted(set(tags)),
        product=str(row["product"]) if row.get("product") else None,
        format=export.suffix.lstrip("."),
        private={"customer_id": str(row.get("customer_id") or ""), "ticket_id": ticket_id},
        unindexed="\n".join(str(m.get("body", "")) for m in msgs if m.get("author") != "agent"),
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
