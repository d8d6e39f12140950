"""Versioned triage model artefacts: one folder per training run, with its metrics.

    <model_dir>/
      LATEST                       the version predictions use unless told otherwise
      20261202T101500Z-3f2a9c/     a version: timestamp and a digest of the training data
        model.joblib               the fitted TextClassifier
        manifest.json              labels, counts, held-out metrics, source, embedder, versions

The model file is a pickle: load only artefacts this installation wrote (the default folder is
inside the data directory). On the server configuration (``CXRAG_DATABASE_URL`` on
PostgreSQL) training also publishes the version to the ``triage_models`` table and every
replica copies it from there into its own folder when it starts (:func:`publish`,
:func:`sync`): write access to that table is as trusted as write access to the data directory.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from cxrag.cx.classifier import TextClassifier, TrainReport
from cxrag.errors import ConfigurationError, NotFound
from cxrag.store.db import make_sessions
from cxrag.store.models import TriageModelRow

MANIFEST = "manifest.json"
MODEL = "model.joblib"
LATEST = "LATEST"


class TriageModelNotFound(NotFound):
    """No trained triage model where one was asked for."""

    code = "triage_model_not_found"
    title = "Triage model not found"


@dataclass(frozen=True)
class Artefact:
    """A loaded model and its manifest."""

    version: str
    path: Path
    classifier: TextClassifier
    manifest: dict[str, Any]


def save(model_dir: Path, classifier: TextClassifier, report: TrainReport, *,
         data_digest: str, source: dict[str, Any], embedder_id: str) -> Path:
    """Write a new version under ``model_dir`` and point LATEST at it; returns its folder."""
    import joblib
    import sklearn

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    version = f"{stamp}-{data_digest[:6]}"
    folder = model_dir / version
    folder.mkdir(parents=True, exist_ok=False)
    joblib.dump(classifier, folder / MODEL)
    manifest = {
        "version": version, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": classifier.labels, "embedding_model": embedder_id,
        "data_sha256": data_digest, "source": source,
        "metrics": dataclasses.asdict(report),
        "libraries": {"scikit-learn": sklearn.__version__},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    _point_latest(model_dir, version)
    return folder


def _point_latest(model_dir: Path, version: str) -> None:
    tmp = model_dir / f".{LATEST}.{os.getpid()}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, model_dir / LATEST)  # atomic: a reader sees the old or the new version


def publish(engine: Engine, folder: Path) -> bool:
    """Store the version in ``folder`` in the database for every replica; False when it is
    there already."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    with make_sessions(engine).begin() as session:
        if session.get(TriageModelRow, folder.name) is not None:
            return False
        session.add(TriageModelRow(version=folder.name, manifest=manifest,
                                   model=(folder / MODEL).read_bytes()))
    return True


def sync(engine: Engine, model_dir: Path, version: str | None = None) -> str | None:
    """Copy ``version`` (default: the newest published) from the database into ``model_dir``
    unless it is there, and point LATEST at it; the version, or None when none was
    published (the folder is left as it is)."""
    with make_sessions(engine)() as session:
        query = select(TriageModelRow.version)
        query = query.where(TriageModelRow.version == version) if version else \
            query.order_by(TriageModelRow.created_at.desc()).limit(1)
        found = session.scalar(query)
        if found is None:
            return None
        folder = model_dir / found
        if not (folder / MODEL).is_file():
            row = session.get_one(TriageModelRow, found)
            temp = model_dir / f".{found}.{os.getpid()}.tmp"
            temp.mkdir(parents=True, exist_ok=True)
            (temp / MODEL).write_bytes(row.model)
            (temp / MANIFEST).write_text(json.dumps(row.manifest, indent=2, ensure_ascii=False)
                                         + "\n", encoding="utf-8")
            try:
                os.replace(temp, folder)
            except OSError:  # another process of this replica got there first
                shutil.rmtree(temp, ignore_errors=True)
    if version is None:
        _point_latest(model_dir, found)
    return found


def latest_version(model_dir: Path) -> str | None:
    """The version LATEST names, or None when nothing was trained there."""
    pointer = model_dir / LATEST
    return pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None


def load(model_dir: Path, version: str | None = None, *, embedder_id: str | None = None
         ) -> Artefact:
    """Load a version (default LATEST); the embedder must be the one it was trained with."""
    import joblib

    version = version or latest_version(model_dir)
    folder = model_dir / version if version else None
    if folder is None or not (folder / MODEL).is_file():
        raise TriageModelNotFound(
            f"no triage model in {model_dir}: train one with "
            "`cxrag triage train FILE --text-column COL --label-column COL`",
            model_dir=str(model_dir))
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    trained_with = manifest.get("embedding_model")
    if embedder_id is not None and trained_with != embedder_id:
        raise ConfigurationError(
            f"the triage model {version} was trained with embeddings {trained_with!r} but the "
            f"service uses {embedder_id!r}: retrain it (`cxrag triage train ...`)")
    classifier = joblib.load(folder / MODEL)
    if not isinstance(classifier, TextClassifier):
        raise ConfigurationError(f"{folder / MODEL} is not a cxrag triage model")
    return Artefact(str(version), folder, classifier, manifest)
