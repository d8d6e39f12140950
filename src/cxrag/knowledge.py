"""Wiring: one KnowledgeBase per (tenant, collection), built from settings and shared parts.

Where a collection's catalogue and lexical index live follows ``CXRAG_DATABASE_URL``: on
PostgreSQL, both are tables of that database (every replica shares them, nothing on local
disk); otherwise a SQLite file and a tantivy folder per collection under ``CXRAG_DATA_DIR``
(the zero-configuration default).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cxrag.embed import Embedder, build_embedder
from cxrag.errors import CollectionNotFound
from cxrag.index.catalog import Catalog
from cxrag.index.legs import LanguageLeg
from cxrag.index.lexical import LexicalIndex, TantivyIndex
from cxrag.index.schema import create_tables, space_of
from cxrag.index.vectors import ChromaIndex, make_client
from cxrag.ingest.admission import Admission
from cxrag.ingest.chunking import TokenChunker
from cxrag.ingest.models import IngestReport, SourceFile
from cxrag.ingest.pipeline import Ingestor
from cxrag.retrieve.fusion import Weights
from cxrag.retrieve.hybrid import HybridRetriever
from cxrag.settings import Settings, check_name
from cxrag.store.db import make_engine, on_postgresql


@dataclass
class KnowledgeBase:
    """Everything one collection needs: catalogue, vectors, retriever, ingestor."""

    tenant: str
    collection: str
    catalog: Catalog
    index: ChromaIndex
    lexical: LexicalIndex
    retriever: HybridRetriever
    ingestor: Ingestor
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ingest(self, paths: Sequence[Path | SourceFile], full: bool = False) -> IngestReport:
        """Run the ingestor, one run at a time per collection (callers wait in their own
        thread: never call this on an event loop)."""
        with self.lock:
            return self.ingestor.run(paths, full=full)


class Knowledge:
    """Builds KnowledgeBases lazily and keeps them (and the embedder, Chroma client) shared."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None,
                 chroma_client: Any = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._client = chroma_client
        self._bases: dict[tuple[str, str], KnowledgeBase] = {}
        self._engines: list[Engine] = []
        self._lock = threading.Lock()

    @cached_property
    def server(self) -> Engine | None:
        """The shared database engine when catalogues live in PostgreSQL, else None."""
        url = self.settings.database_url
        if not url or not on_postgresql(url):
            return None
        engine = make_engine(url)
        create_tables(engine)
        self._engines.append(engine)
        return engine

    @cached_property
    def embedder(self) -> Embedder:
        """The configured embedder (loaded on first use)."""
        return self._embedder or build_embedder(self.settings.embedding)

    @cached_property
    def legs_embedder(self) -> Embedder | None:
        """The English leg's model (``CXRAG_RETRIEVAL__ENGLISH_LEG``), loaded on first use;
        None when the leg is off."""
        if not self.settings.retrieval.english_leg:
            return None
        return build_embedder(self.settings.embedding.model_copy(update={"model": "minilm-en"}))

    @cached_property
    def chroma(self) -> Any:
        """The Chroma client (embedded or HTTP)."""
        return self._client or make_client(self.settings.chroma, str(self.settings.chroma_path))

    def get(self, collection: str | None = None, tenant: str | None = None, *,
            create: bool = True) -> KnowledgeBase:
        """The KnowledgeBase for a collection (default from settings). With ``create=False``
        (every read path of the API) a collection nothing was ever ingested into is
        ``CollectionNotFound``, not a new set of folders and Chroma collections; the default
        collection always exists."""
        tenant = check_name("tenant", tenant or self.settings.tenant)
        collection = check_name("collection", collection or self.settings.collection)
        with self._lock:
            if (tenant, collection) not in self._bases:
                if not (create or self.exists(collection, tenant)):
                    raise CollectionNotFound(f"no collection {collection!r}",
                                             collection=collection)
                self._bases[(tenant, collection)] = self._build(tenant, collection)
            return self._bases[(tenant, collection)]

    def exists(self, collection: str, tenant: str) -> bool:
        """Whether ``collection`` is the default one or was created by an ingest."""
        if (tenant, collection) == (self.settings.tenant, self.settings.collection):
            return True
        if self.server is not None:
            return Catalog(self.server, space_of(tenant, collection)).known()
        return (self.settings.collection_dir(tenant, collection) / "catalog.sqlite").exists()

    def _stores(self, tenant: str, collection: str) -> tuple[Catalog, LexicalIndex]:
        """The collection's catalogue and lexical index, on the server or on local disk."""
        if self.server is not None:
            from cxrag.index.lexical_pg import PostgresLexicalIndex

            return (Catalog(self.server, space_of(tenant, collection)),
                    PostgresLexicalIndex(self.server, tenant, collection))
        home = self.settings.collection_dir(tenant, collection)
        home.mkdir(parents=True, exist_ok=True)
        engine = make_engine(f"sqlite:///{(home / 'catalog.sqlite').resolve()}")
        create_tables(engine)
        self._engines.append(engine)
        return Catalog(engine), TantivyIndex(home / "lexical")

    def _build(self, tenant: str, collection: str) -> KnowledgeBase:
        s = self.settings
        catalog, lexical = self._stores(tenant, collection)
        index = ChromaIndex(self.chroma, tenant, collection, self.embedder.model_id,
                            self.embedder.dimension)
        weights = Weights(s.retrieval.weight_lexical, s.retrieval.weight_dense_chunk,
                          s.retrieval.weight_dense_doc, s.retrieval.ticket_penalty)
        legs: list[LanguageLeg] = []
        if (english := self.legs_embedder) is not None:
            legs.append(LanguageLeg("en", english, ChromaIndex(
                self.chroma, tenant, collection, english.model_id, english.dimension, leg="en"),
                s.retrieval.weight_english))
        retriever = HybridRetriever(catalog, index, lexical, self.embedder, weights,
                                    s.retrieval.languages, s.retrieval.candidates,
                                    s.retrieval.mode, legs=legs)
        chunker = TokenChunker(s.chunking.max_tokens, s.chunking.overlap_tokens,
                               s.chunking.encoding)
        ingestor = Ingestor(catalog, index, lexical, self.embedder, chunker,
                            s.retrieval.languages,
                            admission=Admission(s.ingest.max_file_mb, s.ingest.max_text_chars,
                                                s.ingest.screen), legs=legs)
        ingestor.ensure_lexical()
        return KnowledgeBase(tenant, collection, catalog, index, lexical, retriever, ingestor)

    def close(self) -> None:
        """Close every catalogue and the database connections they pooled."""
        with self._lock:
            for base in self._bases.values():
                base.catalog.close()
            self._bases.clear()
            for engine in self._engines:
                engine.dispose()

