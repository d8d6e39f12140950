"""Request and response models of the HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SearchFilters(BaseModel):
    """Metadata filters; all optional."""

    language: str | None = Field(None, examples=["es"])
    doc_type: Literal["article", "ticket"] | None = None
    product: str | None = None
    tag: str | None = Field(None, examples=["returns"])


class SearchRequest(BaseModel):
    """A search over one collection."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"query": "¿Cuánto tarda un reembolso?", "k": 5, "filters": {"language": None},
         "collection": "knowledge"}]})

    query: str = Field(..., min_length=1, max_length=2000)
    k: int = Field(5, ge=1, le=50)
    filters: SearchFilters = SearchFilters()
    collection: str | None = None
    group_by_document: bool = True


class SearchResultItem(BaseModel):
    """One result: the best passage of a document."""

    document_id: str
    chunk_id: str
    title: str
    source: str
    score: float
    text: str
    language: str
    doc_type: str
    headings: list[str]
    tags: list[str]


class SearchResponse(BaseModel):
    """Search results, best first."""

    results: list[SearchResultItem]
    query_language: str
    took_ms: float


class FailureItem(BaseModel):
    """A file that could not be ingested."""

    source: str
    reason: str
    code: str


class IngestResponse(BaseModel):
    """What an ingest did."""

    documents_seen: int
    added: int
    updated: int
    unchanged: int
    removed: int
    chunks_written: int
    failed: int
    failures: list[FailureItem]
    seconds: float


class Health(BaseModel):
    """Liveness / readiness."""

    status: Literal["ok", "ready", "not_ready"]
    checks: dict[str, str] = {}
