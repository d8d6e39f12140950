"""The vector index: Chroma, embedded (PersistentClient) or a server (HttpClient).

Each tenant/collection pair owns two Chroma collections: ``<tenant>__<collection>__chunks``
(one vector per chunk) and ``<tenant>__<collection>__docs`` (per document: the mean of its
chunk and title vectors, and the title's own vector); a second dense leg for one language
(``cxrag.index.legs``) owns another pair, ``__chunks_<language>`` and ``__docs_<language>``.
Vectors are computed by cxrag, never by Chroma, so Chroma's default embedding function (which
downloads a model) is never created. Only ids, vectors and the metadata that filters need
(doc_id, language, doc_type, product) are stored; the text and everything else live in the
catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlparse

import numpy as np

from cxrag.documents import split_chunk_id, split_doc_vector_id
from cxrag.embed.base import Vectors
from cxrag.errors import EmbeddingMismatch, IndexUnavailable
from cxrag.settings import ChromaSettings

MODEL_KEY = "cxrag_embedding_model"
DIM_KEY = "cxrag_embedding_dim"


@dataclass(frozen=True)
class VectorHit:
    """An id and its cosine similarity to the query."""

    id: str
    doc_id: str
    score: float
    kind: str = "chunk"  # or a document-level kind: "centroid", "title"
    version: str = ""


class VectorIndex(Protocol):
    """What retrieval and ingestion need from a vector store."""

    def add_chunks(self, ids: Sequence[str], doc_ids: Sequence[str], vectors: Vectors,
                   metadatas: Sequence[dict[str, Any]]) -> None: ...
    def add_docs(self, vector_ids: Sequence[str], doc_ids: Sequence[str], vectors: Vectors,
                 metadatas: Sequence[dict[str, Any]]) -> None: ...
    def ids_for_doc(self, doc_id: str) -> tuple[list[str], list[str]]: ...
    def delete(self, chunk_ids: Sequence[str], doc_vector_ids: Sequence[str]) -> None: ...
    def query_chunks(self, vector: Vectors, k: int,
                     where: dict[str, Any] | None = None) -> list[VectorHit]: ...
    def query_docs(self, vector: Vectors, k: int,
                   where: dict[str, Any] | None = None) -> list[VectorHit]: ...
    def reset(self) -> None: ...
    def count(self) -> int: ...


def make_client(settings: ChromaSettings, default_path: str) -> Any:
    """A Chroma client: HTTP when a URL is configured, embedded otherwise. Telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaClientSettings

    client_settings = ChromaClientSettings(anonymized_telemetry=False, allow_reset=True)
    try:
        if settings.url:
            url = urlparse(settings.url)
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                headers=settings.headers or None,
                settings=client_settings,
            )
        return chromadb.PersistentClient(path=default_path, settings=client_settings)
    except Exception as exc:  # chromadb raises ValueError/ConnectionError/its own types
        where = settings.url or default_path
        raise IndexUnavailable(f"cannot open Chroma at {where}: {exc}") from exc


class ChromaIndex:
    """A VectorIndex over two Chroma collections, guarded by the embedding model id."""

    def __init__(self, client: Any, tenant: str, collection: str, model_id: str, dim: int,
                 leg: str = ""):
        self._client = client
        tail = f"_{leg}" if leg else ""  # a second dense leg's own pair ("__chunks_en")
        self._names = (f"{tenant}__{collection}__chunks{tail}",
                       f"{tenant}__{collection}__docs{tail}")
        self._model_id, self._dim = model_id, dim
        self._chunks, self._docs = (self._open(name) for name in self._names)

    def _open(self, name: str) -> Any:
        meta = {MODEL_KEY: self._model_id, DIM_KEY: self._dim}
        try:
            col = self._client.get_or_create_collection(
                name, metadata=meta, configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        except Exception as exc:
            raise IndexUnavailable(f"cannot open Chroma collection {name}: {exc}") from exc
        stored = (col.metadata or {}).get(MODEL_KEY)
        if stored and stored != self._model_id:
            raise EmbeddingMismatch(
                f"collection {name!r} was indexed with embedding model {stored!r} but the "
                f"settings ask for {self._model_id!r}; re-index it with `cxrag ingest --full` "
                "or set CXRAG_EMBEDDING__MODEL back",
                indexed_with=stored,
                configured=self._model_id,
            )
        return col

    def add_chunks(self, ids: Sequence[str], doc_ids: Sequence[str], vectors: Vectors,
                   metadatas: Sequence[dict[str, Any]]) -> None:
        """Upsert chunk vectors with their filterable metadata. The text stays in the
        catalogue: storing it in Chroma too (which indexes it for full-text search) made
        upserts ~3x slower for nothing."""
        if not ids:
            return
        metas = [{**m, "doc_id": d} for m, d in zip(metadatas, doc_ids, strict=True)]
        self._chunks.upsert(ids=list(ids), embeddings=np.asarray(vectors), metadatas=metas)

    def add_docs(self, vector_ids: Sequence[str], doc_ids: Sequence[str], vectors: Vectors,
                 metadatas: Sequence[dict[str, Any]]) -> None:
        """Upsert document-level vectors of several documents in one call."""
        if vector_ids:
            self._docs.upsert(ids=list(vector_ids), embeddings=np.asarray(vectors),
                              metadatas=[{**m, "doc_id": d}
                                         for m, d in zip(metadatas, doc_ids, strict=True)])

    def ids_for_doc(self, doc_id: str) -> tuple[list[str], list[str]]:
        """(chunk ids, doc-vector ids) stored for a document, committed or not."""
        where = {"doc_id": doc_id}
        return (list(self._chunks.get(where=where, include=[])["ids"]),
                list(self._docs.get(where=where, include=[])["ids"]))

    def delete(self, chunk_ids: Sequence[str], doc_vector_ids: Sequence[str]) -> None:
        """Delete chunk and document vectors by id."""
        if chunk_ids:
            self._chunks.delete(ids=list(chunk_ids))
        if doc_vector_ids:
            self._docs.delete(ids=list(doc_vector_ids))

    @staticmethod
    def _query(col: Any, vector: Vectors, k: int,
               where: dict[str, Any] | None) -> list[tuple[str, float]]:
        # Ids and distances only: ids carry document and version (see ingest.models), and
        # reading metadata back would triple the query time. Chroma returns fewer hits (none
        # for an empty collection) when k exceeds its size, so no count() round-trip either.
        res = col.query(query_embeddings=np.asarray([vector]), n_results=k,
                        where=where or None, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0],
                                                    strict=True)]

    def query_chunks(self, vector: Vectors, k: int,
                     where: dict[str, Any] | None = None) -> list[VectorHit]:
        """Nearest chunks by cosine similarity."""
        hits = []
        for chunk_id, score in self._query(self._chunks, vector, k, where):
            doc_id, version = split_chunk_id(chunk_id)
            hits.append(VectorHit(chunk_id, doc_id, score, "chunk", version))
        return hits

    def query_docs(self, vector: Vectors, k: int,
                   where: dict[str, Any] | None = None) -> list[VectorHit]:
        """Nearest document-level vectors (centroid or title) by cosine similarity."""
        hits = []
        for vector_id, score in self._query(self._docs, vector, k, where):
            doc_id, version, kind = split_doc_vector_id(vector_id)
            hits.append(VectorHit(vector_id, doc_id, score, kind, version))
        return hits

    def reset(self) -> None:
        """Drop and recreate both collections."""
        for name in self._names:
            try:
                self._client.delete_collection(name)
            except Exception:  # absent already: nothing to drop
                pass
        self._chunks, self._docs = (self._open(name) for name in self._names)

    def count(self) -> int:
        """Number of chunk vectors."""
        return int(self._chunks.count())
