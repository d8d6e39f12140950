"""Grounding decisions and citation validation, with the fake bag-of-words embedder."""

from cxrag.compose.context import Passage
from cxrag.guard.grounding import GroundingChecker
from tests.conftest import FakeEmbedder


def passage(n: int, doc: str, text: str) -> Passage:
    return Passage(n, doc, f"{doc}#v-0", doc.title(), f"kb/{doc}.md", text, "en", 1.0, 20)


PASSAGES = [
    passage(1, "returns", "Returns are free within thirty days of delivery. Refunds take five "
                          "business days after the parcel arrives."),
    passage(2, "shipping", "Standard delivery takes three to five business days. Express "
                           "delivery arrives the next day."),
]
checker = GroundingChecker(FakeEmbedder(), min_support=0.5)


class Counting(FakeEmbedder):
    """The fake embedder, keeping every text it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed_documents(self, texts):  # type: ignore[no-untyped-def]
        self.texts += list(texts)
        return super().embed_documents(texts)


def test_supported_sentences_get_citations_of_retrieved_passages_only() -> None:
    reply = ("Hi Ana. Returns are free within thirty days of delivery [7]. "
             "Express delivery arrives the next day.")
    g = checker.check(reply, PASSAGES)
    assert g.grounded and (g.supported, g.factual) == (2, 2)
    assert [c.document_id for c in g.citations] == ["returns", "shipping"]
    assert "[7]" not in g.answer  # a mark pointing at nothing that was retrieved is dropped
    assert g.answer == ("Hi Ana. Returns are free within thirty days of delivery. [1] "
                        "Express delivery arrives the next day. [2]")
    assert g.citations[0].quote == "Returns are free within thirty days of delivery."
    assert g.citations[1].quote == "Express delivery arrives the next day."


def test_an_invented_answer_is_not_grounded() -> None:
    reply = "Our stores in Madrid open on Sundays from ten to eight. Parking costs two euros."
    g = checker.check(reply, PASSAGES)
    assert not g.grounded and g.reason == "unsupported" and g.citations == []
    assert len(g.unsupported) == 2


def test_mostly_invented_is_not_grounded_either() -> None:
    reply = ("Returns are free within thirty days of delivery. Our stores in Madrid open on "
             "Sundays. Parking in the centre costs two euros an hour.")
    g = checker.check(reply, PASSAGES)
    assert not g.grounded and (g.supported, g.factual) == (1, 3)


def test_a_grounded_reply_never_shows_its_unsupported_sentence() -> None:
    """Enough supported sentences let a reply through (``min_supported_share``), never the
    sentence that failed: shown uncited, it would still read as the assistant's word."""
    reply = ("Returns are free within thirty days of delivery. Refunds take five business days "
             "after the parcel arrives. Our stores in Madrid open on Sundays. Express delivery "
             "arrives the next day.")
    g = checker.check(reply, PASSAGES)
    assert g.grounded and (g.supported, g.factual) == (3, 4)
    assert g.unsupported == ["Our stores in Madrid open on Sundays."]
    assert "Madrid" not in g.answer
    assert g.answer == ("Returns are free within thirty days of delivery. [1] Refunds take five "
                        "business days after the parcel arrives. [1] Express delivery arrives "
                        "the next day. [2]")
    # a reply that is not grounded keeps every sentence (an agent's draft, the logs)
    g = checker.check("Our stores in Madrid open on Sundays. Returns are free within thirty "
                      "days of delivery.", PASSAGES)
    assert not g.grounded and "Madrid" in g.answer


def test_no_answer_and_no_passages() -> None:
    assert checker.check("NO_ANSWER", PASSAGES).reason == "no_answer"
    assert checker.check("  ", PASSAGES).reason == "no_answer"
    g = checker.check("Returns are free within thirty days.", [])
    assert not g.grounded and g.reason == "no_passages"


def test_a_greeting_alone_states_no_fact() -> None:
    g = checker.check("Hola, Ana.", PASSAGES)
    assert not g.grounded and g.factual == 0


def test_repeated_sentences_and_stray_punctuation_are_dropped() -> None:
    reply = (". Express delivery arrives the next day. [2] . Express delivery arrives the next "
             "day. [2] Express delivery arrives the next day.")
    g = checker.check(reply, PASSAGES)
    assert g.answer == "Express delivery arrives the next day. [2]" and g.factual == 1


def test_passage_sentences_are_embedded_once_across_replies() -> None:
    embedder = Counting()
    cached = GroundingChecker(embedder, min_support=0.5)
    first = cached.check("Returns are free within thirty days of delivery.", PASSAGES)
    seen = len(embedder.texts)
    second = cached.check("Express delivery arrives the next day.", PASSAGES)
    assert first.grounded and second.grounded
    assert seen == 1 + 4 and embedder.texts[seen:] == ["Express delivery arrives the next day."]
    assert second.citations[0].document_id == "shipping"


def test_sentences_in_another_language_and_echoes_of_the_question_are_dropped() -> None:
    reply = ("Returns are free within thirty days of delivery. "
             "Las devoluciones son gratuitas durante treinta días desde la entrega.")
    g = checker.check(reply, PASSAGES, language="en", languages=["es", "en"])
    assert g.grounded and g.answer == "Returns are free within thirty days of delivery. [1]"
    echo = checker.check("When does express delivery arrive the next day?", PASSAGES,
                         question="When does express delivery arrive the next day?")
    assert not echo.grounded and echo.answer == ""


def test_a_half_translated_sentence_is_dropped_and_a_quoted_label_is_not() -> None:
    """A sentence that is half a passage's English (gnome-es2en: "Even if a check does not
    report any damage, the filesystem puede estar marcado como 'dirty'...") is not in the
    customer's language, though the detector reads it as Spanish; an English UI label or
    product name in a Spanish sentence is."""
    english = [passage(1, "disks", "Even if a check does not report any damage, the "
                                   "filesystem may be marked as dirty internally and need a "
                                   "repair. Open Disks and choose Repair Filesystem.")]
    mixed = ("Even if a check does not report any damage, the filesystem puede estar marcado "
             "como sucio y necesitar una reparación.")
    label = 'Abre la aplicación Disks y elige "Repair Filesystem" en el menú.'
    g = checker.check(f"{mixed} {label}", english, language="es", languages=["es", "en"])
    assert mixed not in g.answer and "Repair Filesystem" in g.answer
    alone = checker.check(mixed, english, language="es", languages=["es", "en"])
    assert not alone.grounded and alone.reason == "wrong_language"


def test_the_customers_own_case_given_back_is_no_answer() -> None:
    """A copied sentence of the customer's case stays far from the message as a whole (a
    greeting and a question around it), so each sentence of the message is compared too;
    what they asked, turned into a statement, is no answer either."""
    question = ("Hello. Express delivery arrives the next day, but my parcel is late. "
                "What should I do?")
    echo = checker.check("Hello. Express delivery arrives the next day, but my parcel is "
                         "late. [2] What should I do?", PASSAGES, question=question)
    assert not echo.grounded and echo.factual == 0
    assert "late" not in echo.answer
    affirmed = checker.check("Yes, express delivery can arrive the next day.", PASSAGES,
                             question="Hi. Can express delivery arrive the next day?")
    assert not affirmed.grounded and affirmed.factual == 0
    short = checker.check("Hi. I am 81. Express delivery arrives the next day.", PASSAGES,
                          question="Hi. I am 81. When does express delivery arrive?")
    assert short.grounded and short.answer == "Hi. Express delivery arrives the next day. [2]"
    again = checker.check("Hello again. Express delivery arrives the next day.", PASSAGES,
                          question="Hello again. When does express delivery arrive?")
    assert again.answer == "Hello again. Express delivery arrives the next day. [2]"
    answer = checker.check("Express delivery arrives the next day.", PASSAGES,
                           question="Hi there. When does express delivery arrive?")
    assert answer.grounded and answer.answer == "Express delivery arrives the next day. [2]"


def test_echoes_of_a_long_message_cost_a_bounded_number_of_embeddings() -> None:
    embedder = Counting()
    counted = GroundingChecker(embedder, min_support=0.5, min_answer_relevance=0.0)
    question = "a. " * 1500 + " ".join(f"Sentence number {i} of my case." for i in range(100))
    g = counted.check("Express delivery arrives the next day.", PASSAGES, question=question)
    assert g.grounded
    assert len(embedder.texts) < 40  # the reply, the message, 24 of its sentences, passages


def test_list_markers_and_empty_items_are_removed() -> None:
    reply = ("1. Returns are free within thirty days of delivery. [1] "
             "2. Express delivery arrives the next day. [2] 3.")
    g = checker.check(reply, PASSAGES)
    assert g.grounded and g.answer == ("Returns are free within thirty days of delivery. [1] "
                                       "Express delivery arrives the next day. [2]")


def test_a_figure_the_passages_never_state_is_not_supported() -> None:
    invented = checker.check("Returns are free within 45 days of delivery.", PASSAGES)
    assert not invented.grounded and invented.unsupported
    passages = [passage(1, "plus", "Tiendalia Plus costs 49.99 USD a year and includes "
                                   "free shipping on 1,000 products.")]
    stated = checker.check("Tiendalia Plus costs 49,99 USD a year and ships 1000 products "
                           "free.", passages)
    assert stated.grounded


def test_a_figure_spelled_out_in_the_passage_supports_digits_in_the_reply() -> None:
    g = checker.check("Returns are free within 30 days of delivery.", PASSAGES)
    assert g.grounded and g.citations[0].document_id == "returns"


def test_the_customers_own_orders_support_a_sentence_but_are_never_cited() -> None:
    from cxrag.guard.grounding import account_passage

    account = account_passage("C7", ["Order TL-US-2026-001806 (Air fryer): shipped, placed "
                                     "2026-09-02, carrier UPS"], "en")
    reply = ("Your order TL-US-2026-001806 with the air fryer has shipped with UPS. "
             "Refunds take five business days after the parcel arrives.")
    g = checker.check(reply, [*PASSAGES, account])
    assert g.grounded and (g.supported, g.factual) == (2, 2)
    assert [c.document_id for c in g.citations] == ["returns"]
    assert g.answer.startswith("Your order TL-US-2026-001806 with the air fryer has shipped "
                               "with UPS. Refunds")
    assert not checker.check(reply.split(". ")[0] + ".", PASSAGES).grounded  # not without it
