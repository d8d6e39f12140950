"""The index writer: every write to a collection's catalogue, vectors and lexical index."""

import ast
from pathlib import Path

from cxrag.index.writer import IndexWriter
from cxrag.knowledge import Knowledge

INDEX_DIR = Path(__file__).resolve().parents[2] / "src" / "cxrag" / "index"


def test_index_package_imports_nothing_from_ingest() -> None:
    for path in INDEX_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            assert not any(n.startswith("cxrag.ingest") for n in names), path.name


def test_remove_and_rebuild_lexical(knowledge: Knowledge, sample_kb: Path) -> None:
    base = knowledge.get()
    assert base.ingestor.run([sample_kb]).ok
    writer = IndexWriter(base.catalog, base.index, base.lexical)
    doc_id = next(iter(base.catalog.manifest().documents))
    assert base.catalog.chunk_ids(doc_id) and base.lexical.ids_for_doc(doc_id)
    writer.remove(doc_id)
    assert base.catalog.chunk_ids(doc_id) == []
    assert base.index.ids_for_doc(doc_id) == ([], [])
    assert base.lexical.ids_for_doc(doc_id) == []
    assert base.catalog.pending() == []
    chunks = base.catalog.stats()["chunks"]
    assert writer.ensure_lexical() == 0  # not empty: nothing to do
    assert writer.rebuild_lexical() == chunks == base.lexical.count()
    assert writer.reconcile() == 0
