"""Amounts of money as written ("MX$ 1.299", "3,99 €", "10 dólares", "$25"), with their
currency.

Read once, here, for every stage that needs them: the packer (``cxrag.compose.context``:
which pages give their prices in pesos only) and the guard (``cxrag.guard.facts``: which
amounts a sentence states, in which currency). A bare "$" stays "$": which dollar it is
depends on the passage's country, and that is the reader's call.
"""

from __future__ import annotations

import re

from cxrag.textnorm import fold

NUMBER = r"\d+(?:[.,]\d+)*"

# Currency words and signs, folded and lower case, as ISO codes ("$" alone is left open).
CURRENCY = {"eur": "EUR", "€": "EUR", "euro": "EUR", "euros": "EUR", "usd": "USD",
            "us$": "USD", "dollar": "USD", "dollars": "USD", "dolar": "USD", "dolares": "USD",
            "mxn": "MXN", "mx$": "MXN", "peso": "MXN", "pesos": "MXN", "$": "$",
            "£": "GBP", "gbp": "GBP"}

_SIGN = r"(?:US\$|MX\$|EUR|USD|MXN|GBP|€|£|\$)"
_BEFORE = re.compile(rf"(?P<c>{_SIGN})\s?(?P<n>{NUMBER})", re.IGNORECASE)
_AFTER = re.compile(
    rf"(?<![\w.,])(?P<n>{NUMBER})\s?(?P<c>€|£|EUR\b|USD\b|MXN\b|GBP\b|euros?\b|d[oó]lares\b"
    rf"|dollars?\b|pesos?\b)", re.IGNORECASE)


def amounts(text: str) -> list[tuple[str, str, str]]:
    """The amounts in ``text``: (number as written, currency, the amount as written), the
    currency one of EUR, USD, MXN, GBP, or "$" for a dollar sign alone."""
    return [(m["n"], CURRENCY[fold(m["c"])], m[0])
            for pattern in (_BEFORE, _AFTER) for m in pattern.finditer(text)]


def currencies(text: str) -> set[str]:
    """The currencies ``text`` gives amounts in ("$" for a dollar sign alone)."""
    return {currency for _, currency, _ in amounts(text)}
