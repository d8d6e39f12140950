"""Personal data in free text: find and mask emails, phones, cards, IBANs and national ids.

A regex finds candidates and a maintained library validates them, so look-alikes stay: a card
needs 13-19 digits and a valid Luhn sum (``stdnum.luhn``), an IBAN its checksum
(``stdnum.iban``), a Spanish DNI/NIE its control letter, a CURP, RFC, RUT or CUIT its check
digit (``python-stdnum``), and a phone must be a valid number of one of ``PHONE_REGIONS``
(``phonenumbers``). Order ids (``TL-ES-2026-006572``), dates, prices and tracking numbers are
left alone. Presidio is not used: its recognisers need spaCy models downloaded at run time,
and cxrag runs offline.

``SENSITIVE`` kinds are never stored in clear; contact data (email, phone) is kept in the
store for the agent's view and masked everywhere else (logs, exports, remote prompts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import phonenumbers
from stdnum import iban, luhn
from stdnum.ar import cuit
from stdnum.ar import dni as ar_dni
from stdnum.cl import rut
from stdnum.es import dni as es_dni
from stdnum.es import nie
from stdnum.mx import curp, rfc

Kind = Literal["email", "phone", "card", "iban", "national_id"]

# Overlaps go to the earlier kind: a 16-digit card is never also reported as a phone.
ALL_KINDS: frozenset[Kind] = frozenset({"card", "iban", "national_id", "email", "phone"})
PRIORITY: tuple[Kind, ...] = ("card", "iban", "national_id", "email", "phone")
SENSITIVE: frozenset[Kind] = frozenset({"card", "iban", "national_id"})
CONTACT: frozenset[Kind] = frozenset({"email", "phone"})
PHONE_REGIONS = ("ES", "MX", "AR", "CO", "CL", "PE", "US", "GB")
TOKENS: dict[Kind, str] = {"email": "[email]", "phone": "[phone]", "iban": "[iban]",
                           "national_id": "[id]", "card": "[card]"}


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal data found in a text: its kind and ``text[start:end]``."""

    kind: Kind
    start: int
    end: int


Span = tuple[int, int]
Check = Callable[[re.Match[str]], Span | None]

# Candidates start on their first character, which lets the regex engine skip ahead fast; the
# look-behind after it keeps them out of words, ids like TL-ES-2026-006572 and URL paths.
_D = r"\d(?<![\w+/-]\d)"
_L = r"[A-Z](?<![\w+/-][A-Z])"
_E = r"(?![\w/-])"
_TRIGGER = re.compile(r"[0-9@]")
_EMAIL = re.compile(r"[\w.%+-](?<![\w.%+-][\w.%+-])[\w.%+-]*@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_CARD = re.compile(_D + r"(?:\d{12,18}|\d{3}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{3}([ -])\d{6}\2\d{4,5})"
                   + _E)
_IBAN = re.compile(_L + r"[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?" + _E, re.I)
_PHONE = re.compile(r"[+(\d](?<![\w+/.,-][+(\d])[\d ().-]{6,21}\d(?![\w/-]|[.,]\d)")
_WORD = re.compile(r"\S+")
_AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+")  # 12.345.678 CLP
_DATE = re.compile(r"\d{4}[.-]\d{1,2}[.-]\d{1,2}|\d{1,2}[.-]\d{1,2}[.-]\d{4}")
# A number right after "order", "tracking"... is that, even when it reads as a phone.
_NOT_PHONE = re.compile(r"(?:pedido|order|orden|seguimiento|tracking|gu[ií]a|env[ií]o|factura"
                        r"|invoice|ref|referencia|ticket|caso|case)\W{0,12}$", re.I)
_IDS: list[tuple[re.Pattern[str], Callable[[str], bool]]] = [
    (re.compile(_D + r"\d{7}[ -]?[A-Z]" + _E, re.I), es_dni.is_valid),
    (re.compile(r"[XYZ](?<![\w+/-][XYZ])[ -]?\d{7}[ -]?[A-Z]" + _E, re.I), nie.is_valid),
    (re.compile(_L + r"[A-Z]{3}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d" + _E, re.I), curp.is_valid),
    (re.compile(r"[A-ZÑ&](?<![\w+/-][A-ZÑ&])[A-ZÑ&]{3}\d{6}[A-Z0-9]{3}" + _E, re.I),
     lambda v: rfc.is_valid(v, validate_check_digits=True)),
    (re.compile(r"\d(?<![\w.+/-]\d)\d?\.?\d{3}\.?\d{3}-[\dK]" + _E, re.I), rut.is_valid),
    (re.compile(_D + r"\d-\d{8}-\d" + _E), cuit.is_valid),
]
# Ids without a check digit (an Argentine DNI, a Colombian or Peruvian cédula) count only
# right after the word that names them: "DNI 30.123.456", "mi cédula es 1020304050".
_ID_NUMBER = re.compile(r"\d(?<![\w+/.-]\d)[\d .-]{4,12}\d" + _E)
_ID_WORD = re.compile(
    r"\b(?:DNI|C\.C\.|CC|c[ée]dula(?: de ciudadan[ií]a)?"
    r"|documento(?: de identidad)?|national id|ID card)(?!\w)"
    r"(?:\W{0,4}(?:es|is|n[º°o]\.?|nro\.?|número|number))?\W{0,4}$", re.I)


def find_pii(text: str, kinds: Iterable[Kind] = ALL_KINDS) -> list[PiiMatch]:
    """The personal data in ``text`` of the given kinds, in order, without overlaps."""
    if not _TRIGGER.search(text):
        return []  # the common case, a few microseconds: nothing to look for
    wanted = set(kinds)
    taken: list[PiiMatch] = []
    for kind in (k for k in PRIORITY if k in wanted):
        if kind != "email" or "@" in text:
            for pattern, check in _DETECTORS[kind]:
                _collect(kind, pattern, check, text, taken)
    return sorted(taken, key=lambda m: m.start)


def _collect(kind: Kind, pattern: re.Pattern[str], check: Check, text: str,
             taken: list[PiiMatch]) -> None:
    """Add to ``taken`` the valid candidates of ``pattern`` that overlap nothing taken."""
    match = pattern.search(text)
    while match is not None:
        start, end = match.span()
        # Validating is the costly part: a phone candidate inside a card is not checked.
        span = None if any(start < t.end and t.start < end for t in taken) else check(match)
        if span is not None:
            taken.append(PiiMatch(kind, *span))
        # A candidate may hold more than one (two phones in a row): look again after this one.
        match = pattern.search(text, span[1] if span else end)


def redact(text: str, kinds: Iterable[Kind] = ALL_KINDS) -> str:
    """``text`` with each piece of personal data replaced by a token (``[email]``...)."""
    matches = find_pii(text, kinds)
    if not matches:
        return text
    parts, at = [], 0
    for m in matches:
        parts += [text[at:m.start], _token(m.kind, text[m.start:m.end])]
        at = m.end
    parts.append(text[at:])
    return "".join(parts)


def redact_json(value: Any, kinds: Iterable[Kind] = ALL_KINDS) -> Any:
    """``value`` with every string inside it (dict values, list items) redacted; keys stay."""
    kinds = frozenset(kinds)
    if isinstance(value, str):
        return redact(value, kinds)
    if isinstance(value, dict):
        return {k: redact_json(v, kinds) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_json(v, kinds) for v in value)
    return value


def _token(kind: Kind, raw: str) -> str:
    if kind == "card":
        return f"[card ••••{_digits(raw)[-4:]}]"  # the last four are what people quote back
    return TOKENS[kind]


def _digits(raw: str) -> str:
    return "".join(c for c in raw if c.isdigit())


# -- checks: a candidate is kept when the library says it is real ----------------------------


def _whole(valid: Callable[[str], bool]) -> Check:
    """A check keeping the whole match when ``valid`` accepts it."""
    return lambda m: m.span() if valid(m.group()) else None


def _card(raw: str) -> bool:
    digits = _digits(raw)
    return 13 <= len(digits) <= 19 and luhn.is_valid(digits)


def _iban(m: re.Match[str]) -> Span | None:
    """The longest valid IBAN the match starts with (a trailing word may have joined it)."""
    raw = m.group()
    while raw:
        if iban.is_valid(raw.upper()):
            return m.start(), m.start() + len(raw)
        raw = raw.rpartition(" ")[0]
    return None


def _phone(m: re.Match[str]) -> Span | None:
    """The first run of the match's words that is a valid phone number of a region."""
    if _NOT_PHONE.search(m.string, max(0, m.start() - 24), m.start()) \
            or _AMOUNT.fullmatch(m.group()):
        return None
    words = list(_WORD.finditer(m.group()))
    for i, first in enumerate(words):
        for last in reversed(words[i:]):
            if _valid_phone(m.group()[first.start():last.end()]):
                return m.start() + first.start(), m.start() + last.end()
    return None


def _valid_phone(raw: str) -> bool:
    digits = _digits(raw)
    if not 7 <= len(digits) <= 15 or _DATE.fullmatch(raw.strip("() ")):
        return False
    if raw.startswith("+"):
        return _valid_in(raw, None)
    if len(digits) < 9:
        return False  # 8 digits or fewer read as a phone in some region too often (PE, CO)
    return any(_valid_in(raw, region) for region in PHONE_REGIONS
               if _lengths(region)[0] <= len(digits) <= _lengths(region)[1])


def _valid_in(raw: str, region: str | None) -> bool:
    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(raw, region)))
    except phonenumbers.NumberParseException:
        return False


@cache
def _lengths(region: str) -> tuple[int, int]:
    """The digits a national number of ``region`` may have, trunk and mobile prefixes included
    (parsing is the costly step, so regions that cannot match are not tried)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    lengths = meta.general_desc.possible_length if meta and meta.general_desc else None
    return (min(lengths), max(lengths) + 3) if lengths else (7, 15)


def _named_id(m: re.Match[str]) -> Span | None:
    if not _ID_WORD.search(m.string, max(0, m.start() - 40), m.start()):
        return None
    digits = _digits(m.group())
    return m.span() if 6 <= len(digits) <= 10 or ar_dni.is_valid(digits) else None


_DETECTORS: dict[Kind, list[tuple[re.Pattern[str], Check]]] = {
    "card": [(_CARD, _whole(_card))],
    "iban": [(_IBAN, _iban)],
    "national_id": [*((p, _whole(v)) for p, v in _IDS), (_ID_NUMBER, _named_id)],
    "email": [(_EMAIL, lambda m: m.span())],
    "phone": [(_PHONE, _phone)],
}
