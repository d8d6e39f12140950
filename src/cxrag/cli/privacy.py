"""``cxrag privacy forget|purge``: delete a customer's data on request, apply the retention."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from cxrag.cli.common import fail, load_settings, out
from cxrag.errors import CxragError

if TYPE_CHECKING:
    from cxrag.settings import Settings
    from cxrag.store import HistoryStore

privacy_app = typer.Typer(help="Personal data: delete a customer's data, purge old "
                          "conversations and drafts.", no_args_is_help=True)

TenantOpt = Annotated[str | None, typer.Option("--tenant", help="Tenant (default: settings).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")]


@privacy_app.command("forget")
def forget(
    customer_id: Annotated[str, typer.Argument(help="The customer's id.")],
    tenant: TenantOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask to confirm.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete everything stored about a customer (profile, orders, events, tickets,
    conversations, drafts, feedback). Exit code 2: no such customer."""
    settings = load_settings()
    tenant = tenant or settings.tenant
    if not yes:
        typer.confirm(f"Delete every record of customer {customer_id!r} in tenant {tenant!r}?",
                      abort=True)
    counts = _with_store(settings, lambda store: store.forget_customer(tenant, customer_id))
    _print(counts, as_json, f"customer {customer_id!r}")


@privacy_app.command("purge")
def purge(
    older_than_days: Annotated[int | None, typer.Option(
        "--older-than-days", min=0, help="Default: privacy.retention_days; 0 keeps all.")] = None,
    tenant: TenantOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Delete conversations (with their messages and feedback) last updated, and drafts
    created, more than N days ago."""
    settings = load_settings()
    days = settings.privacy.retention_days if older_than_days is None else older_than_days
    if days == 0:
        if as_json:
            out.print_json(json.dumps({"deleted": {}}))
        else:
            out.print("nothing to do: retention is off (privacy.retention_days = 0)")
        return
    cutoff = datetime.now(UTC) - timedelta(days=days)
    tenant = tenant or settings.tenant
    counts = _with_store(settings, lambda store: store.purge(tenant, cutoff))
    _print(counts, as_json, f"what is older than {cutoff:%Y-%m-%d %H:%M} UTC")


def _with_store(settings: Settings, call: Callable[[HistoryStore], dict[str, int]]
                ) -> dict[str, int]:
    """``call`` on the migrated store; a cxrag error ends the command with exit code 2."""
    from cxrag.store import HistoryStore, migrate

    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate(settings.database)
        store = HistoryStore.from_url(settings.database)
        try:
            return call(store)
        finally:
            store.close()
    except CxragError as exc:
        fail(exc)


def _print(counts: dict[str, int], as_json: bool, what: str) -> None:
    if as_json:
        out.print_json(json.dumps({"deleted": counts}))
    else:
        detail = ", ".join(f"{n} {table}" for table, n in counts.items()) or "no rows"
        out.print(f"deleted {what}: {detail}")
