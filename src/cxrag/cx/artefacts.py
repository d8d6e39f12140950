"""Versioned triage model artefacts: one folder per training run, with its metrics.

    <model_dir>/
      LATEST                       the version predictions use unless told otherwise
      20261202T101500Z-3f2a9c/     a version: timestamp and a digest of the training data
        model.joblib               the fitted TextClassifier
        manifest.json              labels, counts, held-out metrics, source, embedder, versions

The model file is a pickle: load only artefacts this installation wrote (the default folder is
inside the data directory).
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cxrag.cx.classifier import TextClassifier, TrainReport
from cxrag.errors import ConfigurationError, NotFound

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
    tmp = model_dir / f".{LATEST}.tmp"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, model_dir / LATEST)  # atomic: a reader sees the old or the new version
    return folder


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
