"""The real multilingual embedding model (USE-multilingual, ONNX) end to end."""

from collections.abc import Iterator

import pytest

from cxrag.knowledge import Knowledge
from cxrag.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def real_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Knowledge]:
    from tests.conftest import sample_kb as make_kb

    tmp = tmp_path_factory.mktemp("real")
    kb_dir = make_kb.__wrapped__(tmp)  # type: ignore[attr-defined]
    knowledge = Knowledge(Settings(data_dir=tmp / "data", _env_file=None))  # type: ignore[call-arg]
    assert knowledge.get().ingestor.run([kb_dir]).ok
    yield knowledge
    knowledge.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mi cámara se ve toda blanca por la noche", "en/night-vision"),  # es -> en only
        ("¿las tarjetas regalo caducan?", "en/gift-cards"),
        ("how many years of warranty do Luma devices have?", "es/garantia"),  # en -> es only
        ("how do I send back an order?", "es/devoluciones"),
    ],
)
def test_cross_lingual_search(real_kb: Knowledge, query: str, expected: str) -> None:
    result = real_kb.get().retriever.search(query, k=2)
    assert result.hits[0].document_id == expected, [h.document_id for h in result.hits]


def test_batched_parallel_embedding_keeps_input_order(real_kb: Knowledge) -> None:
    """Batches are sorted by length and run side by side; results come back in input order
    and match one-by-one embedding (this model's vectors move a little with batch padding,
    sorted or not, so the match is by cosine)."""
    import numpy as np

    embedder = real_kb.embedder
    texts = [("palabra " * n).strip() + f" {n}" for n in (40, 1, 17, 3, 60, 2, 9, 33)] * 5
    together = embedder.embed_documents(texts)
    alone = np.vstack([embedder.embed_query(t) for t in texts])
    assert together.shape == (len(texts), embedder.dimension)
    cosine = together @ alone.T
    assert np.diag(cosine).mean() > 0.97 and np.diag(cosine).min() > 0.9
    nearest = cosine.argmax(axis=1)
    assert all(texts[j] == texts[i] for i, j in enumerate(nearest))
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4)


def test_grounding_with_the_real_model_works_across_languages(real_kb: Knowledge) -> None:
    """A Spanish reply is checked against an English passage; an invented one is refused."""
    from cxrag.compose.context import Passage
    from cxrag.guard.grounding import GroundingChecker

    checker = GroundingChecker(real_kb.embedder)
    passages = [Passage(1, "en/returns", "r", "Returns", "kb/returns.md",
                        "Returns are free within thirty days of delivery. Refunds take five "
                        "business days after the parcel arrives.", "en", 1.0, 30)]
    ok = checker.check("Las devoluciones son gratuitas durante 30 días desde la entrega.",
                       passages)
    assert ok.grounded and ok.citations[0].quote.startswith("Returns are free")
    invented = checker.check("Nuestras tiendas de Madrid abren los domingos por la tarde.",
                             passages)
    assert not invented.grounded
