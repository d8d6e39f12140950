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
