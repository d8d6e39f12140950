"""Loading helpdesk ticket exports (JSONL or CSV files, or folders of them) into the store."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cxrag.errors import InvalidRequest
from cxrag.store.imports import TICKET_EXPORTS, read_ticket_rows
from cxrag.store.protocols import ConversationStore
from cxrag.store.records import TicketRecord


def ticket_exports(paths: Iterable[Path]) -> list[Path]:
    """The ticket export files named, folders searched recursively, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in TICKET_EXPORTS)
        elif path.suffix.lower() in TICKET_EXPORTS and path.is_file():
            found.append(path)
        else:
            raise InvalidRequest(f"{path}: not a .jsonl/.csv ticket export or a folder",
                                 field="path")
    return found


def import_ticket_exports(store: ConversationStore, tenant: str,
                          paths: Iterable[Path]) -> int:
    """Upsert every ticket of the exports into the store; the number of tickets written."""
    count = 0
    for export in ticket_exports(paths):
        for row in read_ticket_rows(export):
            store.record_ticket(tenant, TicketRecord.from_export_row(row))
            count += 1
    return count
