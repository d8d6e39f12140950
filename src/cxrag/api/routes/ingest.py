"""Upload documents into a collection (admin)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cxrag.api.auth import AdminOnly
from cxrag.api.deps import KnowledgeDep, SettingsDep
from cxrag.api.schemas import IngestResponse
from cxrag.errors import InvalidRequest, PayloadTooLarge
from cxrag.ingest.models import Failure
from cxrag.settings import Settings

router = APIRouter(prefix="/v1", tags=["ingest"])
MAX_NAME = 200
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_FORM_SCHEMA: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "md, html, pdf, docx, txt, csv, jsonl"},
            "collection": {"type": "string", "description": "default: the configured one"}}}}}}}


@router.post("/ingest", response_model=IngestResponse, openapi_extra=_FORM_SCHEMA,
             responses={413: {"description": "upload over api.max_upload_mb"}})
async def ingest(_: AdminOnly, request: Request, knowledge: KnowledgeDep,
                 settings: SettingsDep) -> IngestResponse:
    """Ingest uploaded files (admin key required). Same-named files replace earlier uploads.

    A bad file is listed under `failures`; the others are indexed. The key is checked before
    the body is read; uploads into one collection run one after another.
    """
    form = await request.form(max_files=settings.api.max_upload_files, max_fields=10)
    try:
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        collection = form.get("collection")
        if not uploads:
            raise InvalidRequest("send one or more files in the multipart field 'files'")
        if collection is not None and not isinstance(collection, str):
            raise InvalidRequest("collection must be a text field")
        names = [_file_name(u.filename) for u in uploads]
        base = await run_in_threadpool(knowledge.get, collection or None)
        root = settings.collection_dir(base.tenant, base.collection) / "uploads"
        saved, refused = await run_in_threadpool(_save_all, uploads, names, root, settings)
    finally:
        await form.close()
    # One run at a time per collection: the wait happens in a worker thread, not on the loop.
    report = await run_in_threadpool(base.ingest, saved)
    report.failures.extend(refused)
    return IngestResponse(**report.as_dict())


def _file_name(raw: str | None) -> str:
    """The upload's base name, or ``InvalidRequest`` for a name that cannot be a file here."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in {".", ".."} or _BAD_NAME.search(name):
        raise InvalidRequest(f"invalid file name {(raw or '')[:80]!r}")
    if len(name) > MAX_NAME:
        raise InvalidRequest(f"file name longer than {MAX_NAME} characters")
    return name


def _save_all(uploads: list[UploadFile], names: list[str], root: Path,
              settings: Settings) -> tuple[list[Path], list[Failure]]:
    """Each upload under its name in ``root`` via a temp file (no partial file is left); a
    file over ``ingest.max_file_mb`` is not kept but reported, like any failed file."""
    root.mkdir(parents=True, exist_ok=True)
    limit = int(settings.ingest.max_file_mb * 1024 * 1024)
    saved, refused = [], []
    for upload, name in zip(uploads, names, strict=True):
        with tempfile.NamedTemporaryFile(dir=root, prefix=".upload-", delete=False) as tmp:
            temp = Path(tmp.name)
            try:
                fits = _copy(upload, tmp, limit)
            except BaseException:
                tmp.close()
                temp.unlink(missing_ok=True)
                raise
        if not fits:
            temp.unlink(missing_ok=True)
            refused.append(Failure(name, f"larger than the {settings.ingest.max_file_mb:g} MB "
                                   "document limit (ingest.max_file_mb)", PayloadTooLarge.code))
            continue
        temp.replace(root / name)
        saved.append(root / name)
    return saved, refused


def _copy(upload: UploadFile, out: Any, limit: int) -> bool:
    """Copy ``upload`` into ``out``; False as soon as it passes ``limit`` bytes."""
    upload.file.seek(0)
    written = 0
    while block := upload.file.read(1 << 20):
        written += len(block)
        if written > limit:
            return False
        out.write(block)
    return True
