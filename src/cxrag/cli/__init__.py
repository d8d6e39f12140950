"""The ``cxrag`` command line: one module per command group, wired into one typer app here.

Nothing else in cxrag imports this package. Each command imports what it needs when it
runs, so ``cxrag --help`` starts quickly.
"""

from __future__ import annotations

import sys

import typer

from cxrag.cli import ask, evals, insights, jobs, knowledge, privacy, serve, store, triage
from cxrag.cli.common import ERROR_EXIT, console
from cxrag.errors import CxragError

app = typer.Typer(help="cxrag: offline customer-experience assistant.", no_args_is_help=True)
# The order here is the order of ``cxrag --help``: commands first, then the groups.
app.command("ingest")(knowledge.ingest)
app.command("search")(knowledge.search)
app.command("ask")(ask.ask)
app.command("import-customers")(store.import_customers)
app.command("import-tickets")(store.import_tickets)
app.command("serve")(serve.serve)
app.command("model-server")(serve.model_server)
app.command("worker")(jobs.worker)
app.command("job")(jobs.job)
app.command("insights")(insights.insights_command)
app.add_typer(evals.eval_app, name="eval")
app.add_typer(triage.triage_app, name="triage")
app.add_typer(privacy.privacy_app, name="privacy")

__all__ = ["app", "main"]


def main() -> None:
    """Entry point."""
    try:
        app()
    except CxragError as exc:  # pragma: no cover - last resort
        console.print(f"[red]error[/red] ({exc.code}): {exc.detail}")
        sys.exit(ERROR_EXIT)
