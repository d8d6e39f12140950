"""``cxrag ingest|search``: build a collection from documents and ticket exports, search it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cxrag.cli.common import (
    CollectionOpt,
    TenantOpt,
    console,
    fail,
    load_settings,
    out,
    progress_bar,
)
from cxrag.errors import CxragError, InvalidRequest


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    collection: CollectionOpt = None,
    tenant: TenantOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Drop the collection and rebuild.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    enqueue: Annotated[bool, typer.Option(
        "--enqueue", help="Queue one job for `cxrag worker`s instead of ingesting here "
        "(PostgreSQL); adds and updates, never removes.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="With --enqueue: follow the job.")] = False,
) -> None:
    """Ingest documents (md, html, pdf, docx, txt) and ticket exports (csv, jsonl).

    Exit code 0: everything indexed; 1: some files failed (listed), the rest indexed; 2: error.
    """
    from cxrag.knowledge import Knowledge

    if enqueue:
        if full:
            fail(InvalidRequest("--full rebuilds in place; it cannot be queued"))
        from cxrag.cli.jobs import enqueue as enqueue_paths

        enqueue_paths(paths, collection, tenant, wait)

    try:
        kb = Knowledge(load_settings()).get(collection, tenant)
        with progress_bar("ingest") as progress:
            report = kb.ingestor.run(paths, full=full, progress=progress)
    except CxragError as exc:
        fail(exc)
    if as_json:
        out.print_json(json.dumps(report.as_dict()))
    else:
        _print_report(report.as_dict(), kb.catalog.stats())
    raise typer.Exit(0 if report.ok else 1)


def _print_report(report: dict[str, object], stats: dict[str, int]) -> None:
    table = Table(title="Ingest summary", show_header=False)
    for key in ("documents_seen", "added", "updated", "unchanged", "removed", "chunks_written",
                "failed", "seconds"):
        table.add_row(key.replace("_", " "), str(report[key]))
    table.add_row("collection now", f"{stats['documents']} documents, {stats['chunks']} chunks")
    console.print(table)
    failures = report["failures"]
    assert isinstance(failures, list)
    for failure in failures:  # reasons quote the text that matched: no rich markup in them
        label = "quarantined" if failure["code"] == "quarantined" else "failed"
        console.print(f"[red]{label}[/red] {escape(failure['source'])}: "
                      f"{escape(failure['reason'])}")


def search(
    query: Annotated[str, typer.Argument(help="The question.")],
    collection: CollectionOpt = None,
    tenant: TenantOpt = None,
    k: Annotated[int, typer.Option("-k", help="Number of documents.")] = 5,
    language: Annotated[str | None, typer.Option(help="Only documents in this language.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only documents with this tag.")] = None,
    doc_type: Annotated[str | None, typer.Option(help="article or ticket.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search a collection (hybrid lexical + dense, top-k distinct documents)."""
    from cxrag.index.catalog import Filters
    from cxrag.knowledge import Knowledge

    try:
        kb = Knowledge(load_settings()).get(collection, tenant)
        result = kb.retriever.search(query, k, Filters(language, doc_type, None, tag))
    except CxragError as exc:
        fail(exc)
    if as_json:
        payload = {"query": query, "query_language": result.query_language,
                   "took_ms": round(result.took_ms, 2), "relevance": result.relevance,
                   "results": [h.as_dict() for h in result.hits]}
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    for rank, hit in enumerate(result.hits, 1):
        out.print(f"[bold]{rank}. {hit.title}[/bold]  ({hit.document_id}, {hit.language}, "
                  f"score {hit.score:.3f})\n   {hit.text[:240].replace(chr(10), ' ')}")
    found = "" if result.relevance is None else f", relevance {result.relevance:.2f}"
    console.print(f"{len(result.hits)} results in {result.took_ms:.1f} ms "
                  f"(query language: {result.query_language}{found})")
