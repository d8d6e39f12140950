"""The same pipeline against a Chroma server (HttpClient), started for real."""

from pathlib import Path

import pytest

from cxrag.errors import EmbeddingMismatch
from cxrag.knowledge import Knowledge
from cxrag.settings import ChromaSettings, Settings
from tests.conftest import FakeEmbedder

pytestmark = pytest.mark.slow


def test_ingest_and_search_through_chroma_server(chroma_server: str, tmp_path: Path,
                                                 sample_kb: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", chroma=ChromaSettings(url=chroma_server),
                        _env_file=None)  # type: ignore[call-arg]
    knowledge = Knowledge(settings, embedder=FakeEmbedder())
    base = knowledge.get("server-kb", tenant="acme")
    report = base.ingestor.run([sample_kb])
    assert report.ok and report.added == 5
    assert base.index.count() == base.catalog.stats()["chunks"]
    hit = base.retriever.search("infrared night vision camera", k=1).hits[0]
    assert hit.document_id == "en/night-vision"
    assert base.ingestor.run([sample_kb]).unchanged == 5
    # Another tenant's collection of the same name is separate.
    other = knowledge.get("server-kb", tenant="globex")
    assert other.index.count() == 0
    knowledge.close()


def test_embedding_model_mismatch_asks_for_reindex(chroma_server: str, tmp_path: Path,
                                                   sample_kb: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", chroma=ChromaSettings(url=chroma_server),
                        _env_file=None)  # type: ignore[call-arg]
    Knowledge(settings, embedder=FakeEmbedder()).get("mismatch").ingestor.run([sample_kb])

    class OtherModel(FakeEmbedder):
        model_id = "another-model"

    with pytest.raises(EmbeddingMismatch) as info:
        Knowledge(settings, embedder=OtherModel()).get("mismatch")
    assert "cxrag ingest --full" in info.value.detail
    assert info.value.status == 409
