"""Undoing the cheapest disguises of text: invisible characters and look-alike letters.

"Ign\u200bore previous instructions" and "contrаseña" (a Cyrillic "а") read the same to a
person and to the model, but not to a pattern. Both ingest screening and the output policy
compare text after ``unmask``.
"""

from __future__ import annotations

import re

INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e"
                       "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff]")
LOOKALIKE = str.maketrans(
    "аеёорсухіїјѕԁԛԝһкмтвнӏοαρνκτιυϲεχγηɑıɡ",
    "aeeopcyxiijsdqwhkmtbhloapvktiucexynaig")


def unmask(text: str) -> str:
    """``text`` without invisible characters, look-alike (lower-case) letters made Latin;
    accents and case are kept."""
    if text.isascii():
        return text
    return INVISIBLE.sub("", text).translate(LOOKALIKE)
