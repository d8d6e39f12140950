"""``cxrag triage train|predict``: train the organisation's triage model, classify batches."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cxrag.cli.common import console, fail, load_settings, out
from cxrag.errors import CxragError, InvalidRequest

triage_app = typer.Typer(help="Triage: train on labelled tickets, classify batches.",
                         no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="A CSV (or JSONL) file with a header row.",
                                         exists=True, dir_okay=False, readable=True)]
FilesArg = Annotated[list[Path], typer.Argument(
    help="CSV (or JSONL) files with a header row, e.g. a helpdesk export.", exists=True,
    dir_okay=False, readable=True)]
TextOpt = Annotated[list[str], typer.Option(
    "--text-column", help="Column holding the text; repeat it to join several (subject, "
    "messages). A helpdesk thread (a JSON list of messages) gives the customer's messages.")]
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
    return [{key: _plain(value) for key, value in row.items()} for row in rows]


def _plain(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def cell_text(value: str) -> str:
    """A cell as text: a JSON list of messages (a helpdesk thread) becomes what the customer
    wrote (every message when none is marked as the customer's); anything else as it is."""
    stripped = value.strip()
    if not stripped.startswith("["):
        return stripped
    try:
        thread = json.loads(stripped)
    except json.JSONDecodeError:
        return stripped
    messages = [m for m in thread if isinstance(m, dict)] if isinstance(thread, list) else []
    if not messages:
        return stripped
    mine = [m for m in messages if m.get("author") == "customer"] or messages
    return " ".join(str(m.get("body") or m.get("text") or "").strip() for m in mine).strip()


def row_text(row: dict[str, str], columns: list[str]) -> str:
    """The text of a row: its text columns, joined."""
    return ". ".join(t for t in (cell_text(row[c]) for c in columns) if t)


def _settings_and_embedder() -> tuple[Any, Any]:
    from cxrag.embed import build_embedder

    settings = load_settings()
    return settings, build_embedder(settings.embedding)


@triage_app.command("train")
def train(
    files: FilesArg,
    text_column: TextOpt,
    label_column: Annotated[str, typer.Option("--label-column", help="Column with the label.")],
    model_dir: ModelDirOpt = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Train even if the latest model was trained on the same data.")] = False,
) -> None:
    """Train a triage model on labelled past tickets and store it as a new version (on
    PostgreSQL also in the database, where every replica finds it when it starts).

    A tenth of the rows (stratified) is held out to measure accuracy and fit the confidence
    thresholds, then the model is trained on every row. Rows with an empty text or label are
    skipped and counted. The same data, columns and embedding model as the latest version:
    nothing to do (unless --force).
    """
    from cxrag.cx.artefacts import latest_version, save
    from cxrag.cx.classifier import TextClassifier

    try:
        rows = [row for f in files for row in read_rows(f, [*text_column, label_column])]
        pairs = [(row_text(r, text_column), r[label_column].strip()) for r in rows]
        kept = [(t, label) for t, label in pairs if t and label]
        if len(kept) < 2:
            raise InvalidRequest(f"{', '.join(map(str, files))}: fewer than two labelled rows")
        settings, embedder = _settings_and_embedder()
        target = model_dir or settings.triage_dir
        digest = _digest(files, text_column, label_column, embedder.model_id)
        latest = latest_version(target)
        if not force and latest and latest.endswith(digest[:6]) and \
                _trained_on(target / latest) == digest:
            console.print(f"triage model {latest} was trained on this data already "
                          "(--force to train again)")
            _publish(settings, target / latest)
            return
        classifier = TextClassifier()
        with console.status("training") as status:
            report = classifier.fit([t for t, _ in kept], [label for _, label in kept], embedder,
                                    progress=lambda msg: status.update(msg))
        folder = save(target, classifier, report, data_digest=digest,
                      embedder_id=embedder.model_id,
                      source={"files": [str(f) for f in files], "text_columns": text_column,
                              "label_column": label_column, "rows": len(rows),
                              "skipped": len(pairs) - len(kept)})
        _publish(settings, folder)
    except CxragError as exc:
        fail(exc)
    _print_training(folder, report, len(pairs) - len(kept))


def _publish(settings: Any, folder: Path) -> None:
    """On PostgreSQL, the version in the database too, for every replica."""
    from cxrag.cx.artefacts import publish
    from cxrag.store.db import server_database

    with server_database(settings.database_url) as shared:
        if shared is not None and publish(shared, folder):
            console.print(f"published {folder.name} to the database for every replica")


def _digest(files: list[Path], text_columns: list[str], label_column: str,
            embedder_id: str) -> str:
    """What a model was trained from: the files' bytes, the columns, the embedding model."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(hashlib.sha256(f.read_bytes()).digest())
    digest.update(json.dumps([text_columns, label_column, embedder_id]).encode())
    return digest.hexdigest()


def _trained_on(folder: Path) -> str | None:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    value = manifest.get("data_sha256")
    return str(value) if value else None


def _print_training(folder: Path, report: Any, skipped: int) -> None:
    table = Table(title=f"Triage model {folder.name}", show_header=False)
    table.add_row("examples", f"{report.examples} ({skipped} rows skipped)")
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
        rows = read_rows(file, text_column)
        settings, embedder = _settings_and_embedder()
        if model_dir is not None:
            settings.cx.model_dir = model_dir
        triage = build_triage(settings, embedder)
        texts = [row_text(r, text_column) for r in rows]
        results: list[dict[str, Any]] = []
        for start in range(0, len(texts), 256):
            batch = texts[start:start + 256]
            results += [a.as_dict() for a in triage.analyse_many(batch)]
    except CxragError as exc:
        fail(exc)
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
