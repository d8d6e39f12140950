"""What the command modules share: the consoles, common options, settings, error exits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cxrag.errors import CxragError
from cxrag.settings import Settings

console = Console(stderr=True)
"""Progress, summaries, notes and errors: stderr."""
out = Console()
"""Results (tables, JSON): stdout."""

ERROR_EXIT = 2
"""The exit code of a command ended by a cxrag error (a bad argument, a missing customer...)."""

CollectionOpt = Annotated[str | None, typer.Option("--collection", "-c", help="Collection name.")]
TenantOpt = Annotated[str | None, typer.Option("--tenant", help="Tenant name.")]


def load_settings() -> Settings:
    """The settings (environment, ``.env``), with logging configured from them."""
    from cxrag.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


def fail(exc: CxragError) -> NoReturn:
    """Print ``exc`` (its code and detail) on stderr and exit with :data:`ERROR_EXIT`."""
    console.print(f"[red]error[/red] ({exc.code}): {exc.detail}")
    raise typer.Exit(ERROR_EXIT) from None


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int], None]]:
    """A progress bar on stderr, driven by ``("total", n)`` then ``("advance", k)`` calls."""
    columns = [TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def progress(kind: str, n: int) -> None:
            if kind == "total":
                bar.update(task, total=n)
            else:
                bar.advance(task, n)

        yield progress
