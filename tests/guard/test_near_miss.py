"""Near misses with the real multilingual embedder: a reply sentence that differs from its
passage in one fact (a figure, a date, a city, a product, a company, a step) reads almost like
it, so similarity alone would cite the passage for a wrong answer. Each must be refused, with
the fact named in ``Grounding.reasons``, while the faithful sentence, in the passage's
language and translated, stays supported."""

from __future__ import annotations

import pytest

from cxrag.compose.context import Passage
from cxrag.guard.facts import (
    date_bounds,
    denied,
    labelled_values,
    misdated,
    mislabelled,
    misplaced,
    numbered_labels,
    other_topic,
    passage_facts,
    table,
    unbound,
    unbounded_dates,
    undenied,
    unstated,
)
from cxrag.guard.grounding import GroundingChecker, account_passage
from cxrag.guard.streaming import GuardedStream
from tests.guard.conftest import passage

pytestmark = pytest.mark.slow  # the real embedding model (about 1 s to load)

LANGUAGES = ["es", "en"]

RETURNS_EN = passage(1, "Returns policy", "Returns are free within 30 days of delivery. Tiendalia "
                     "Plus members have 45 days. Refunds reach your card within 5 business days "
                     "of the inspection.", "en")
SHIPPING_ES = passage(2, "Envíos a Canarias", "Los pedidos a Canarias se envían desde nuestro "
                      "almacén de Getafe (Madrid) con SEUR y tardan de 5 a 8 días hábiles. Los "
                      "envíos salen de lunes a viernes.", "es")
PLUG_ES = passage(3, "Luma Plug: consumo", "El enchufe inteligente Luma Plug (modelo LP-1) "
                  "soporta hasta 16 A en España. Puedes crear hasta 30 horarios por enchufe "
                  "desde la app Luma Home, en Horarios > Añadir.", "es")
SALE_EN = passage(4, "Spring sale", "The spring sale runs from 1 March to 15 March. During the "
                  "sale, Luma Cam costs $79 instead of $99. Orders placed after 6 p.m. ship the "
                  "next business day.", "en")
SUPPORT_EN = passage(5, "Contact us", "Our phone line is open Monday to Friday from 9 a.m. to "
                     "9 p.m. To reset your password, go to My account > Security > Change "
                     "password.", "en")
# A table as ingest writes it (cxrag.ingest.tables): a row per sentence.
REFUNDS_EN = passage(6, "Refund timelines", "Payment method: Time after the email. Credit or "
                     "debit card: 3–10 business days. PayPal: 1–2 business days. Bizum (Spain): "
                     "1–3 business days.", "en")

# (passage, language of the reply, faithful sentences in both languages, traps: (sentence,
# the fact its reason must name))
CASES = [
    (RETURNS_EN, [("en", "Returns are free within 30 days of delivery."),
                  ("es", "Las devoluciones son gratuitas durante 30 días desde la entrega.")],
     [("en", "Returns are free within 14 days of delivery.", "figure 14"),
      ("es", "Las devoluciones son gratuitas durante 14 días desde la entrega.", "figure 14"),
      ("en", "Only Tiendalia Premium members have 45 days to return an item.",
       "name 'Tiendalia Premium'"),
      ("es", "Los reembolsos llegan a tu tarjeta en 5 semanas tras la revisión.",
       "quantity '5 semanas'")]),
    (SHIPPING_ES, [("es", "Los pedidos a Canarias salen de nuestro almacén de Getafe con SEUR "
                          "y tardan de 5 a 8 días hábiles."),
                   ("en", "Orders to the Canary Islands ship from our Getafe warehouse with "
                          "SEUR and take 5 to 8 business days.")],
     [("es", "Los pedidos a Canarias salen de nuestro almacén de Barcelona con SEUR.",
       "name 'Barcelona'"),
      ("en", "Orders to the Canary Islands ship from our Getafe warehouse with DHL.",
       "name 'DHL'"),
      ("es", "Los envíos a Canarias salen de lunes a sábado.", "weekday sábado"),
      ("en", "Orders to the Balearic Islands take 5 to 8 business days.",
       "place Balearic Islands")]),
    (PLUG_ES, [("es", "El Luma Plug soporta hasta 16 A en España."),
               ("en", "The Luma Plug (model LP-1) supports up to 16 A in Spain.")],
     [("es", "El Luma Cam soporta hasta 16 A en España.", "name 'Luma Cam'"),
      ("en", "The Luma Plug (model LP-2) supports up to 16 A in Spain.", "name 'LP-2'"),
      ("es", "Puedes crear hasta 50 horarios por enchufe desde la app Luma Home.", "figure 50"),
      ("es", "Para crear un horario, entra en Ajustes > Programación en la app Luma Home.",
       "step 'Ajustes'")]),
    (SALE_EN, [("en", "The spring sale runs from 1 March to 15 March."),
               ("es", "Las rebajas de primavera van del 1 al 15 de marzo.")],
     [("en", "The spring sale runs from 1 May to 15 May.", "month May"),
      ("es", "Las rebajas de primavera van del 1 al 15 de mayo.", "month mayo"),
      ("en", "During the sale, Luma Cam costs €79 instead of $99.", "amount €79"),
      ("es", "Los pedidos hechos después de las 20:00 salen el siguiente día hábil.",
       "time 20:00")]),
    (SUPPORT_EN, [("en", "You can call us Monday to Friday from 9 a.m. to 9 p.m."),
                  ("es", "Puedes llamarnos de lunes a viernes de 9:00 a 21:00.")],
     [("en", "You can call us on Sundays from 9 a.m. to 9 p.m.", "weekday Sunday"),
      ("en", "To reset your password, go to My account > Privacy > Change password.",
       "step 'Privacy'")]),
    # the next row's figure: in the passage, but not PayPal's
    (REFUNDS_EN, [("en", "Refunds to PayPal take 1–2 business days."),
                  ("es", "Los reembolsos a PayPal tardan de 1 a 2 días hábiles.")],
     [("en", "Refunds to PayPal take 1 to 3 business days.",
       "range '1 to 3 business days' for PayPal"),
      ("es", "Los reembolsos a PayPal tardan de 1 a 3 días hábiles.",
       "range '1 a 3 días hábiles' for PayPal")]),
]
FAITHFUL = [(p, lang, s) for p, ok, _ in CASES for lang, s in ok]
TRAPS = [(p, lang, s, fact) for p, _, traps in CASES for lang, s, fact in traps]


@pytest.mark.parametrize(("source", "language", "sentence"), FAITHFUL,
                         ids=[s[:40] for _, _, s in FAITHFUL])
def test_the_faithful_sentence_is_supported_in_either_language(
        checker: GroundingChecker, source: Passage, language: str, sentence: str) -> None:
    g = checker.check(sentence, [source], language=language, languages=LANGUAGES)
    assert g.grounded and g.reasons == [], g.reasons
    assert [c.number for c in g.citations] == [source.number]


@pytest.mark.parametrize(("source", "language", "sentence", "fact"), TRAPS,
                         ids=[s[:40] for _, _, s, _ in TRAPS])
def test_a_sentence_off_by_one_fact_is_refused_and_says_why(
        checker: GroundingChecker, source: Passage, language: str, sentence: str,
        fact: str) -> None:
    g = checker.check(sentence, [source], language=language, languages=LANGUAGES)
    assert not g.grounded and g.citations == [] and g.unsupported == [sentence]
    assert len(g.reasons) == 1 and fact in g.reasons[0], g.reasons
    assert g.reasons[0].endswith(f"not in passage {source.number}")


@pytest.mark.parametrize("index", [4, 5, 6, 7, 8, 11, 12, 13, 14, 16, 17, 18, 19])
def test_without_the_rules_those_traps_were_cited(checker: GroundingChecker,
                                                  index: int) -> None:
    """The old guard (similarity, and figures anywhere in the passages) cited these."""
    source, language, sentence, _ = TRAPS[index]
    loose = GroundingChecker(checker.embedder, checker.min_support, near_misses=False)
    assert loose.check(sentence, [source], language=language, languages=LANGUAGES).grounded


def test_the_passage_that_states_the_fact_is_the_one_cited(checker: GroundingChecker) -> None:
    """Facts are checked against the supporting passage, not all of them: the sale passage
    states 15 March, so "15 days" from it is refused; with the returns passage sent too, "30
    days" is supported by that one."""
    g = checker.check("Returns are free within 15 days of delivery.", [SALE_EN, RETURNS_EN])
    assert not g.grounded and "not in passage 1" in g.reasons[0]
    ok = checker.check("Returns are free within 30 days of delivery.", [SALE_EN, RETURNS_EN])
    assert ok.grounded and [c.number for c in ok.citations] == [1]


def test_the_customers_own_data_may_state_the_fact(checker: GroundingChecker) -> None:
    account = account_passage("C9", ["Order TL-ES-2026-004512 (Luma Plug): shipped 2026-03-03, "
                                     "carrier SEUR"], "es")
    sentence = "Tu pedido TL-ES-2026-004512 con el Luma Plug se envió con SEUR el 3 de marzo."
    assert checker.check(sentence, [PLUG_ES, account], language="es",
                         languages=LANGUAGES).grounded
    wrong = checker.check(sentence.replace("SEUR", "MRW"), [PLUG_ES, account], language="es",
                          languages=LANGUAGES)
    assert not wrong.grounded and "MRW" in wrong.reasons[0]


def test_a_streamed_sentence_carries_its_reason(checker: GroundingChecker) -> None:
    verdict = checker.check_sentence("Returns are free within 14 days of delivery.",
                                     [RETURNS_EN])
    assert verdict.text is None and verdict.reason == "unsupported"
    assert verdict.detail == "figure 14 not in passage 1"


@pytest.mark.parametrize(("sentence", "text", "missing"), [
    ("Refunds take 5 business days.", "Refunds take five business days.", []),
    ("Refunds take 5 business days.", "Refunds take five days.", ["quantity '5 business days'"]),
    ("Refunds take 10 days.", "Refunds take 10 business days.", []),
    ("The link works for 60 hours.", "The link is valid for 60 minutes.",
     ["quantity '60 hours'"]),
    ("Refunds take 3–5 business days.", "Cards: 3–10 business days. PayPal: 5 business days.",
     ["range '3–5 business days'"]),
    ("Llámanos a las 9.", "Teléfono: de 9:00 a 21:00.", []),
    ("Call us until 9 p.m.", "Teléfono: de 9:00 a 21:00.", []),
    ("Abrimos los miércoles.", "Open Monday to Friday.", []),
    ("Your order was placed on 2 September 2026.", "Order TL-1: placed 2026-09-02.", []),
    ("La recogida cuesta 4,95 €.", "| Home pickup | EUR 4.95 |", []),
    ("La recogida cuesta 4,95 dólares.", "| Home pickup | EUR 4.95 |", ["amount 4,95 dólares"]),
    ("Enviamos a España y a México.", "We ship to Spain and Mexico.", []),
    ("Enviamos a Londres.", "We ship to London.", []),
    ("Enviamos a Estados Unidos.", "We ship to Spain.", ["place United States"]),
    ("Hola Ana, Tiendalia Plus cuesta 49 €.", "Tiendalia Plus: EUR 49 a year.", []),
    ("Pulsa Devolver artículos en Mis pedidos.", "Tap Return items in My orders.",
     ["step 'Devolver artículos'"]),
    ("En el paso 3 eliges el motivo.", "1. Sign in. 2. Open the order. 3. Choose a reason.", []),
    ("Tienes 3 días para devolverlo.", "1. Sign in. 2. Open the order. 3. Choose a reason.",
     ["figure 3"]),
    ("Tienes 18 días naturales.", "Indica una CLABE de 18 dígitos a tu nombre.",
     ["quantity '18 días naturales'"]),
    ("Indica una CLABE de 18 dígitos.", "Indica una CLABE de 18 dígitos a tu nombre.", []),
    ("A group takes 8 days to set up.", "Pick the speakers (up to 8 speakers per group).",
     ["quantity '8 days'"]),
    ("Tienes 18 días.", "Una CLABE de 18 dígitos. Plazo: 18 para reclamar.", []),
    ("The fee applies for the first 3 years.", "La comisión es del 0,25 % los 3 primeros años.",
     []),
    ("Tienes 7 días.", "Desde el 7 de marzo.", []),
    # an acronym of a known place or tax is read in either language, never as a bare name
    ("Prices are recalculated without the 21% VAT.", "Los precios se recalculan sin el 21 % "
     "de IVA.", []),
    ("Prices are recalculated without the 21% APR.", "Los precios se recalculan sin el 21 % "
     "de IVA.", ["name APR"]),
    ("We ship to the EEUU.", "Enviamos a Estados Unidos.", []),
    # a bare "$" is the one currency it can be in a passage about one of the two countries
    ("Puedes financiar compras desde MX$150.", "Customers in the United States split "
     "purchases of $150 or more.", ["amount MX$150"]),
    ("You can finance purchases from $150 USD.", "Customers in the United States split "
     "purchases of $150 or more.", []),
    ("Compras desde 6,000 USD.", "En México: compras desde $6,000.", ["amount 6,000 USD"]),
    ("Compras desde MX$6,000.", "En México: compras desde $6,000.", []),
    ("It costs MX$150.", "A fee of $150 applies.", []),  # no country: either
])
def test_facts_as_compared(sentence: str, text: str, missing: list[str]) -> None:
    """The rules without the embedder: units and ranges, times, weekdays in a range, ISO
    dates, currencies, places across languages, greetings, list numbers."""
    assert unstated(sentence, passage_facts(text)) == missing


def test_labels_are_not_compared_across_languages() -> None:
    facts = passage_facts("Tap Return items in My orders.")
    assert unstated("Pulsa Devolver artículos en Mis pedidos.", facts, translated=True) == []
    assert unstated("Pulsa Devolver artículos en SEUR.", facts, translated=True) == [
        "name 'SEUR'"]


def test_a_figure_belongs_to_its_own_row_and_prose_binds_nothing() -> None:
    """``misplaced`` reads labelled values only: a table row (both shapes ingest writes) binds
    its figures to its labels; a prose sentence that mentions a name beside another figure
    ("... 1 hora ... ticket de OXXO") binds nothing."""
    plans = labelled_values([
        "Monthly price — Cloud Basic: $1.49; Cloud Plus: $2.99; Cloud Pro: $7.99.",
        "Video history — Cloud Basic: 7 days; Cloud Plus: 30 days; Cloud Pro: 60 days."])
    assert misplaced("Cloud Plus costs $2.99 a month and keeps 30 days of video.", plans) == []
    assert misplaced("Cloud Basic costs $7.99 a month.", plans) == [
        "amount '$7.99' for Cloud Basic"]
    assert misplaced("Cloud Plus keeps 60 days of video history.", plans) == [
        "quantity '60 days' for Cloud Plus"]
    oxxo = labelled_values(["Si ha pasado más de 1 hora, escríbenos con una foto del ticket "
                            "de OXXO.", "Tienes 48 horas desde que haces el pedido para pagar."])
    assert misplaced("Pagas en el OXXO y tienes 48 horas para hacerlo.", oxxo) == []
    row = labelled_values(["OXXO: 24 horas para pagar."])
    assert misplaced("Pagas en el OXXO y tienes 48 horas para hacerlo.", row) == [
        "quantity '48 horas' for OXXO"]


PLAN_ROWS = ["Cameras — Cloud Basic: 1; Cloud Plus: 1; Cloud Pro: up to 10.",
             "Video history — Cloud Basic: 7 days; Cloud Plus: 30 days; Cloud Pro: 60 days.",
             "Monthly price — Cloud Basic: $1.49; Cloud Plus: $2.99; Cloud Pro: $7.99.",
             "Every new Luma Cam includes a 30-day free trial of Cloud Plus."]


def test_a_figure_from_one_column_needs_that_column_named() -> None:
    """``unbound``: a figure that only one column of a multi-column row states, beside other
    columns' figures of the same kind, is bound when the sentence or the customer names the
    column, and not otherwise (the golden set's "$1.49" for the plan that keeps a month)."""
    plans = table(PLAN_ROWS)
    assert unbound("The plan that keeps a month of video costs $1.49 per month.", plans) == [
        "amount '$1.49' for an unnamed column"]
    assert unbound("El plan que guarda un mes cuesta $1.49 al mes.", plans) == [
        "amount '$1.49' for an unnamed column"]
    assert unbound("Cloud Basic costs $1.49 per month.", plans) == []
    assert unbound("It costs $2.99 per month.", plans, given="how much is cloud plus?") == []
    # one column of its kind in the row: nothing to confuse it with
    assert unbound("The plan covers up to 10 cameras.", table(
        ["Cameras — Cloud Basic: 1; Cloud Pro: up to 10 cameras."])) == []
    # stated outside the table too: prose binds nothing, so nothing to check
    assert unbound("The free trial lasts 30 days.", plans) == []
    # another currency in each column: the amount names its column
    rates = table(["Standard — Spain: €3.99; Mexico: MX$99; United States: $5.99."])
    assert unbound("Standard shipping costs €3.99.", rates) == []
    assert unbound("El envío estándar a España cuesta 3,99 €.", table(
        ["Standard — Spain: €3.99; Portugal: €4.99."])) == []
    assert unbound("Standard shipping costs €4.99.", table(
        ["Standard — Spain: €3.99; Portugal: €4.99."])) == ["amount '€4.99' for an unnamed column"]


@pytest.mark.parametrize(("sentence", "language"), [
    ("The Luma Cloud plan with a month of video history has a monthly price of $1.49.", "en"),
    ("El precio mensual del plan de Luma Cloud con 30 días de historial de vídeo es de $1.49.",
     "es"),
])
def test_trap_another_columns_price(checker: GroundingChecker, sentence: str,
                                    language: str) -> None:
    """Near-miss trap, es and en: the price is in the passage, but it is another plan's."""
    plans = passage(1, "Luma Cloud plans", "\n".join(PLAN_ROWS), "en")
    verdict = checker.check(sentence, [plans], question="how much is the plan that keeps a month "
                            "of video?", language=language, languages=LANGUAGES)
    assert not verdict.grounded
    assert verdict.reasons == ["amount '$1.49' for an unnamed column not in passage 1"]
    named = sentence.replace("$1.49", "$2.99").replace("Luma Cloud", "Cloud Plus")
    assert checker.check(named, [plans], language=language, languages=LANGUAGES).grounded


def test_a_past_ticket_backs_only_sentences_in_its_own_language(
        checker: GroundingChecker) -> None:
    """A ticket tells one customer's case; read across languages it backed an invented "the
    Vetta R7 robot hoover will be back in stock soon" (the bias suite's restock question)."""
    ticket = Passage(7, "ticket/TK-10532", "ticket/TK-10532#0", "Pedido entregado",
                     "tickets.csv", "Hemos enviado un robot aspirador Vetta R7 nuevo por "
                     "Exprés 24 h sin coste.", "es", 1.0, 30)
    same = checker.check("Hemos enviado un robot aspirador Vetta R7 nuevo sin coste.", [ticket],
                         language="es", languages=LANGUAGES)
    assert same.unsupported == [] and [c.number for c in same.citations] == [7]
    sentence = "We have sent a new Vetta R7 robot vacuum at no cost."
    other = checker.check(sentence, [ticket], language="en", languages=LANGUAGES)
    assert other.unsupported == [sentence]
    assert other.reasons == ["passage 7 is a past ticket in another language"]
    # an article in the other language still supports its translation
    article = passage(8, "Envío exprés", ticket.text, "es")
    assert checker.check(sentence, [article], language="en", languages=LANGUAGES).grounded


US_SHIPPING_EN = passage(7, "Shipping costs", "Standard shipping is free on orders of $50 or more "
                         "in the United States. Below that it costs $5.99.", "en")


def test_a_place_the_customer_named_stands_for_its_country(checker: GroundingChecker) -> None:
    """'I'm in Ohio' and a reply that says it back over a US passage is supported; a place
    in another country, or one the customer never named, is not."""
    sentence = "Free shipping in Ohio starts at $50."
    asked = "whats the minimum i need to spend to get free shipping? I'm in ohio"
    ok = checker.check(sentence, [US_SHIPPING_EN], question=asked)
    assert ok.grounded and [c.number for c in ok.citations] == [7]
    unnamed = checker.check(sentence, [US_SHIPPING_EN],
                            question="whats the minimum for free shipping?")
    assert not unnamed.grounded and "Ohio" in unnamed.reasons[0]
    abroad = checker.check("Free shipping in Toronto starts at $50.", [US_SHIPPING_EN],
                           question="whats the minimum for free shipping? I live in Toronto")
    assert not abroad.grounded and "Toronto" in abroad.reasons[0]


MOUNTING_EN = passage(8, "TV installation", "Professional installation is available when you buy "
                      "a TV. Wall mounting, TVs up to 55\": $129. Wall mounting, TVs 56\" to 85\": "
                      "$179.", "en")


@pytest.mark.parametrize(("sentence", "grounded"), [
    ("Mounting a 65-inch TV on the wall costs $179.", True),   # 56"-85" holds 65
    ("Mounting a 65-inch TV on the wall costs $129.", False),  # the 55" row's price
    ("Mounting a 90-inch TV on the wall costs $179.", False),  # no row holds 90
])
def test_the_customers_figure_within_a_rows_span_takes_that_rows_figures(
        checker: GroundingChecker, sentence: str, grounded: bool) -> None:
    size = sentence.split("-inch")[0].split()[-1]
    asked = f"How much to mount a {size} inch TV on the wall?"
    g = checker.check(sentence, [MOUNTING_EN], question=asked)
    assert g.grounded is grounded, g.reasons
    unasked = checker.check(sentence, [MOUNTING_EN], question="How much is wall mounting?")
    assert not unasked.grounded  # a figure the customer never gave is checked as before


def test_a_figure_the_customer_gave_outside_every_span_is_unstated(
        checker: GroundingChecker) -> None:
    """The customer's premise is no span: 'within 60 days' over '30 days' (and 45 for Plus)."""
    g = checker.check("You can return it within 60 days of delivery.", [RETURNS_EN],
                      question="Can I still return it after 60 days?")
    assert not g.grounded and "60" in g.reasons[0]


HAUL_EN = passage(9, "Appliance haul-away", "When our crew delivers a large appliance, we can "
                  "take your old one away for recycling. We take one old item of the same type "
                  "per new item (for example, one old washer when you buy a new washer). "
                  "Refrigerator, freezer, washer, dryer, range, dishwasher: $35 per item. "
                  "Over-the-range microwave, TV 50\" or more: $25 per item.", "en")
HAUL_ASKED = "when the crew drops off my new washer can they take the old one too? how much"


@pytest.mark.parametrize(("second", "grounded"), [
    ("The cost is $35 per item.", True),
    ("The cost is $45 per item.", False),  # its own figure is still checked
    ("They also install the new one for free.", False),  # no figure: nothing to anchor it
    ("If someone asks you to", False),      # a reply cut off mid-sentence leans on nothing
])
def test_a_sentence_that_leans_on_the_one_before_is_read_with_it(
        checker: GroundingChecker, second: str, grounded: bool) -> None:
    """'The cost is $35 per item.' is close to no passage sentence on its own (0.30): it
    takes its topic from the supported sentence before it, streamed or not, and only a
    passage sentence stating its figure, which the pair is closer to than the first sentence
    alone, may support it."""
    first = "Yes, the crew can take the old washer too."
    alone = checker.check(second, [HAUL_EN], question=HAUL_ASKED)
    assert not alone.grounded
    g = checker.check(f"{first} {second}", [HAUL_EN], question=HAUL_ASKED)
    assert (g.factual == g.supported == 2) is grounded, g.reasons
    stream = GuardedStream(checker, [HAUL_EN], question=HAUL_ASKED)
    shown = stream.feed(f"{first} {second}") + stream.finish()
    assert (len(shown) == 2) is grounded, shown


WARRANTY_EN = passage(10, "Warranty coverage", "New products: the manufacturer's warranty "
                      "shown on the product page, which is at least 12 months for electronics. "
                      "Luma devices: 2 years. Batteries are covered for 12 months if their "
                      "capacity drops below 80%.", "en")
POINTS_EN = passage(11, "Tiendalia Plus", "Plus members earn points on every order. 100 points "
                    "are worth $1 off your next order. Points expire 12 months after you earn "
                    "them.", "en")
GARANTIA_ES = passage(12, "Garantía", "Productos nuevos: 3 años de garantía legal desde la "
                      "entrega. Productos reacondicionados: 18 meses. Baterías durante 12 meses "
                      "si su capacidad baja del 80 %.", "es")


@pytest.mark.parametrize(("reply", "passages", "question", "grounded"), [
    # a verdict the passages do not give, followed by what they say of something else
    ("Yes, it is still under warranty. New products have the manufacturer's warranty of at "
     "least 12 months. [1] Luma devices have 2 years. [1]", [WARRANTY_EN],
     "My monitor arrived in June and flickers. Is it still under warranty?", False),
    ("Yes, there is a refer a friend bonus. 100 points are worth $1 off your next order. [1] "
     "Points expire 12 months after you earn them. [1]", [POINTS_EN],
     "is there a refer a friend bonus? my roommate is about to make an account", False),
    ("Sí, hay un descuento para familias numerosas. Los productos nuevos tienen 3 años de "
     "garantía legal desde la entrega. [1] Los reacondicionados, 18 meses. [1]", [GARANTIA_ES],
     "¿Tenéis algún descuento para familias numerosas?", False),
    # a verdict the passage gives stands, and so do the sentences after it
    ("Sí, los productos nuevos tienen 3 años de garantía legal desde la entrega. [1] Los "
     "reacondicionados, 18 meses. [1]", [GARANTIA_ES],
     "la cafetera me llegó en agosto y no muele, ¿sigue en garantía?", True),
    # an unsupported sentence that is no verdict leaves the share rule to decide, as before
    ("The battery is covered for 12 months if its capacity drops below 80%. [1] Luma devices "
     "have 2 years. [1] New products have at least 12 months of warranty. [1] It also covers "
     "water damage.", [WARRANTY_EN], "how long is the battery covered?", True),
])
def test_a_first_sentence_verdict_no_passage_supports_fails_the_reply(
        checker: GroundingChecker, reply: str, passages: list[Passage], question: str,
        grounded: bool) -> None:
    """'Yes, it is still under warranty.' is the reply's answer; when no passage supports it,
    the true sentences after it (the warranty article's general terms, the loyalty points)
    are background for a verdict the help centre does not give: the reply is not grounded,
    whatever its supported share, and a stream shows none of it."""
    g = checker.check(reply, passages, question=question, language=None)
    assert g.grounded is grounded, (g.reasons, g.unsupported)
    stream = GuardedStream(checker, passages, question=question)
    shown = stream.feed(reply) + stream.finish()
    verdict = stream.verdict()
    assert verdict.grounded is grounded, verdict.reasons
    assert bool(shown) is grounded, shown
    if not grounded:
        assert g.reason == verdict.reason == "unsupported"


CHRISTMAS_ES = ("Clientes estándar: 30 días naturales desde la entrega. Campaña de Navidad: los "
                "artículos entregados entre el 15 de noviembre y el 31 de diciembre se pueden "
                "devolver hasta el 31 de enero del año siguiente.")
HOLIDAY_EN = ("Standard customers: 30 calendar days from delivery. Holiday season: items "
              "delivered between 15 November and 31 December can be returned until 31 January "
              "of the following year.")


def test_a_date_bound_by_a_span_of_dates_needs_the_span() -> None:
    """``unbounded_dates``: a month the passage states only under a span of dates (the
    Christmas rule) is the passage's when the sentence keeps one of the span's months, and a
    wrong answer for everyone else when it drops them, in either language."""
    es = date_bounds(CHRISTMAS_ES.split(". "))
    assert unbounded_dates("Puedes devolverlo hasta el 31 de enero del año siguiente.", es) == [
        "date 'enero' without the dates it applies to"]
    assert unbounded_dates("You can return it until January 31.", es) == [
        "date 'January' without the dates it applies to"]
    assert unbounded_dates("Si lo recibiste en diciembre, tienes hasta el 31 de enero.", es) == []
    assert unbounded_dates("Items delivered in November can go back until 31 January.",
                           date_bounds(HOLIDAY_EN.split(". "))) == []
    assert unbounded_dates("Tienes 30 días naturales desde la entrega.", es) == []
    # the month also stated without a span, or a span that holds every month: nothing bound
    also = date_bounds([*CHRISTMAS_ES.split(". "), "Las rebajas empiezan el 7 de enero."])
    assert unbounded_dates("Las rebajas empiezan el 7 de enero.", also) == []
    peak = date_bounds(["Del 15 de diciembre al 6 de enero los envíos tardan 1 a 3 días más."])
    assert unbounded_dates("En enero los envíos tardan 1 a 3 días más.", peak) == []


@pytest.mark.parametrize(("sentence", "language", "question"), [
    ("Si el producto no funciona, puedes devolverlo hasta el 31 de enero del año siguiente.",
     "es", "el router que compre no me convence, lo puedo devolver?"),
    ("You can return it until 31 January of the following year.", "en",
     "can i still return the tv i got last month?"),
])
def test_trap_the_christmas_date_for_everyone(checker: GroundingChecker, sentence: str,
                                              language: str, question: str) -> None:
    """Near-miss trap, es and en: the date is the passage's, but only for what was delivered
    in the Christmas season; the standard window, stated, stays supported."""
    for text, lang in ((CHRISTMAS_ES, "es"), (HOLIDAY_EN, "en")):
        policy = passage(1, "Returns policy", text, lang)
        verdict = checker.check(sentence, [policy], question=question, language=language,
                                languages=LANGUAGES)
        assert not verdict.grounded, (lang, sentence)
        assert any("without the dates it applies to" in r for r in verdict.reasons)
    right = {"es": "Puedes devolverlo en 30 días naturales desde la entrega.",
             "en": "You can return it within 30 calendar days from delivery."}[language]
    policy = passage(1, "Returns policy", CHRISTMAS_ES if language == "es" else HOLIDAY_EN,
                     language)
    assert checker.check(right, [policy], question=question, language=language,
                         languages=LANGUAGES).grounded


ORDERS = ["Order TL-US-2026-002666 (Kelvo 25 cu ft French-door refrigerator): delivered, placed "
          "2026-08-08, 2055.67 USD, carrier UPS",
          "Order TL-US-2026-001806 (Vetta 5.8 qt air fryer): delivered, placed 2026-09-09, "
          "162.35 USD, carrier USPS", "Ticket TK-10001: Where is my fryer (closed)"]


def test_an_orders_month_is_that_orders_own() -> None:
    """``misdated``: the account states September and August, but each for one order; a
    sentence that names an order takes its month from that order's line, either language."""
    account = account_passage("C1", ORDERS, "en").text
    assert misdated("The order TL-US-2026-002666 was placed on September 8, 2026.", account) == [
        "date 'September' for another order"]
    assert misdated("Tu pedido TL-US-2026-001806 se hizo el 9 de agosto.", account) == [
        "date 'agosto' for another order"]
    assert misdated("Your order TL-US-2026-002666 was placed in August.", account) == []
    assert misdated("Tu pedido TL-US-2026-001806 es de septiembre.", account) == []
    assert misdated("Your fridge arrived in September.", account) == []  # no order named


@pytest.mark.parametrize(("sentence", "language"), [
    ("The order TL-US-2026-002666 was placed on September 9, 2026.", "en"),
    ("El pedido TL-US-2026-002666 se hizo el 9 de septiembre de 2026.", "es"),
])
def test_trap_another_orders_date(checker: GroundingChecker, sentence: str,
                                  language: str) -> None:
    """Near-miss trap, es and en: the date is in the customer's account, but it is the air
    fryer's order's, not the fridge's; the fridge's own month stays supported."""
    account = account_passage("C1", ORDERS, language)
    verdict = checker.check(sentence, [RETURNS_EN, account], question="where is my fridge?",
                            language=language, languages=LANGUAGES)
    assert not verdict.grounded
    assert any("for another order" in r for r in verdict.reasons), verdict.reasons
    right = sentence.replace("September 9", "August 8").replace("9 de septiembre", "8 de agosto")
    assert checker.check(right, [RETURNS_EN, account], language=language,
                         languages=LANGUAGES).grounded


PO_BOX_EN = ("UPS can't deliver to post office boxes, so orders to a PO box are shipped with USPS. "
             "Items that weigh 20 lb (9 kg) or less once packed can go to a PO box. We ship to "
             "Puerto Rico by USPS with the same weight limits as PO boxes.")
OXXO_ES = ("Puedes pagar en efectivo en cualquier OXXO. OXXO cobra una comisión de 13 pesos por "
           "cada pago. Tienes 48 horas para pagar.")
PLUS_ES = "Los socios Plus tienen envío rápido gratis sin pedido mínimo y 45 días para devolver."


def test_a_limit_or_fee_said_not_to_exist_needs_the_passage_to_say_so() -> None:
    """``denied`` over ``undenied``: a limit, a minimum or a fee the passage names, said not
    to exist, is a wrong answer; a passage that denies it too backs the sentence; one that
    never names it is left to the other rules; "no supera el límite" denies nothing."""
    assert denied("No hay límite de peso para enviar un pedido a una PO Box.",
                  undenied(PO_BOX_EN)) == ["'no limit'"]
    assert denied("There's no weight limit for PO boxes.", undenied(PO_BOX_EN)) == ["'no limit'"]
    assert denied("There is no fee for paying at OXXO.", undenied(OXXO_ES)) == ["'no fee'"]
    assert denied("Puedes pagar sin comisión en OXXO.", undenied(OXXO_ES)) == ["'no fee'"]
    assert denied("Plus members get free shipping with no minimum order.", undenied(PLUS_ES)) == []
    assert denied("No hay pedido mínimo para el envío gratis.", undenied(PLUS_ES)) == []
    assert denied("Items must weigh 20 lb or less to go to a PO box.", undenied(PO_BOX_EN)) == []
    assert denied("Si tu pedido no supera el límite, puedes pagar con Bizum.",
                  undenied("Con Bizum el límite por pedido es de 1.000 €.")) == []
    assert denied("No hay límite de devoluciones.", undenied(PLUS_ES)) == []  # never named there


def _refused_and_right_kept(checker: GroundingChecker, source: Passage, sentence: str,
                            right: str, reason: str, language: str,
                            question: str | None = None) -> None:
    """A trap's shape: ``sentence`` is refused with a reason holding ``reason``; ``right``,
    what the passage does say, stays supported, whole and streamed after it."""
    verdict = checker.check(sentence, [source], question=question, language=language,
                            languages=LANGUAGES)
    assert not verdict.grounded
    assert any(reason in r for r in verdict.reasons), verdict.reasons
    assert checker.check(right, [source], question=question, language=language,
                         languages=LANGUAGES).grounded
    stream = GuardedStream(checker, [source], question=question, language=language,
                           languages=LANGUAGES)
    assert stream.feed(f"{right} {sentence}") + stream.finish() == [f"{right} [1]"]


@pytest.mark.parametrize(("sentence", "language", "text", "right"), [
    ("No hay límite de peso para enviar un pedido a una PO Box.", "es", PO_BOX_EN,
     "Los artículos de hasta 20 lb (9 kg) pueden ir a una PO Box."),
    ("There is no weight limit for orders to a PO box.", "en", PO_BOX_EN,
     "Items that weigh 20 lb (9 kg) or less can go to a PO box."),
    ("No hay comisión por pagar en OXXO.", "es", OXXO_ES,
     "OXXO cobra una comisión de 13 pesos por cada pago."),
    ("There's no fee for paying cash at OXXO.", "en", OXXO_ES,
     "OXXO charges a fee of 13 pesos per payment."),
])
def test_trap_no_limit_and_no_fee(checker: GroundingChecker, sentence: str, language: str,
                                  text: str, right: str) -> None:
    """Near-miss trap, es and en, in the passage's language and translated: the passage
    states the limit or the fee, the sentence says there is none."""
    lang = "en" if text is PO_BOX_EN else "es"
    source = passage(1, "PO boxes" if lang == "en" else "Pago en OXXO", text, lang)
    # the faithful sentence is streamed, the denial never is
    _refused_and_right_kept(checker, source, sentence, right,
                            "'no limit'" if text is PO_BOX_EN else "'no fee'", language)


CLOUD_EN = ("Every new Luma Cam includes a 30-day free trial of Cloud Plus. Clips are stored "
            "encrypted in data centres in the EU for European customers. When the free trial "
            "or a plan ends, your cloud history is reduced to the free 24 hours.")
CLOUD_ES = ("Cada Luma Cam nueva incluye 30 días de prueba gratis de Cloud Plus. Los clips se "
            "guardan cifrados en centros de datos de la UE. Cuando termina la prueba gratis o "
            "un plan, el historial en la nube se reduce a las 24 horas gratuitas.")


@pytest.mark.parametrize(("question", "sentence", "right", "text", "language"), [
    ("What happens to my clips when the free trial runs out?",
     "When the free trial runs out, your clips are stored encrypted in data centres in the EU.",
     "When the free trial runs out, your cloud history is reduced to the free 24 hours.",
     CLOUD_EN, "en"),
    ("¿Qué pasa con mis clips cuando se acaba la prueba gratis?",
     "Cuando se acaba la prueba gratis, tus clips se guardan cifrados en centros de datos de "
     "la UE.",
     "Cuando termina la prueba gratis, el historial en la nube se reduce a las 24 horas "
     "gratuitas.", CLOUD_ES, "es"),
])
def test_trap_the_questions_condition_on_a_sentence_about_something_else(
        checker: GroundingChecker, question: str, sentence: str, right: str, text: str,
        language: str) -> None:
    """Near-miss trap, es and en: the reply opens with the question's condition ("when the
    free trial runs out") and goes on with a true passage sentence that says nothing of it;
    the passage speaks of the trial elsewhere. The sentence that the passage gives that
    condition to stays supported."""
    source = passage(1, "Luma Cloud", text, language)
    _refused_and_right_kept(checker, source, sentence, right, "the question's condition",
                            language, question)


MSI_ES = ("Plazos y compra mínima 3 meses sin intereses: compras desde MX$1,500. 6 meses sin "
          "intereses: compras desde MX$3,000. 12 meses sin intereses: compras desde MX$6,000. "
          "El plazo se fija al autorizar el cargo.")
MONTHLY_EN = ("Plan lengths. 6 months interest-free: orders of $300 or more. 12 months "
              "interest-free: orders of $600 or more. Pay in 4: orders from $150 to $1,000.")


def test_a_figure_of_a_numbered_label_needs_that_label_when_another_is_asked() -> None:
    """``mislabelled``: labels told apart by a number ("3 meses", "12 meses") bind their
    figures; asked for one, a figure of another is refused, unless the sentence names its
    own label. No label named, a figure stated outside the labels too, or labels that share
    their numbers: nothing to check."""
    msi = numbered_labels(MSI_ES.split(". "))
    asked = "a partir de cuanto me dejan pagar a 12 meses sin intereses? quiero un refri"
    assert mislabelled("La compra mínima es de MX$1,500.", msi, asked) == [
        "amount 'MX$1,500' of another label than the one asked"]
    assert mislabelled("La compra mínima es de MX$6,000.", msi, asked) == []
    assert mislabelled("Para 3 meses la compra mínima es de MX$1,500.", msi, asked) == []
    assert mislabelled("La compra mínima es de MX$1,500.", msi, "cual es la compra minima?") == []
    # "12" alone is no label: the customer's 12 orders name none
    assert mislabelled("La compra mínima es de MX$1,500.", msi, "tengo 12 pedidos") == []
    stated = numbered_labels([*MSI_ES.split(". "), "Hay promociones desde MX$1,500"])
    assert mislabelled("La compra mínima es de MX$1,500.", stated, asked) == []
    assert numbered_labels(["3 meses: MX$1,500", "OXXO: 48 horas"]).labels == ()


@pytest.mark.parametrize(("question", "sentence", "right", "text", "language"), [
    ("a partir de cuanto me dejan pagar a 12 meses sin intereses? quiero un refri",
     "Para pagar a 12 meses sin intereses, la compra mínima es de MX$1,500.",
     "Para pagar a 12 meses sin intereses, la compra mínima es de MX$6,000.", MSI_ES, "es"),
    ("what's the minimum order to pay over 12 months interest-free?",
     "To pay over 12 months interest-free, the minimum order is $300.",
     "To pay over 12 months interest-free, the minimum order is $600.", MONTHLY_EN, "en"),
])
def test_trap_another_plans_minimum(checker: GroundingChecker, question: str, sentence: str,
                                    right: str, text: str, language: str) -> None:
    """Near-miss trap, es and en: the figure is the passage's, but for another plan length
    than the one asked (measured: "La compra mínima es de MX$1,500" passed the guard with two
    passages in the prompt). The asked plan's figure stays supported, whole and streamed."""
    source = passage(1, "Meses sin intereses" if language == "es" else "Monthly financing",
                     text, language)
    _refused_and_right_kept(checker, source, sentence, right,
                            "of another label than the one asked", language, question)


@pytest.mark.parametrize(("question", "sentence", "right", "text", "language"), [
    ("pagué en efectivo, ¿en cuántos días me llega la transferencia del reembolso?",
     "La transferencia llega en 18 días naturales.",
     "La transferencia se hace en un máximo de 5 días hábiles.",
     "Transferencia bancaria: indica una CLABE de 18 dígitos a tu nombre. La transferencia se "
     "hace en un máximo de 5 días hábiles.", "es"),
    ("how many speakers can I put in one group?",
     "A group can play for 8 hours.",
     "A group can have up to 8 speakers.",
     "Pick the speakers you want in the group (up to 8 speakers per group). With more than 4 "
     "speakers, use a mesh network.", "en"),
])
def test_trap_a_figure_that_counts_something_else(checker: GroundingChecker, question: str,
                                                  sentence: str, right: str, text: str,
                                                  language: str) -> None:
    """Near-miss trap, es and en: the figure is the passage's, but the passage gives it to
    something else than the unit the sentence gives it (measured: with only the passages'
    figures allowed, the model turned the conversation's "30 días naturales" into "18 días
    naturales" over "una CLABE de 18 dígitos", and the guard let it through). The figure as
    the passage gives it stays supported, whole and streamed."""
    source = passage(1, "Pago en OXXO" if language == "es" else "Multi-room groups", text,
                     language)
    _refused_and_right_kept(checker, source, sentence, right, "quantity", language, question)


@pytest.mark.parametrize(("sentence", "units", "reason"), [
    # a return period read off a warranty sentence, either language
    ("La devolución tiene un plazo de 2 años en España.",
     ["Luma Router has a 2-year warranty (3 years in Spain) with advance replacement."],
     "a return period given for warranty in"),
    ("You can return it within 30 days.",
     ["The warranty covers faults for 30 days after delivery."],
     "a return period given for warranty in"),
    ("La garantía dura 14 días naturales.",
     ["Tienes 14 días naturales para devolverlo."], "a warranty period given for return in"),
    # the same topic, a sentence that names both, or one that names none (under its heading)
    ("El router tiene una garantía de 2 años.",
     ["Luma Router has a 2-year warranty (3 years in Spain)."], ""),
    ("The warranty lasts 2 years.",
     ["You can return items within 14 days, and the warranty is 2 years."], ""),
    ("Puedes devolverlo en 30 días naturales desde la entrega.",
     ["Clientes estándar: 30 días naturales desde la entrega."], ""),
    ("You can return it within 30 days.",
     ["Standard customers: 30 calendar days.", "Returns are free in the peninsula."], ""),
    # a passage that names the topic nowhere, title included: the period is of something else
    ("You can return your blender within 48 hours of the delivery window.",
     ["If you forgot, you can add it from My orders > Add a service up to 48 hours before "
      "the delivery window."], "a return period given for something else in"),
    ("La garantía cubre 15 días.", ["Tienes 15 días naturales para recogerlo en la oficina."],
     "a warranty period given for something else in"),
    # no topic before the period, or another figure: not this rule's
    ("Report it within 30 days.", ["The warranty covers faults for 30 days."], ""),
    ("You can return it within 30 days.", ["The warranty lasts 2 years."], ""),
])
def test_a_period_belongs_to_its_topic(sentence: str, units: list[str], reason: str) -> None:
    title = "Política de devoluciones" if "Clientes" in units[0] else "Help centre"
    assert other_topic(sentence, units, title) == reason


HAUL_AWAY_EN = ("If you forgot, you can add it from My orders > Add a service up to 48 hours "
                "before the delivery window. The crew will not disconnect gas hookups.")


@pytest.mark.parametrize(("sentence", "language", "right"), [
    ("You can return your blender within 48 hours of the delivery window.", "en",
     "You can add the service from My orders up to 48 hours before the delivery window."),
    ("Puedes devolver la batidora en las 48 horas de la franja de entrega.", "es",
     "Puedes añadir el servicio desde Mis pedidos hasta 48 horas antes de la franja de "
     "entrega."),
])
def test_trap_a_return_period_from_a_passage_about_something_else(
        checker: GroundingChecker, sentence: str, language: str, right: str) -> None:
    """Near-miss trap, es and en (measured: with a question heading's section in the
    prompt, the model answered a Plus member's return question "You can return your blender
    within 48 hours of the delivery window." over the haul-away page, and the guard passed
    it): the period is the passage's, but the passage never speaks of returns."""
    source = passage(1, "Appliance haul-away and installation", HAUL_AWAY_EN, "en")
    _refused_and_right_kept(checker, source, sentence, right,
                            "a return period given for something else", language)


def test_trap_pesos_for_the_dollars_of_a_us_passage(checker: GroundingChecker) -> None:
    """Near-miss trap, es and en: the figure is the passage's, the currency is not (a
    Mexican page on financing sat beside the US one in the prompt)."""
    monthly = passage(1, "Tiendalia Monthly financing (US)", "Tiendalia Monthly lets customers "
                      "in the United States split purchases of $150 or more into fixed monthly "
                      "payments.", "en")
    for sentence, language in [
            ("Tiendalia Monthly te permite dividir compras de MX$150 o más en pagos "
             "mensuales.", "es"),
            ("Tiendalia Monthly lets you split purchases of MX$150 or more into monthly "
             "payments.", "en")]:
        verdict = checker.check(f"{sentence} [1]", [monthly], language=language,
                                languages=LANGUAGES)
        assert not verdict.grounded and verdict.reasons == ["amount MX$150 not in passage 1"]
    assert checker.check("Tiendalia Monthly te permite dividir compras de 150 $ o más en "
                         "pagos mensuales. [1]", [monthly], language="es",
                         languages=LANGUAGES).grounded


def test_trap_a_warranty_period_given_as_the_return_window(checker: GroundingChecker) -> None:
    """Near-miss trap, es and en: the figure is in the passage, but as the warranty."""
    router = passage(1, "Luma Router mesh setup", "Factory reset and warranty\nLuma Router has "
                     "a 2-year warranty (3 years in Spain) with advance replacement.", "en")
    for sentence, language in [("La devolución del router tiene un plazo de 2 años.", "es"),
                               ("You can return the router within 2 years.", "en")]:
        verdict = checker.check(sentence, [router], language=language, languages=LANGUAGES)
        assert not verdict.grounded
        assert verdict.reasons == ["a return period given for warranty in passage 1"]
    assert checker.check("El router tiene 2 años de garantía.", [router], language="es",
                         languages=LANGUAGES).grounded
