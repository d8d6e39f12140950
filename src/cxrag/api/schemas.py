"""Request and response models of the HTTP API."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_JSON_DEPTH = 8
MAX_JSON_NODES = 2000
MAX_JSON_BYTES = 32 * 1024


def _bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    """Free-form JSON within bounds: nesting, size and item count (walked without recursion,
    so a hostile body cannot exhaust the stack now or when it is read back)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        if nodes > MAX_JSON_NODES:
            raise ValueError(f"more than {MAX_JSON_NODES} values")
        children = item.values() if isinstance(item, dict) else (
            item if isinstance(item, list) else ())
        stack.extend((child, depth + 1) for child in children)
    if len(json.dumps(value, ensure_ascii=False, default=str)) > MAX_JSON_BYTES:
        raise ValueError(f"larger than {MAX_JSON_BYTES // 1024} KB")
    return value


BoundedJson = Annotated[dict[str, Any], AfterValidator(_bounded_json)]
"""A JSON object from a caller, at most 8 levels deep, 2,000 values and 32 KB."""


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
    history: list[Annotated[str, Field(max_length=2000)]] = Field(
        default_factory=list, max_length=20,
        description="the customer's earlier messages, oldest first, for a follow-up: the "
        "last three join the query's words and the last one its embedding")


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
    relevance: float | None = Field(
        None, description="probability that the search found something relevant at all "
        "(calibrated on public sets; low: the knowledge base likely cannot answer). Null in "
        "lexical mode or with an embedder it was not fitted for")


class FailureItem(BaseModel):
    """A file that could not be ingested."""

    source: str
    reason: str
    code: str


class JobResponse(BaseModel):
    """An ingest job: where it stands and what it did so far (counts cover finished parts)."""

    id: str
    location: str
    tenant: str
    collection: str
    status: Literal["queued", "running", "done", "failed"]
    files_total: int
    files_done: int
    parts_total: int
    parts_done: int
    retried_parts: int
    documents_seen: int
    added: int
    updated: int
    unchanged: int
    removed: int
    chunks_written: int
    failed: int
    failures: list[FailureItem]
    created_at: str
    finished_at: str | None


class Health(BaseModel):
    """Liveness / readiness."""

    status: Literal["ok", "ready", "not_ready"]
    checks: dict[str, str] = {}


class Problem(BaseModel):
    """An error as RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(..., examples=["https://cxrag.dev/problems/rate_limited"])
    title: str
    status: int
    detail: str
    code: str = Field(..., description="stable error code, e.g. conversation_forbidden")
    instance: str | None = Field(None, description="the request path")


PROBLEM_TEXT = {
    400: "the body could not be parsed (or a multipart upload has too many parts)",
    401: "missing or unknown key",
    403: "the key's role (or its page's origin) may not call this endpoint",
    404: "what the request names does not exist",
    413: "request body over the limit (`payload_too_large`)",
    422: "the request is not valid (`invalid_request`, with `errors`)",
    429: "too many requests from this address, key, visitor or customer (Retry-After)",
    503: "busy, or a backend is unavailable (Retry-After when a retry makes sense)",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error statuses, each a ``Problem`` document."""
    content = {"application/problem+json": {"schema": Problem.model_json_schema()}}
    return {status: {"description": PROBLEM_TEXT[status], "content": content}
            for status in statuses}
