"""Search the knowledge base."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from cxrag.api.auth import AgentOrAbove
from cxrag.api.deps import KnowledgeDep
from cxrag.api.schemas import SearchRequest, SearchResponse, SearchResultItem
from cxrag.index.catalog import Filters

router = APIRouter(prefix="/v1", tags=["search"])


@router.post("/search", response_model=SearchResponse)
async def search(body: SearchRequest, knowledge: KnowledgeDep,
                 role: AgentOrAbove) -> SearchResponse:
    """Hybrid search (lexical + multilingual dense) over a collection (agent key or above:
    past tickets are part of the knowledge, and their text is for agents, not for the public).

    Returns the top `k` distinct documents, each with its best passage. A Spanish question
    finds English-only articles and vice versa. Filter by language, document type (article
    or ticket), product or tag.
    """
    base = await run_in_threadpool(lambda: knowledge.get(body.collection, create=False))
    f = body.filters
    result = await run_in_threadpool(
        lambda: base.retriever.search(body.query, body.k,
                                      Filters(f.language, f.doc_type, f.product, f.tag),
                                      body.group_by_document, context=body.history))
    items = [SearchResultItem(**{k: v for k, v in h.as_dict().items()
                                 if k in SearchResultItem.model_fields})
             for h in result.hits]
    return SearchResponse(results=items, query_language=result.query_language,
                          took_ms=round(result.took_ms, 2),
                          relevance=None if result.relevance is None
                          else round(result.relevance, 4))
