"""``cxrag import-customers|import-tickets``: load the history store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxrag.cli.common import console, fail, load_settings
from cxrag.errors import CxragError


def import_customers(
    path: Annotated[Path, typer.Argument(help="customers.json (customers with orders).")],
) -> None:
    """Load customer profiles and orders into the history store (idempotent)."""
    from cxrag.store import HistoryStore, migrate

    settings = load_settings()
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate(settings.database)
        store = HistoryStore.from_url(settings.database)
        counts = store.import_customers_json(settings.tenant, path)
        store.close()
    except CxragError as exc:
        fail(exc)
    console.print(f"imported {counts}")


def import_tickets(
    paths: Annotated[list[Path], typer.Argument(help="Ticket exports (csv, jsonl) or folders.")],
) -> None:
    """Load past tickets into the history store (idempotent): the customers' history, the
    insights report and the repeated-contacts signal of triage read them from there."""
    from cxrag.store import HistoryStore, migrate
    from cxrag.store.tickets import import_ticket_exports

    settings = load_settings()
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate(settings.database)
        store = HistoryStore.from_url(settings.database)
        count = import_ticket_exports(store, settings.tenant, paths)
        store.close()
    except CxragError as exc:
        fail(exc)
    console.print(f"imported {count} tickets")
