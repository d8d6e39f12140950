"""Upload documents into a collection (admin)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from cxrag.api.auth import AdminOnly
from cxrag.api.deps import KnowledgeDep, SettingsDep
from cxrag.api.schemas import IngestResponse
from cxrag.errors import InvalidRequest

router = APIRouter(prefix="/v1", tags=["ingest"])


@router.post("/ingest", response_model=IngestResponse)
async def ingest(
    _: AdminOnly,
    knowledge: KnowledgeDep,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(description="md, html, pdf, docx, txt, csv, jsonl")],
    collection: Annotated[str | None, Form()] = None,
) -> IngestResponse:
    """Ingest uploaded files (admin key required). Same-named files replace earlier uploads.

    A bad file is listed under `failures`; the others are indexed.
    """
    base = knowledge.get(collection)
    root = settings.collection_dir(base.tenant, base.collection) / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    limit = settings.api.max_upload_mb * 1024 * 1024
    saved: list[Path] = []
    for upload in files:
        name = Path(upload.filename or "").name
        if not name:
            raise InvalidRequest("every uploaded file needs a file name")
        with tempfile.NamedTemporaryFile(dir=root, delete=False) as tmp:
            shutil.copyfileobj(upload.file, tmp)
        if Path(tmp.name).stat().st_size > limit:
            Path(tmp.name).unlink()
            raise InvalidRequest(f"{name} is larger than {settings.api.max_upload_mb} MB")
        target = root / name
        Path(tmp.name).replace(target)
        saved.append(target)
    with base.lock:
        report = await run_in_threadpool(
            lambda: base.ingestor.run(saved))
    return IngestResponse(**report.as_dict())
