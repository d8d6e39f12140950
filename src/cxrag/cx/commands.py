"""``cxrag triage train|predict``: train the organisation's triage model, classify batches."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cxrag.errors import CxragError, InvalidRequest

triage_app = typer.Typer(help="Triage: train on labelled tickets, classify batches.",
                         no_args_is_help=True)
console = Console(stderr=True)
out = Console()

FileArg = Annotated[Path, typer.Argument(help="A CSV (or JSONL) file with a header row.",
                                         exists=True, dir_okay=False, readable=True)]
TextOpt = Annotated[str, typer.Option("--text-column", help="Column holding the text.")]
ModelDirOpt = Annotated[Path | None, typer.Option(
    "--model-dir", help="Model folder (default: <data_dir>/triage).")]


def read_rows(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """Rows of a CSV or JSONL file; a missing column is a clear error."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            if path.suffix.lower() in {".jsonl", ".ndjson"}:
                rows = [json.loads(line) for line in fh if line.strip()]
                header = sorted({key for row in rows for key in row})
            else:
                reader = csv.DictReader(fh)
                header = list(reader.fieldnames or [])
                rows = list(reader)
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise InvalidRequest(f"{path} cannot be read as {path.suffix or 'CSV'}: {exc}") from exc
    missing = [c for c in columns if c not in header]
    if missing:
        raise InvalidRequest(f"{path} has no column {', '.join(map(repr, missing))}; "
                             f"its columns are: {', '.join(header) or '(none)'}")
    return [{key: "" if value is None else str(value) for key, value in row.items()}
            for row in rows]


def _settings_and_embedder() -> tuple[Any, Any]:
    from cxrag.cli import _settings
    from cxrag.embed import build_embedder

    settings = _settings()
    return settings, build_embedder(settings.embedding)


@triage_app.command("train")
def train(
    file: FileArg,
    text_column: TextOpt,
    label_column: Annotated[str, typer.Option("--label-column", help="Column with the label.")],
    model_dir: ModelDirOpt = None,
) -> None:
    """Train a triage model on labelled past tickets and store it as a new version.

    A tenth of the rows (stratified) is held out to measure accuracy and fit the confidence
    threshold, then the model is trained on every row. Rows with an empty text or label are
    skipped and counted.
    """
    from cxrag.cx.artefacts import save
    from cxrag.cx.classifier import TextClassifier

    try:
        rows = read_rows(file, [text_column, label_column])
        pairs = [(r[text_column].strip(), r[label_column].strip()) for r in rows]
        kept = [(t, label) for t, label in pairs if t and label]
        if len(kept) < 2:
            raise InvalidRequest(f"{file} has fewer than two labelled rows")
        settings, embedder = _settings_and_embedder()
        target = model_dir or settings.triage_dir
        classifier = TextClassifier()
        with console.status("training") as status:
            report = classifier.fit([t for t, _ in kept], [label for _, label in kept], embedder,
                                    progress=lambda msg: status.update(msg))
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        folder = save(target, classifier, report, data_digest=digest, embedder_id=embedder.model_id,
                      source={"file": str(file), "text_column": text_column,
                              "label_column": label_column, "rows": len(rows),
                              "skipped": len(pairs) - len(kept)})
    except CxragError as exc:
        console.print(f"[red]error[/red] ({exc.code}): {exc.detail}")
        raise typer.Exit(2) from None
    table = Table(title=f"Triage model {folder.name}", show_header=False)
    table.add_row("examples", f"{report.examples} ({len(pairs) - len(kept)} rows skipped)")
    table.add_row("labels", str(len(report.labels)))
    if report.accuracy is None:
        table.add_row("held-out", "too little data to hold any out: not measured")
    else:
        table.add_row("held-out accuracy", f"{report.accuracy:.3f} on {report.held_out}")
        table.add_row("held-out macro-F1", f"{report.macro_f1:.3f}")
        table.add_row("confidence threshold", f"{report.min_confidence:.3f}")
    table.add_row("seconds", f"{report.seconds:.1f}")
    table.add_row("saved to", str(folder))
    console.print(table)


@triage_app.command("predict")
def predict(
    file: FileArg,
    text_column: TextOpt,
    model_dir: ModelDirOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list, one per row.")] = False,
) -> None:
    """Classify every row: category, confidence, priority, language, sentiment, frustration,
    escalation and queue (the latest trained model; the policy's zero-shot categories when
    none has been trained)."""
    from cxrag.cx import build_triage

    try:
        rows = read_rows(file, [text_column])
        settings, embedder = _settings_and_embedder()
        if model_dir is not None:
            settings.cx.model_dir = model_dir
        triage = build_triage(settings, embedder)
        texts = [r[text_column] for r in rows]
        results: list[dict[str, Any]] = []
        for start in range(0, len(texts), 256):
            batch = texts[start:start + 256]
            results += [a.as_dict() for a in triage.analyse_many(batch)]
    except CxragError as exc:
        console.print(f"[red]error[/red] ({exc.code}): {exc.detail}")
        raise typer.Exit(2) from None
    if as_json:
        out.print_json(json.dumps(results, ensure_ascii=False))
        return
    table = Table("#", "category", "conf.", "priority", "lang", "sentiment", "frustration",
                  "escalate", "queue", title=f"{len(results)} rows ({triage.classifier})")
    for i, r in enumerate(results, 1):
        table.add_row(str(i), r["category"] or "[yellow]out of scope[/yellow]",
                      f"{r['confidence']:.2f}", r["priority"], r["language"],
                      r["sentiment"]["label"], f"{r['frustration']['score']:.2f}",
                      r["escalation_reason"] or "-", r["queue"])
    out.print(table)
