"""``cxrag eval retrieval|run|compare|gate|runs|export``: the retrieval and reply evaluation
suites, and (on PostgreSQL) the runs recorded in the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
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
from cxrag.errors import ConfigurationError, CxragError, InvalidRequest

eval_app = typer.Typer(help="Evaluation suites.", no_args_is_help=True)


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
        kb = Knowledge(load_settings()).get(collection or _collection_for(kb_dir), tenant)
        report = run_retrieval_eval(kb, kb_dir, queries, k=k, mode=mode, console=console)
    except CxragError as exc:
        fail(exc)
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

    settings = load_settings()
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
        with progress_bar(f"eval {options.suite}") as progress:
            run = runner.run(options, progress)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        folder = out_dir or settings.data_dir / "eval-runs" / f"{stamp}-{options.suite}"
        path = write_run(run, folder)
        recorded = _record(settings.database_url, folder.name, path)
        misses = check(run, thresholds) if thresholds is not None else None
        if misses is not None:
            write_report(run, folder / "report.html", misses)
    except CxragError as exc:
        fail(exc)
    finally:
        if runner is not None:
            runner.close()
    _print_eval(run)
    console.print(f"wrote {path} and {path.parent / 'report.html'}"
                  + (f"; recorded as {path.parent.name} in the database" if recorded else ""))
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
    run_a: Annotated[str, typer.Argument(help="Run A (folder, run.json, or a run id recorded "
                                               "in the database): the baseline.")],
    run_b: Annotated[str, typer.Argument(help="Run B: the candidate.")],
    resamples: Annotated[int, typer.Option(help="Bootstrap resamples.")] = 5000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Per-metric deltas B - A on the shared cases, with 95% bootstrap intervals."""
    from cxrag.evals.compare import compare_runs

    try:
        result = compare_runs(_load(run_a), _load(run_b), resamples=resamples)
    except CxragError as exc:
        fail(exc)
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
    run_path: Annotated[str, typer.Argument(help="A run (folder, run.json, or a run id "
                                                 "recorded in the database).")],
    thresholds: Annotated[Path, typer.Option(help="Thresholds file.")] = Path(
        "evals/thresholds.yaml"),
) -> None:
    """Check a finished run against the thresholds; exit 1 naming each missed one."""
    from cxrag.evals.gate import check, load_thresholds

    try:
        misses = check(_load(run_path), load_thresholds(thresholds))
    except CxragError as exc:
        fail(exc)
    for miss in misses:
        console.print(f"[red]gate[/red] {miss}")
    if misses:
        raise typer.Exit(1)
    console.print("[green]gate[/green] every threshold met")



@eval_app.command("runs")
def eval_runs(
    suite: Annotated[str | None, typer.Option(help="Only runs of this suite.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The eval runs recorded in the database (CXRAG_DATABASE_URL on PostgreSQL), newest
    first: any machine's runs, to compare or gate by id."""
    from cxrag.evals.records import EvalRecords
    from cxrag.store.db import server_database

    try:
        with server_database(load_settings().database_url) as shared:
            if shared is None:
                raise ConfigurationError("eval runs are recorded in the database only on "
                                         "PostgreSQL (CXRAG_DATABASE_URL); elsewhere they are "
                                         "the folders under data/eval-runs")
            runs = EvalRecords(shared).recent(suite, limit)
    except CxragError as exc:
        fail(exc)
    if as_json:
        out.print_json(json.dumps(runs, ensure_ascii=False))
        return
    table = Table("id", "suite", "prompt", "model", "cases", "answered", "facts",
                  title=f"{len(runs)} eval runs")
    for r in runs:
        o = r["overall"]
        table.add_row(r["id"], r["suite"], str(r["prompt_version"]), str(r["model"]),
                      str(o.get("cases", "")), *(f"{o[m]:.2f}" if isinstance(o.get(m), float)
                                                 else "" for m in ("answered", "facts")))
    out.print(table)


@eval_app.command("export")
def eval_export(
    run_id: Annotated[str, typer.Argument(help="A run id recorded in the database.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write.")],
) -> None:
    """Write a recorded run's run.json and report.html into a folder."""
    from cxrag.evals.runner import write_run

    try:
        path = write_run(_load(run_id), out_dir)
    except CxragError as exc:
        fail(exc)
    console.print(f"wrote {path} and {path.parent / 'report.html'}")


def _record(database_url: str | None, run_id: str, path: Path) -> bool:
    """On PostgreSQL, the run (as written: masked) in the database too."""
    from cxrag.evals.records import EvalRecords
    from cxrag.store.db import server_database

    with server_database(database_url) as shared:
        if shared is None:
            return False
        EvalRecords(shared).save(run_id, json.loads(path.read_text(encoding="utf-8")))
        return True


def _load(ref: str) -> dict[str, Any]:
    """A run from a folder or run.json, else from the database by id."""
    from cxrag.evals.records import EvalRecords
    from cxrag.evals.runner import load_run
    from cxrag.store.db import server_database

    path = Path(ref)
    if path.exists():
        return load_run(path)
    with server_database(load_settings().database_url) as shared:
        run = EvalRecords(shared).get(ref) if shared is not None else None
    if run is None:
        raise InvalidRequest(f"no eval run at {ref[:200]}: neither a folder, a run.json nor "
                             "a run id recorded in the database")
    return run
