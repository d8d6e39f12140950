"""The lexical index in PostgreSQL: tantivy's BM25, computed by one SQL statement.

``TantivyIndex`` keeps its segments in a local folder, so every API replica would need its own
copy and its own ingest. This index keeps the same postings in the deployment's PostgreSQL,
where any number of replicas with no local disk read and write one index: a write is visible to
every replica as soon as its transaction commits.

Three tables, shared by every collection of every tenant, each row keyed by its ``space``
(``tenant/collection``):

- ``lexical_chunks``: one row per chunk, with the fields search filters on (language, document
  type, product, tags) and the analysed length of each text field;
- ``lexical_postings``: one row per (term, field, chunk) with the term's frequency there and
  the field's length (so ranking never reads the chunk rows), keyed by (space, term, ...) for
  search, indexed by (space, chunk_id) for deletes;
- ``lexical_spaces``: per space, the chunk count and each field's total length (BM25's N and
  average field length), kept in step by every write instead of summed by every search.

Terms come from ``index.text.analyse``, exactly as for tantivy, and ranking reproduces
tantivy's ``Bm25Weight`` per field (k1 1.2, b 0.75, idf ln(1 + (N - df + 0.5)/(df + 0.5)))
boosted by ``FIELD_WEIGHTS`` and summed. tantivy quantises field lengths above 40 terms to one
byte, this index keeps them exact, so scores agree closely rather than bit for bit (on the
retrieval sets: the same R@5, ``benchmarks/lexical_pg.py``).

What it costs: a search reads every posting of its terms (tantivy's block-max WAND skips the
blocks that cannot reach the top k), so its time grows with how common the query's terms are
in the collection, and the postings take far more room than tantivy's compressed ones.

Writes to one space take turns (a transaction-level advisory lock, like tantivy's one writer
per directory), so the space's totals never drift and two writers of one chunk never collide.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Double,
    Engine,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError

from cxrag.errors import IndexUnavailable
from cxrag.index.catalog import Filters
from cxrag.index.lexical import FIELD_WEIGHTS, LexicalEntry, analysed_fields
from cxrag.index.schema import create_tables, refresh_statistics, space_of
from cxrag.index.text import analyse

K1, B = 1.2, 0.75  # tantivy's (and Lucene's) BM25 parameters
_WRITE_LOCK = 0x6C657877  # with hashtext(space): one writer per space at a time
_TERMS = postgresql.ARRAY(String(300))
_TERM_BYTES = 200  # longer terms are stored as a prefix and a hash (b-tree rows are bounded)

METADATA = MetaData()
_BYTEWISE = "C"  # identifiers and terms compare as bytes: faster, and in Python's order


def _name(length: int) -> String:
    return String(length, collation=_BYTEWISE)


CHUNKS = Table(
    "lexical_chunks", METADATA,
    Column("space", _name(200), primary_key=True),
    Column("chunk_id", _name(600), primary_key=True),
    Column("doc_id", _name(512), nullable=False),
    Column("language", Text, nullable=False),
    Column("doc_type", Text, nullable=False),
    Column("product", Text),
    Column("tags", postgresql.ARRAY(Text), nullable=False),
    *(Column(f"len_{field}", Integer, nullable=False) for field in FIELD_WEIGHTS),
    Index("lexical_chunks_by_doc", "space", "doc_id"),
)
POSTINGS = Table(
    "lexical_postings", METADATA,
    Column("space", _name(200), nullable=False),
    Column("term", _name(300), nullable=False),
    Column("field", _name(16), nullable=False),
    Column("chunk_id", _name(600), nullable=False),
    Column("tf", Integer, nullable=False),
    Column("length", Integer, nullable=False),  # of the field in this chunk
    # tf and length ride in the key's index, so ranking reads the index alone.
    PrimaryKeyConstraint("space", "term", "field", "chunk_id", name="lexical_postings_pkey",
                         postgresql_include=["tf", "length"]),
    Index("lexical_postings_by_chunk", "space", "chunk_id"),
)
SPACES = Table(
    "lexical_spaces", METADATA,
    Column("space", _name(200), primary_key=True),
    Column("chunks", BigInteger, nullable=False),
    *(Column(f"tokens_{field}", BigInteger, nullable=False) for field in FIELD_WEIGHTS),
)


def _key(term: str) -> str:
    """The stored form of a term: itself, or for a very long one (a token, a hash in the
    text), a prefix and its digest, the same at indexing and at search."""
    if len(term.encode()) <= _TERM_BYTES:
        return term
    return f"{term[:64]}#{hashlib.sha256(term.encode()).hexdigest()}"


class PostgresLexicalIndex:
    """A LexicalIndex for one collection (``tenant/collection``) in PostgreSQL tables shared
    by every collection. Thread-safe (a connection per call from the engine's pool); the
    engine belongs to the caller. Creates its tables on first use."""

    def __init__(self, engine: Engine, tenant: str, collection: str) -> None:
        self.engine = engine
        self.space = space_of(tenant, collection)
        self._statements: dict[tuple[str, ...], Any] = {}  # the ranking, per set of filters
        create_tables(engine, METADATA, f"the lexical index in PostgreSQL for {self.space}")

    # -- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def _connect(self, read_only: bool = False) -> Iterator[Connection]:
        """A connection whose database errors become ``IndexUnavailable``; ``read_only``: one
        statement in autocommit, without the BEGIN and ROLLBACK round trips around it."""
        try:
            with self.engine.connect() as conn:
                if read_only:
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn
        except SQLAlchemyError as exc:
            raise IndexUnavailable(
                f"the lexical index in PostgreSQL failed for {self.space}: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A transaction holding this space's writer lock (committed on success)."""
        with self._connect() as conn, conn.begin():
            conn.execute(text("SELECT pg_advisory_xact_lock(:key, hashtext(:space))"),
                         {"key": _WRITE_LOCK, "space": self.space})
            yield conn

    def _remove(self, conn: Connection, chunk_ids: Sequence[str]) -> None:
        """Delete chunks and their postings and take them off the space's totals."""
        c, p = CHUNKS.c, POSTINGS.c
        gone = conn.execute(
            delete(CHUNKS).where(c.space == self.space, c.chunk_id.in_(chunk_ids))
            .returning(*(c[f"len_{f}"] for f in FIELD_WEIGHTS))).all()
        if not gone:
            return
        conn.execute(delete(POSTINGS).where(p.space == self.space, p.chunk_id.in_(chunk_ids)))
        totals = {f"tokens_{f}": -sum(row[i] for row in gone)
                  for i, f in enumerate(FIELD_WEIGHTS)}
        self._count(conn, -len(gone), totals)

    def _count(self, conn: Connection, chunks: int, tokens: dict[str, int]) -> None:
        """Add to the space's chunk count and field totals (the row is made on first use)."""
        statement = postgresql.insert(SPACES).values(space=self.space, chunks=chunks, **tokens)
        s = SPACES.c
        conn.execute(statement.on_conflict_do_update(
            index_elements=["space"],
            set_={name: s[name] + statement.excluded[name] for name in ("chunks", *tokens)}))

    # -- writes -----------------------------------------------------------------------------
    def add(self, entries: Sequence[LexicalEntry]) -> None:
        """Index chunks, replacing what is indexed under the same chunk ids (a document
        re-written with unchanged content keeps its chunk ids), in one transaction."""
        latest = {e.chunk_id: e for e in entries}  # a repeated id: the last one wins
        if not latest:
            return
        chunks: list[dict[str, Any]] = []
        postings: list[dict[str, Any]] = []
        tokens = dict.fromkeys((f"tokens_{f}" for f in FIELD_WEIGHTS), 0)
        for e in latest.values():
            lengths = {}
            for field, terms in analysed_fields(e).items():
                lengths[f"len_{field}"] = len(terms)
                tokens[f"tokens_{field}"] += len(terms)
                postings += [{"space": self.space, "term": term, "field": field,
                              "chunk_id": e.chunk_id, "tf": tf, "length": len(terms)}
                             for term, tf in Counter(map(_key, terms)).items()]
            chunks.append({"space": self.space, "chunk_id": e.chunk_id, "doc_id": e.doc_id,
                           "language": e.language, "doc_type": e.doc_type,
                           "product": e.product, "tags": list(e.tags), **lengths})
        with self._write() as conn:
            self._remove(conn, list(latest))
            conn.execute(CHUNKS.insert(), chunks)
            if postings:
                conn.execute(POSTINGS.insert(), postings)
            self._count(conn, len(chunks), tokens)

    def delete(self, chunk_ids: Sequence[str]) -> None:
        """Remove chunks by id (unknown ids are ignored)."""
        if not chunk_ids:
            return
        with self._write() as conn:
            self._remove(conn, list(dict.fromkeys(chunk_ids)))

    def reset(self) -> None:
        """Remove everything in this collection (other collections keep theirs)."""
        with self._write() as conn:
            for table in (POSTINGS, CHUNKS, SPACES):
                conn.execute(delete(table).where(table.c.space == self.space))

    def refresh_statistics(self) -> None:
        """The planner's statistics of the postings after an ingest (see
        ``schema.refresh_statistics``)."""
        refresh_statistics(self.engine, [POSTINGS.name, CHUNKS.name, SPACES.name])

    # -- reads ------------------------------------------------------------------------------
    def ids_for_doc(self, doc_id: str) -> list[str]:
        """Chunk ids indexed for a document, committed in the catalogue or not."""
        c = CHUNKS.c
        with self._connect() as conn:
            rows = conn.execute(select(c.chunk_id).where(c.space == self.space,
                                                         c.doc_id == doc_id)
                                .order_by(c.chunk_id)).all()
        return [r[0] for r in rows]

    def count(self) -> int:
        """Number of indexed chunks."""
        with self._connect() as conn:
            n = conn.execute(select(SPACES.c.chunks)
                             .where(SPACES.c.space == self.space)).scalar()
        return int(n or 0)

    def search(self, query: str, lang: str, k: int,
               filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) of the top ``k`` chunks, best first (ties by chunk id)."""
        terms = sorted({_key(t) for t in analyse(query, lang)})
        if not terms or k <= 0:
            return []
        filters = filters or Filters()
        values = {"language": filters.language, "doc_type": filters.doc_type,
                  "product": filters.product, "tag": filters.tag}
        shape = tuple(name for name, value in values.items() if value is not None)
        if shape not in self._statements:  # built once per set of filters (~2 ms of Python)
            self._statements[shape] = self._ranking(shape)
        with self._connect(read_only=True) as conn:
            rows = conn.execute(self._statements[shape],
                                {"terms": terms, "k": k,
                                 **{name: values[name] for name in shape}}).all()
        return [(r[0], float(r[1])) for r in rows]

    def _ranking(self, shape: tuple[str, ...]) -> Any:
        """The one statement that ranks. The query terms' postings are read once; per (term,
        field) come BM25's constant parts from their count (the document frequency) and the
        space's totals: weight * idf * (k1 + 1), and k1 * b / average field length; then
        each posting adds factor * tf / (tf + k1 * (1 - b) + slope * field length) to its
        chunk, and the chunks are filtered and cut to the top ``k``."""
        p, s = POSTINGS.c, SPACES.c
        matched = (select(p.term, p.field, p.chunk_id, p.tf, p.length)
                   .where(p.space == self.space,
                          # one array parameter, not one per term: the statement's text is the
                          # same for every query, so psycopg prepares it once per connection
                          p.term == any_(bindparam("terms", type_=_TERMS)))
                   .cte("matched"))
        totals = select(SPACES).where(s.space == self.space).subquery("totals")
        m, t = matched.c, totals.c
        n, df = cast(t.chunks, Double), cast(func.count(), Double)
        weight = case({f: literal(w, Double) for f, w in FIELD_WEIGHTS.items()}, value=m.field)
        tokens = case({f: t[f"tokens_{f}"] for f in FIELD_WEIGHTS}, value=m.field)
        idf = func.ln(1.0 + (n - df + 0.5) / (df + 0.5), type_=Double)
        per_term = (
            select(m.term, m.field, (weight * idf * (K1 + 1.0)).label("factor"),
                   (K1 * B * n / func.nullif(cast(tokens, Double), 0.0, type_=Double))
                   .label("slope"))
            .select_from(matched.join(totals, true()))
            .group_by(m.term, m.field, t.chunks, *(t[f"tokens_{f}"] for f in FIELD_WEIGHTS))
            .subquery("per_term"))
        w = per_term.c
        tf = cast(m.tf, Double)
        score = func.sum(w.factor * tf / (tf + K1 * (1.0 - B) + w.slope * cast(m.length, Double)),
                         type_=Double).label("score")
        scores = (select(m.chunk_id, score)
                  .select_from(matched.join(per_term, (w.term == m.term) & (w.field == m.field)))
                  .group_by(m.chunk_id).subquery("scores"))
        ranked = select(scores.c.chunk_id, scores.c.score).where(scores.c.score.is_not(None))
        c = CHUNKS.c
        wanted = [c[name] == bindparam(name, type_=Text)
                  for name in ("language", "doc_type", "product") if name in shape]
        if "tag" in shape:
            wanted.append(bindparam("tag", type_=Text) == any_(c.tags))
        if wanted:
            ranked = ranked.join(CHUNKS, (c.space == self.space)
                                 & (c.chunk_id == scores.c.chunk_id)).where(*wanted)
        return ranked.order_by(scores.c.score.desc(), scores.c.chunk_id).limit(
            bindparam("k", type_=Integer))
