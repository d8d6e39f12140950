"""Packing passages into a token budget."""

from cxrag.compose.context import ContextPacker
from cxrag.retrieve.hybrid import SearchHit


def hit(doc: str, text: str, score: float) -> SearchHit:
    return SearchHit(doc, f"{doc}#v-0", doc.title(), f"kb/{doc}.md", score, text, "en",
                     "article", (), (), None, "2026-01-01")


SENTENCE = "Returns are free within thirty days of delivery for every order."
LONG = " ".join([SENTENCE] * 8)


def test_most_relevant_first_and_numbered_for_citation() -> None:
    packer = ContextPacker(budget=400)
    hits = [hit("low", "Low relevance text.", 0.1), hit("high", "High relevance text.", 0.9)]
    passages = packer.pack(hits)
    assert [p.document_id for p in passages] == ["high", "low"]
    assert [p.number for p in passages] == [1, 2]


def test_budget_is_respected_and_long_passages_trimmed_at_sentences() -> None:
    packer = ContextPacker(budget=200)
    hits = [hit("a", LONG, 0.9), hit("b", LONG, 0.8), hit("c", "tiny.", 0.1)]
    passages = packer.pack(hits)
    total = sum(p.tokens + packer.count(p.title) + 4 for p in passages)
    assert total <= 200
    assert passages[0].text == LONG  # fits whole
    # the second is trimmed to whole sentences, never cut mid-sentence
    assert [p.document_id for p in passages[:2]] == ["a", "b"]
    assert passages[1].text.endswith(SENTENCE) and passages[1].tokens < packer.count(LONG)
    assert passages[1].text.count(SENTENCE) >= 1


def test_nothing_fits_gives_nothing() -> None:
    assert ContextPacker(budget=10).pack([hit("a", " ".join([SENTENCE] * 20), 0.9)]) == []


def test_focus_keeps_the_sentences_closest_to_the_question_in_their_order() -> None:
    from cxrag.embed.cache import SentenceVectors
    from tests.conftest import FakeEmbedder

    text = ("Our shop opens every day of the year. Returns are free within thirty days of "
            "delivery. Refunds reach your card within five business days. Related articles\n"
            "Gift cards and vouchers for every season are sold online.")
    hits = [hit("returns", text, 0.9), hit("returns-copy", text, 0.8),
            hit("other", "Stores are open on Sundays in the summer.", 0.5)]
    question = "are returns free within thirty days"
    tight = ContextPacker(budget=50, sentences=SentenceVectors(FakeEmbedder()), max_passages=2)
    passages = tight.pack(hits, question)
    assert [p.document_id for p in passages] == ["returns"]
    assert passages[0].text == ("Returns are free within thirty days of delivery. Refunds reach "
                                "your card within five business days. Gift cards and vouchers "
                                "for every season are sold online.")  # closest, in order
    assert sum(p.tokens + tight.count(p.title) + 4 for p in passages) <= 50
    roomy = ContextPacker(budget=80, sentences=SentenceVectors(FakeEmbedder()), max_passages=2)
    passages = roomy.pack(hits, question)
    assert [p.document_id for p in passages] == ["returns", "other"]  # the copy is sent once
    assert "Related articles" not in passages[0].text  # too short to state a fact


def test_chunks_of_one_article_become_one_passage_in_document_order() -> None:
    from cxrag.embed.cache import SentenceVectors
    from cxrag.retrieve.hybrid import SearchHit
    from tests.conftest import FakeEmbedder

    def chunk(doc: str, index: int, text: str, score: float) -> SearchHit:
        return SearchHit(doc, f"{doc}#v-{index}", doc.title(), f"kb/{doc}.md", score, text,
                         "en", "article", (), (), None, "2026-01-01")

    hits = [chunk("shipping", 3, "Parcels to a PO box must weigh 20 lb or less.", 0.9),
            chunk("returns", 0, "Returns are free within thirty days of delivery.", 0.8),
            chunk("shipping", 1, "We ship to PO boxes with USPS standard shipping.", 0.7)]
    packer = ContextPacker(budget=120, sentences=SentenceVectors(FakeEmbedder()))
    passages = packer.pack(hits, "can you ship to my PO box, is there a weight limit")
    assert [(p.number, p.document_id) for p in passages] == [(1, "shipping"), (2, "returns")]
    assert passages[0].text == ("We ship to PO boxes with USPS standard shipping. Parcels to a "
                                "PO box must weigh 20 lb or less.")


def test_a_sentence_that_opens_a_list_brings_its_items() -> None:
    from cxrag.embed.cache import SentenceVectors
    from tests.conftest import FakeEmbedder

    # The Oxxo refund page: the options come as list items after the sentence that opens them.
    text = ("Pagaste en efectivo en OXXO y quieres devolver un pedido. Como el pago fue en "
            "efectivo, no podemos devolver el dinero a una tarjeta. Al solicitar la devolución "
            "elige una de estas opciones:\nSaldo Tiendalia: inmediato, en cuanto aprobamos la "
            "devolución.\nTransferencia bancaria: indica una CLABE de 18 dígitos a tu nombre.\n"
            "La transferencia se hace en un máximo de 5 días hábiles.\nPor seguridad, no "
            "hacemos transferencias a cuentas de terceros.\nLas facturas de OXXO se piden en "
            "el mes de la compra y nunca después de ese plazo.")
    hits = [hit("oxxo", text, 0.9)]
    question = "como me devuelven el dinero si pague en efectivo y no tengo tarjeta"
    packer = ContextPacker(budget=120, sentences=SentenceVectors(FakeEmbedder()))
    sent = packer.pack(hits, question)[0].text
    assert "no podemos devolver el dinero a una tarjeta" in sent
    assert "elige una de estas opciones:" in sent
    for item in ("Saldo Tiendalia: inmediato", "CLABE de 18 dígitos", "5 días hábiles"):
        assert item in sent  # the items, not only the sentence that announces them
    assert "Las facturas de OXXO" not in sent  # the list ends where its items do
    # Without the list's opening sentence among the chosen ones, no item is pulled in.
    plain = hits[0].text.replace("elige una de estas opciones:", "elige una opción.")
    sent = packer.pack([hit("oxxo", plain, 0.9)], question)[0].text
    assert "CLABE" not in sent


def test_the_customers_country_picks_its_section_of_the_article() -> None:
    from cxrag.embed.cache import SentenceVectors
    from tests.conftest import FakeEmbedder

    # The warranty PDF: one section per country, the same sentence shape in each.
    text = ("Every product sold by Tiendalia comes with a warranty.\nSpain\n"
            "New products: 3 years of legal guarantee from the delivery date.\n"
            "Refurbished products: 18 months from the delivery date.\nMexico\n"
            "New products: the manufacturer's warranty, at least 12 months.\nUnited States\n"
            "New products: the manufacturer's limited warranty, usually 1 year.\n"
            "What the warranty covers\nManufacturing defects that appear with normal use.")
    hits = [SearchHit("warranty", "warranty#v-0", "Warranty", "kb/warranty.pdf", 0.9, text,
                      "en", "article", ("Warranty", "How long is the warranty?"), (), None,
                      "2026-01-01")]
    packer = ContextPacker(budget=120, sentences=SentenceVectors(FakeEmbedder()))
    question = "my monitor stopped working, is it still under warranty for new products?"

    def sent(country: str | None, asked: str = question) -> str:
        return packer.pack(hits, asked, country=country)[0].text

    assert "3 years" in sent("ES") and "12 months" not in sent("ES")
    assert "1 year" not in sent("ES")
    assert "12 months" in sent("MX") and "3 years" not in sent("MX")
    assert "usually 1 year" in sent("US") and "3 years" not in sent("US")
    assert "Manufacturing defects" in sent("ES")  # a section about no country stays
    # The question's own country wins over the customer's, and picks its section as the
    # customer's would: with no customer country, too.
    moving = sent("ES", question + " I'm moving to Mexico")
    assert "12 months" in moving and "3 years" not in moving
    living = sent(None, "vivo en Estados Unidos, " + question)
    assert "usually 1 year" in living and "3 years" not in living
    # A question naming two countries favours neither (every section is sent).
    both = sent("ES", question + " I bought it in Spain and live in Mexico now")
    assert all(fact in both for fact in ("3 years", "12 months", "usually 1 year"))
    # "usa" is a Spanish verb, not the USA: the customer's country still picks.
    verb = sent("ES", question + " ¿qué garantía usa?")
    assert "3 years" in verb and "usually 1 year" not in verb
    assert "usually 1 year" in sent(None, question + " I'm in the USA")
    # Without a known country, every section is sent (the budget holds them all).
    anyone = packer.pack(hits, question)[0].text
    assert all(fact in anyone for fact in ("3 years", "12 months", "usually 1 year"))


def test_a_page_in_pesos_only_is_about_mexico() -> None:
    from cxrag.embed.cache import SentenceVectors
    from tests.conftest import FakeEmbedder

    def page(doc: str, index: int, text: str, score: float) -> SearchHit:
        return SearchHit(doc, f"{doc}#v-{index}", doc, f"kb/{doc}.md", score, text, "es",
                         "article", (), (), None, "2026-01-01")

    # The Mexican instalments page (one chunk with amounts, one without) beside the US
    # financing page: no heading names a country, the pesos do.
    hits = [page("msi", 0, "12 meses sin intereses: compras desde MX$6,000 en el pedido.", 0.9),
            page("msi", 1, "Revisa que el pedido alcance el monto mínimo de compra.", 0.8),
            page("monthly", 0, "Customers in the United States split purchases of $150 or "
                 "more into monthly payments.", 0.7)]
    packer = ContextPacker(budget=200, sentences=SentenceVectors(FakeEmbedder()))

    def docs(question: str, country: str | None = None) -> list[str]:
        return [p.document_id for p in packer.pack(hits, question, country=country)]

    question = "cual es el minimo de compra para pagar a plazos?"
    assert docs("vivo en Estados Unidos, " + question) == ["monthly"]
    assert docs(question, "ES") == ["monthly"]
    assert docs(question) == ["msi", "monthly"]  # no country known: both
    # For a Mexican customer the pesos page comes first; a page's prose naming a country
    # ("customers in the United States") does not make it about that country only.
    assert docs(question, "MX") == ["msi", "monthly"]
    # A page with dollars or euros beside its pesos (prices per country) is about none.
    mixed = [page("cloud", 0, "Cloud Plus costs $2.99 a month, EUR 2.99 or MX$59.", 0.9)]
    assert [p.document_id for p in packer.pack(mixed, question, country="ES")] == ["cloud"]
    # Money is read as the guard reads it: euros or dollars written out count as other
    # money, and "pesos" written out as pesos.
    spelled = [page("gift", 0, "La tarjeta regalo vale 500 pesos o 25 euros.", 0.9)]
    assert [p.document_id for p in packer.pack(spelled, question, country="ES")] == ["gift"]
    pesos = [page("gift", 0, "La tarjeta regalo vale 500 pesos.", 0.9)]
    assert [p.document_id for p in packer.pack(pesos, question, country="ES")] == []
