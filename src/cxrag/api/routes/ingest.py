"""Upload documents into a collection as an ingest job, and follow the job (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cxrag.api.auth import AdminOnly
from cxrag.api.deps import JobsDep, KnowledgeDep, SettingsDep
from cxrag.api.schemas import JobResponse
from cxrag.errors import DocumentTooLarge, InvalidRequest
from cxrag.jobs.runner import MAX_NAME
from cxrag.settings import Settings
from cxrag.store.jobs import JobFile

router = APIRouter(prefix="/v1", tags=["ingest"])
_FORM_SCHEMA: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": "md, html, pdf, docx, txt, csv, jsonl"},
            "collection": {"type": "string", "description": "default: the configured one"}}}}}}}


@router.post("/ingest", status_code=202, response_model=JobResponse, openapi_extra=_FORM_SCHEMA,
             responses={413: {"description": "upload over api.max_upload_mb"},
                        429: {"description": "jobs.max_backlog unfinished jobs"}})
async def ingest(_: AdminOnly, request: Request, knowledge: KnowledgeDep, jobs: JobsDep,
                 settings: SettingsDep) -> JSONResponse:
    """Queue uploaded files for ingestion (admin key required): 202 with the job, which
    ``GET /v1/jobs/{id}`` (the ``Location``) follows to the end. Same-named files replace
    earlier uploads.

    A bad file is listed under the job's `failures`; the others are indexed. The key is
    checked before the body is read.
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
        files, refused = await run_in_threadpool(_read_all, uploads, names, settings)
    finally:
        await form.close()
    job = await run_in_threadpool(jobs.submit, base.tenant, base.collection, files, refused)
    location = str(request.url_for("job", job_id=job.id).path)
    body = JobResponse(**job.as_dict(), location=location)
    return JSONResponse(body.model_dump(mode="json"), status_code=202,
                        headers={"Location": location})


@router.get("/jobs/{job_id}", response_model=JobResponse, name="job",
            responses={404: {"description": "no such job for this tenant"}})
async def job(_: AdminOnly, job_id: str, jobs: JobsDep, settings: SettingsDep) -> JobResponse:
    """An ingest job's progress: files done of all, chunks written, failures with reasons;
    ``status`` is queued, running, done or failed (a part that failed every attempt)."""
    view = await run_in_threadpool(jobs.view, settings.tenant, job_id)
    return JobResponse(**view.as_dict(), location=f"/v1/jobs/{view.id}")


def _file_name(raw: str | None) -> str:
    """The upload's base name, or ``InvalidRequest`` for a name that cannot be a file here."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in {".", ".."} or any(ord(c) < 32 or c == "\x7f" for c in name):
        raise InvalidRequest(f"invalid file name {(raw or '')[:80]!r}")
    if len(name) > MAX_NAME:
        raise InvalidRequest(f"file name longer than {MAX_NAME} characters")
    return name


def _read_all(uploads: list[UploadFile], names: list[str],
              settings: Settings) -> tuple[list[JobFile], list[dict[str, str]]]:
    """Each upload's bytes (a later file of the same name replaces an earlier one); a file
    over ``ingest.max_file_mb`` is not kept but reported, like any failed file."""
    limit = int(settings.ingest.max_file_mb * 1024 * 1024)
    files: dict[str, JobFile] = {}
    refused = []
    for upload, name in zip(uploads, names, strict=True):
        content = _read(upload, limit)
        if content is None:
            refused.append({"source": name, "code": DocumentTooLarge.code, "reason": (
                f"larger than the {settings.ingest.max_file_mb:g} MB document limit "
                "(ingest.max_file_mb)")})
            continue
        files[name] = JobFile(name, content)
    return list(files.values()), refused


def _read(upload: UploadFile, limit: int) -> bytes | None:
    """The upload's bytes; None as soon as it passes ``limit`` bytes."""
    upload.file.seek(0)
    blocks, size = [], 0
    while block := upload.file.read(1 << 20):
        size += len(block)
        if size > limit:
            return None
        blocks.append(block)
    return b"".join(blocks)
