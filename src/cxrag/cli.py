"""The ``cxrag`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from cxrag.cx.commands import triage_app
from cxrag.errors import CxragError
from cxrag.insights.commands import insights_command
from cxrag.privacy_commands import privacy_app
from cxrag.settings import Settings

app = typer.Typer(help="cxrag: offline customer-experience assistant.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluation suites.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(triage_app, name="triage")
app.add_typer(privacy_app, name="privacy")
console = Console(stderr=True)
out = Console()

CollectionOpt = Annotated[str | None, typer.Option("--collection", "-c", help="Collection name.")]
TenantOpt = Annotated[str | None, typer.Option("--tenant", help="Tenant name.")]


def _settings() -> Settings:
    from cxrag.logs import configure_logging

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


@contextmanager
def _progress(label: str) -> Iterator[Callable[[str, int], None]]:
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


def _fail(exc: CxragError) -> None:
    console.print(f"[red]error[/red] ({exc.code}): {exc.detail}")
    raise typer.Exit(2)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    collection: CollectionOpt = None,
    tenant: TenantOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Drop the collection and rebuild.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Ingest documents (md, html, pdf, docx, txt) and ticket exports (csv, jsonl).

    Exit code 0: everything indexed; 1: some files failed (listed), the rest indexed; 2: error.
    """
    from cxrag.knowledge import Knowledge

    try:
        kb = Knowledge(_settings()).get(collection, tenant)
        with _progress("ingest") as progress:
            report = kb.ingestor.run(paths, full=full, progress=progress)
    except CxragError as exc:
        _fail(exc)
        return
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


@app.command()
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
        kb = Knowledge(_settings()).get(collection, tenant)
        result = kb.retriever.search(query, k, Filters(language, doc_type, None, tag))
    except CxragError as exc:
        _fail(exc)
        return
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


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The customer's question.")],
    customer: Annotated[str | None, typer.Option("--customer", help="Customer id.")] = None,
    collection: CollectionOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer a question like the chat API does (starts the embedded model unless a remote
    backend is configured)."""
    from cxrag.knowledge import Knowledge
    from cxrag.reply.assistant import Assistant
    from cxrag.reply.chat import ChatTurn

    settings = _settings()
    assistant = None
    try:
        with console.status("starting the model..."):
            assistant = Assistant(settings, Knowledge(settings))
        turn = ChatTurn(settings.tenant, question, "agent", customer,
                        None if customer else "cli")
        with console.status("thinking..."):
            reply = assistant.chat.reply(assistant.responder(collection), turn)
    except CxragError as exc:
        _fail(exc)
        return
    finally:
        if assistant is not None:
            assistant.close()
    if as_json:
        out.print_json(json.dumps(reply, ensure_ascii=False, default=str))
        return
    out.print(reply["answer"])
    for c in reply["citations"]:
        out.print(f"  - {c['title']} ({c['document_id']})")
    if reply["handoff"]:
        out.print(f"[yellow]handoff[/yellow] -> {reply['handoff']['queue']}: "
                  f"{reply['handoff']['reason']}")
    console.print(f"{reply['language']}, {reply['latency_ms'] / 1000:.1f} s, "
                  f"{reply['usage'].get('total_tokens', '?')} tokens, {reply['model']}")


@app.command("import-customers")
def import_customers(
    path: Annotated[Path, typer.Argument(help="customers.json (customers with orders).")],
) -> None:
    """Load customer profiles and orders into the history store (idempotent)."""
    from cxrag.store import HistoryStore, migrate

    settings = _settings()
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate(settings.database)
        store = HistoryStore.from_url(settings.database)
        counts = store.import_customers_json(settings.tenant, path)
        store.close()
    except CxragError as exc:
        _fail(exc)
        return
    console.print(f"imported {counts}")


@app.command("import-tickets")
def import_tickets(
    paths: Annotated[list[Path], typer.Argument(help="Ticket exports (csv, jsonl) or folders.")],
) -> None:
    """Load past tickets into the history store (idempotent): the customers' history, the
    insights report and the repeated-contacts signal of triage read them from there."""
    from cxrag.store import HistoryStore, migrate
    from cxrag.store.tickets import import_ticket_exports

    settings = _settings()
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        migrate(settings.database)
        store = HistoryStore.from_url(settings.database)
        count = import_ticket_exports(store, settings.tenant, paths)
        store.close()
    except CxragError as exc:
        _fail(exc)
        return
    console.print(f"imported {count} tickets")


@eval_app.command("retrieval")
def eval_retrieval(
    kb_dir: Annotated[Path, typer.Option("--kb", help="Knowledge-base directory.")],
    queries: Annotated[Path, typer.Option("--queries", help="queries.jsonl")],
    collection: CollectionOpt = None,
    tenant: TenantOpt = None,
    k: Annotated[int, typer.Option("-k", help="Depth of the ranked lists.")] = 10,
    output: Annotated[Path | None, typer.Option("--output", help="Write JSON here.")] = None,
    mode: Annotated[str | None, typer.Option(help="hybrid, lexical or dense.")] = None,
) -> None:
    """Ingest --kb (reusing an up-to-date collection), run every query, report metrics."""
    from cxrag.evals.retrieval import run_retrieval_eval
    from cxrag.knowledge import Knowledge

    try:
        kb = Knowledge(_settings()).get(collection or _collection_for(kb_dir), tenant)
        report = run_retrieval_eval(kb, kb_dir, queries, k=k, mode=mode, console=console)
    except CxragError as exc:
        _fail(exc)
        return
    _print_metrics(report["metrics"])
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(report, indent=2, ensure_ascii=False))
        console.print(f"wrote {output}")


def _collection_for(kb_dir: Path) -> str:
    import re

    name = re.sub(r"[^a-z0-9_-]+", "-", kb_dir.resolve().name.lower()).strip("-_")
    return f"eval-{name or 'kb'}"[:48].rstrip("-_")


def _print_metrics(metrics: dict[str, float]) -> None:
    table = Table(title="Retrieval evaluation")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    out.print(table)




@eval_app.command("run")
def eval_run(
    suite: Annotated[str, typer.Argument(
        help="golden, fast (the golden cases marked fast), bias, or a suite file.")] = "golden",
    prompt_version: Annotated[str | None, typer.Option(
        "--prompt-version", help="Prompt version to evaluate (default: the deployment's).")]
    = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="Model name on the configured endpoint (remote backends).")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="Run folder (default <data_dir>/eval-runs/<time>-<suite>).")] = None,
    judge: Annotated[str | None, typer.Option(
        help="LLM judge: off, embedded or remote (default from CXRAG_EVAL__JUDGE).")] = None,
    per_group: Annotated[int, typer.Option(
        "--per-group", help="bias: values per attribute and seed.")] = 2,
    limit: Annotated[int | None, typer.Option(help="Only the first N cases.")] = None,
    gate: Annotated[Path | None, typer.Option(
        "--gate", help="thresholds.yaml: exit 1 naming every missed threshold.")] = None,
) -> None:
    """Run a suite through the real reply pipeline, score it, write run.json + report.html."""
    from datetime import UTC, datetime

    from cxrag.evals.gate import check, load_thresholds
    from cxrag.evals.report import write_report
    from cxrag.evals.runner import EvalRunner, resolve_suite, write_run

    settings = _settings()
    if model:
        settings.llm.model = model
    chosen = judge or settings.eval.judge or ("remote" if settings.eval.judge_base_url
                                              else "off")
    if chosen not in {"off", "embedded", "remote"}:
        console.print("[red]error[/red]: --judge is off, embedded or remote")
        raise typer.Exit(2)
    runner = None
    try:
        options = resolve_suite(settings, suite, per_group=per_group,
                                prompt_version=prompt_version, judge=chosen, limit=limit)
        thresholds = load_thresholds(gate) if gate else None
        runner = EvalRunner(settings)
        with console.status("indexing the sample knowledge..."):
            runner.prepare()
        with console.status("starting the model..."):
            runner.assistant()
        with _progress(f"eval {options.suite}") as progress:
            run = runner.run(options, progress)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        folder = out_dir or settings.data_dir / "eval-runs" / f"{stamp}-{options.suite}"
        path = write_run(run, folder)
        misses = check(run, thresholds) if thresholds is not None else None
        if misses is not None:
            write_report(run, folder / "report.html", misses)
    except CxragError as exc:
        _fail(exc)
        return
    finally:
        if runner is not None:
            runner.close()
    _print_eval(run)
    console.print(f"wrote {path} and {path.parent / 'report.html'}")
    if misses:
        for miss in misses:
            console.print(f"[red]gate[/red] {miss}")
        raise typer.Exit(1)
    if misses is not None:
        console.print("[green]gate[/green] every threshold met")


def _print_eval(run: dict[str, object]) -> None:
    metrics = run["metrics"]
    assert isinstance(metrics, dict)
    table = Table(title=f"eval {run['meta']['suite']}")  # type: ignore[index]
    table.add_column("metric")
    table.add_column("all", justify="right")
    groups = metrics["by_category"]
    for group in groups:
        table.add_column(group, justify="right")
    for metric, value in metrics["overall"].items():
        if metric == "cases":
            continue
        table.add_row(metric, f"{value:.2f}", *(
            f"{groups[g][metric]:.2f}" if metric in groups[g] else "" for g in groups))
    table.add_row("cases", str(metrics["overall"]["cases"]),
                  *(str(groups[g]["cases"]) for g in groups))
    out.print(table)
    bias = run.get("bias")
    if isinstance(bias, dict) and bias.get("disparities"):
        from cxrag.evals.bias import FIGURES

        btable = Table(title="bias: disparities (0 = none)")
        btable.add_column("attribute")
        for figure in FIGURES:
            btable.add_column(figure, justify="right")
        for attribute, row in bias["disparities"].items():
            btable.add_row(attribute, *(f"{row[f]:.3f}" for f in FIGURES))
        out.print(btable)


@eval_app.command("compare")
def eval_compare(
    run_a: Annotated[Path, typer.Argument(help="Run A (folder or run.json): the baseline.")],
    run_b: Annotated[Path, typer.Argument(help="Run B: the candidate.")],
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 5000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Per-metric deltas B - A on the shared cases, with 95% bootstrap intervals."""
    from cxrag.evals.compare import compare_runs
    from cxrag.evals.runner import load_run

    try:
        result = compare_runs(load_run(run_a), load_run(run_b), resamples=resamples)
    except CxragError as exc:
        _fail(exc)
        return
    if as_json:
        out.print_json(json.dumps(result, ensure_ascii=False))
        return
    a, b = result["a"], result["b"]
    table = Table(title=f"B - A on {result['paired_cases']} shared cases "
                        f"(A: {a['prompt_version']} {a['model']}, "
                        f"B: {b['prompt_version']} {b['model']})")
    for col in ("metric", "cases", "A", "B", "delta", "95% CI", "verdict"):
        table.add_column(col, justify="left" if col in {"metric", "verdict"} else "right")
    for row in result["metrics"]:
        colour = {"better": "green", "worse": "red"}.get(row["verdict"], "white")
        table.add_row(row["metric"], str(row["cases"]), f"{row['a']:.3f}", f"{row['b']:.3f}",
                      f"{row['delta']:+.3f}", f"[{row['ci_low']:+.3f}, {row['ci_high']:+.3f}]",
                      f"[{colour}]{row['verdict']}[/{colour}]")
    out.print(table)


@eval_app.command("gate")
def eval_gate(
    run_path: Annotated[Path, typer.Argument(help="A run (folder or run.json).")],
    thresholds: Annotated[Path, typer.Option(help="Thresholds file.")] = Path(
        "evals/thresholds.yaml"),
) -> None:
    """Check a finished run against the thresholds; exit 1 naming each missed one."""
    from cxrag.evals.gate import check, load_thresholds
    from cxrag.evals.runner import load_run

    try:
        misses = check(load_run(run_path), load_thresholds(thresholds))
    except CxragError as exc:
        _fail(exc)
        return
    for miss in misses:
        console.print(f"[red]gate[/red] {miss}")
    if misses:
        raise typer.Exit(1)
    console.print("[green]gate[/green] every threshold met")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from cxrag.api.app import create_app

    settings = _settings()
    # On SIGTERM, requests still running after a few seconds are cancelled (their model calls
    # with them) instead of computing answers nobody will read.
    uvicorn.run(create_app(settings), host=host or settings.api.host,
                port=port or settings.api.port, log_config=None, timeout_graceful_shutdown=5,
                limit_concurrency=settings.api.max_connections)


app.command("insights")(insights_command)


def main() -> None:
    """Entry point."""
    try:
        app()
    except CxragError as exc:  # pragma: no cover - last resort
        console.print(f"[red]error[/red] ({exc.code}): {exc.detail}")
        sys.exit(2)
