"""Retrieval with the real multilingual embedder: the relevance score (abstention signal),
follow-ups searched with their conversation, and a cross-language document that ranks."""

from collections.abc import Iterator

import pytest

from cxrag.embed.onnx import UseMultilingualEmbedder
from cxrag.knowledge import Knowledge, KnowledgeBase
from cxrag.retrieve.relevance import relevance
from cxrag.settings import Settings


@pytest.fixture(scope="module")
def use_kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("relevance")
    docs = root / "kb"
    pages = {
        "en/gift-cards.md": "# Gift cards\n\nGift cards never expire and can be used on any "
                            "product sold in the store.\n",
        "en/shipping.md": "# Shipping times\n\nOrders ship within 24 hours. Standard delivery "
                          "takes 3 to 5 business days; express delivery takes one day.\n",
        "es/devoluciones.md": "# Devoluciones\n\nTienes 30 días para devolver un pedido. Entra "
                              "en Mis pedidos y pulsa Devolver.\n",
        "en/camera-night.md": "# Luma Cam night vision\n\nThe camera switches to infrared "
                              "below 10 lux. If the image is white at night, clean the lens "
                              "and move the camera away from windows.\n",
        "es/cuenta.md": "# Tu cuenta\n\nPuedes cambiar la contraseña de la cuenta en Ajustes, "
                        "Seguridad.\n",
    }
    for name, text in pages.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=root / "data", _env_file=None)  # type: ignore[call-arg]
    knowledge = Knowledge(settings, embedder=UseMultilingualEmbedder())
    base = knowledge.get()
    assert base.ingestor.run([docs]).ok
    yield base
    knowledge.close()


def test_relevance_is_a_probability_that_grows_with_the_evidence() -> None:
    assert 0 < relevance(0.1, 0.1) < relevance(0.5, 0.4) < relevance(0.8, 0.7) < 1


def test_a_question_the_knowledge_answers_scores_above_one_it_cannot(
        use_kb: KnowledgeBase) -> None:
    answered = use_kb.retriever.search("Do gift cards expire?", k=3)
    unrelated = use_kb.retriever.search("Which football team won the league in 1998?", k=3)
    assert answered.hits[0].document_id == "en/gift-cards"
    assert answered.relevance is not None and unrelated.relevance is not None
    assert answered.relevance > 0.5 > unrelated.relevance


def test_lexical_mode_has_no_relevance_score(use_kb: KnowledgeBase) -> None:
    assert use_kb.retriever.search("gift cards", k=3, mode="lexical").relevance is None


def test_a_spanish_question_finds_the_english_page(use_kb: KnowledgeBase) -> None:
    hits = use_kb.retriever.search("¿Por qué la imagen de mi cámara sale blanca de noche?",
                                   k=3).hits
    assert hits[0].document_id == "en/camera-night"


def test_a_follow_up_is_searched_with_the_turns_before_it(use_kb: KnowledgeBase) -> None:
    follow_up = "and how long does it take?"
    alone = [h.document_id for h in use_kb.retriever.search(follow_up, k=5).hits]
    context = ["I want to send back the shoes I bought", "can I return an order?"]
    with_turns = use_kb.retriever.search(follow_up, k=5, context=context).hits
    assert with_turns[0].document_id == "es/devoluciones"
    assert alone[0] != "es/devoluciones"


def test_context_is_bounded(use_kb: KnowledgeBase) -> None:
    huge = ["gift cards " * 5000] * 50
    result = use_kb.retriever.search("do they expire?", k=3, context=huge)
    assert result.hits[0].document_id == "en/gift-cards"
    assert result.took_ms < 5000
