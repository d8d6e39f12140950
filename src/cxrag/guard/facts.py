"""Near misses: what a sentence states that the passage supporting it does not.

Embedding similarity cannot tell "14 days" from "30 days", "Madrid" from "Barcelona", "Luma
Plug" from "Luma Cam" or "March" from "May": such sentences are about the same thing and read
alike, and a wrong answer with a citation is worse than a handoff. So once a passage is close
enough to a sentence, the facts of the sentence that can be checked are looked up in the text
of that passage (``unstated``):

- figures (digits; a passage may spell them out: "thirty", "treinta"), phone numbers;
- quantities with their unit ("14 days" is not "14 weeks"; "5 business days" needs "business"
  in the passage, while "10 days" may drop it; "18 days" is not what "18 digits" says) and
  percentages;
- money with its currency ("EUR 29" is not "29 dollars"; a bare "$" is dollars or pesos);
- clock times ("9 p.m." is "21:00"), months and weekdays (Spanish and English are one:
  "marzo" is "March"; an ISO date "2026-09-02" states September; "Monday to Friday" states
  Wednesday);
- names: capitalised words and codes that do not start the sentence (people, places,
  companies, products, models: "Luma Cam", "LP-1", "SEUR"), compared without accents or case;
  common Spanish/English spellings of countries and cities count as one ("España"/"Spain");
- steps: the labels of a menu path ("My account > Balance") or a quoted button must be the
  passage's own.

A faithful translation keeps its support: figures, months, places and codes are compared
across languages; only labels and capitalised words cannot be (the passage says "Settings",
the Spanish sentence "Ajustes"), so with ``translated`` the labels are not compared and common
interface words never count as names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cxrag import money, textnorm
from cxrag.guard import places, vocab

_NUM = money.NUMBER  # a figure as written: "1.299", "3,99"
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
# A figure and the word right after it ("18 digitos"): what the figure counts.
_FIGURE_NEXT = re.compile(rf"(?<![\w.,])({_NUMBER.pattern})(?![\d.,:]*\w)"
                          r"(?:\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?)?")
_PHONE = re.compile(r"(?<![\w.,])\+?\d[\d \-]{5,}\d(?![\w])")
_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r"\w+(?:[-.'/]\w+)*")

_QNUM = rf"(?:{_NUM}|(?:{'|'.join(map(re.escape, vocab.QUANTITY_WORDS))})\b)"
_UNIT_RE = "|".join(sorted(map(re.escape, vocab.UNIT), key=len, reverse=True))
# Figures before a unit, a list or range included: "3, 6 or 12 months", "2–5 business days".
_LINK = r"(?:,\s*(?:or|and|o|y)?|-|–|—|to|a|al|y|and|or|o|hasta)"
_QUANTITY = re.compile(
    rf"(?<![\w.,])(?P<ns>(?:{_QNUM}\s*{_LINK}\s*)*{_QNUM})"
    rf"\s*-?\s*(?:(?P<q>business|working|calendar|more|additional|extra|full|natural)\s+)?"
    rf"(?P<u>{_UNIT_RE})\b(?:\s+(?P<q2>habiles|laborables|naturales|mas|adicionales))?",
    re.IGNORECASE)
_RANGE = re.compile(rf"^(?:(?:between|entre|de|from)\s+)?({_QNUM})\s*(?:-|–|—|to|a|al|and|y|"
                    rf"hasta)\s*({_QNUM})$", re.IGNORECASE)
_QNUM_RE = re.compile(_QNUM, re.IGNORECASE)
_LIST_MARK = re.compile(r"(?:^\s*|(?<=[.!?:|])\s+|\n\s*)(\d{1,2})[.)]\s+(?=[A-ZÁÉÍÓÚÑ¿¡])")
_PERCENT = re.compile(rf"(?<![\w.,])({_NUM})\s*(?:%|percent\b|per cent\b|por ciento\b)",
                      re.IGNORECASE)

_CLOCK = re.compile(r"(?<![\w.,:])([01]?\d|2[0-4]):([0-5]\d)(?:\s*([ap])\.?\s?m\b\.?)?",
                    re.IGNORECASE)
_AMPM = re.compile(r"(?<![\w.,:])(1[0-2]|0?[1-9])\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)

_MONTH_ES = re.compile(rf"\b({'|'.join(vocab.MONTHS_ES)}|setiembre)\b", re.IGNORECASE)
_MONTH_EN = re.compile(rf"\b({'|'.join(vocab.MONTHS_EN)})\b")  # "may", "march": verbs
_WEEKDAY = re.compile(rf"\b({'|'.join(vocab.WEEKDAYS_ES + vocab.WEEKDAYS_EN)})s?\b", re.IGNORECASE)
_WEEKDAY_RANGE = re.compile(
    rf"\b({'|'.join(vocab.WEEKDAYS_ES + vocab.WEEKDAYS_EN)})s?\s*(?:a|al|to|through|thru|-|–)\s*"
    rf"(?:el\s+)?({'|'.join(vocab.WEEKDAYS_ES + vocab.WEEKDAYS_EN)})s?\b", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")

_COUNT = re.compile(r"\d+-[a-z]+")  # "8-digit", "30-day": a figure, checked as one
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|o|a|er|ero|era|º|ª)")
_STEP_WORD = re.compile(r"\b(?:step|steps|paso|pasos)\b", re.IGNORECASE)
_QUOTES = " \"“”«»"
_PATH = re.compile(r"\s*(?:>|›|→)\s*")
_QUOTE = re.compile(r"\"([^\"]{2,80})\"|“([^”]{2,80})”|«([^»]{2,80})»")
# A button named after the verb that presses it ("tap Return items", "pulsa Guardar").
_PRESS = re.compile(r"\b(?i:pulsa|pulse|pulsar|toca|toque|tocar|selecciona|seleccione|elige|"
                    r"elija|clic en|click|clicks|click on|tap|taps|tap on|press|presses|"
                    r"select|selects|choose|chooses|hit)\s+(?:(?:el|la|the)\s+)?"
                    r"(?:(?:bot[oó]n|opci[oó]n|button|option)\s+)?(?=[A-Z¿])")
_PATH_END = re.compile(r"[,.;:()!?]|\s(?:and|y|e|then|luego|to|para|or|o|where|donde|"
                       r"until|hasta|if|si|en|in|on|at|from|desde)\s", re.IGNORECASE)


def fold(text: str) -> str:
    """``text`` without accents (same length: positions stay valid)."""
    return text.translate(vocab.FOLD)


def _figure(raw: str) -> str:
    """A figure as compared: separators dropped ("1.000" is "1,000" is "1000"), ",00"
    decimals off, leading zeros off unless it has a separator ("09" is 9, "0,5" is not 5)."""
    raw = re.sub(r"[.,]00$", "", raw)
    digits = re.sub(r"[.,:]", "", raw)
    return digits if digits != raw else (digits.lstrip("0") or "0")


def _spelled(raw: str) -> str:
    word = raw.lower()
    return vocab.SPELLED.get(word) or _figure(word)


@dataclass(frozen=True)
class PassageFacts:
    """What a passage states, in the forms sentences are compared in."""

    figures: frozenset[str]
    steps: frozenset[str]  # numbers of list items ("2. Enter the email"): not figures
    quantities: frozenset[tuple[str, str]]  # (figure, unit)
    counted: frozenset[str]  # figures only ever written before a word that is no unit
    ranges: frozenset[tuple[str, str]]  # ("3", "10") for "3–10 business days"
    money: frozenset[tuple[str, str]]  # (figure, currency: EUR, USD, MXN or "$")
    times: frozenset[tuple[int, int]]
    dates: frozenset[str]  # "month 3", "weekday 5"
    places: frozenset[str]
    words: frozenset[str]  # folded, lower case, every token and its parts
    flow: str  # its tokens without function words, space-separated: labels are runs of it
    compact: frozenset[str]  # tokens as letters and digits only ("lp1" for "LP-1")


@dataclass(frozen=True)
class _Found:
    """What one sentence states (figures that are not part of a time, etc.)."""

    figures: list[tuple[str, str]]  # (figure, as written)
    quantities: list[tuple[str, str, str]]  # (figure, unit, as written)
    ranges: list[tuple[str, str, str]]  # (low, high, as written)
    money: list[tuple[str, str, str]]
    times: list[tuple[int, int, str]]
    dates: list[tuple[str, str]]  # (id, as written)
    places: list[str]


def _times(text: str) -> tuple[list[tuple[int, int, str]], str]:
    """Clock times in ``text`` (24-hour) and the text with them blanked out."""
    found: list[tuple[int, int, str]] = []

    def keep(h: int, m: int, half: str | None, raw: str) -> str:
        if half:
            h = h % 12 + (12 if half.lower() == "p" else 0)
        found.append((h % 24, m, raw.strip()))
        return " " * len(raw)

    text = _CLOCK.sub(lambda x: keep(int(x[1]), int(x[2]), x[3], x[0]), text)
    text = _AMPM.sub(lambda x: keep(int(x[1]), 0, x[2], x[0]), text)
    return found, text


def _money(text: str) -> list[tuple[str, str, str]]:
    """Amounts with their currency: (figure, EUR/USD/MXN/GBP or "$", as written)."""
    return [(_figure(n), currency, raw) for n, currency, raw in money.amounts(text)]


def _quantities(text: str) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """Figures with their unit, and the ranges among them."""
    found, ranges = [], []
    for m in _QUANTITY.finditer(text):
        unit = vocab.UNIT[m["u"].lower()]
        qualifiers = {(m["q"] or "").lower(), (m["q2"] or "").lower()}
        if unit == "day" and qualifiers & vocab.BUSINESS:
            unit = "business day"
        elif unit == "day" and qualifiers & {"calendar", "natural", "naturales"}:
            unit = "calendar day"
        if unit == "m" and m["u"] != "m":  # "M" alone is no metre
            continue
        raw = m[0].strip()
        found += [(_spelled(n), unit, raw) for n in _QNUM_RE.findall(m["ns"])]
        if r := _RANGE.match(m["ns"].strip()):
            ranges.append((_spelled(r[1]), _spelled(r[2]), raw))
    found += [(_figure(m[1]), "%", m[0]) for m in _PERCENT.finditer(text)]
    return found, ranges


def _dates(text: str) -> list[tuple[str, str]]:
    """Months and weekdays, either language: ("month 3", "marzo"), ("weekday 1", "Monday")."""
    found = [(f"month {vocab.MONTHS_ES.index(m[1].lower().replace('setiembre', 'septiembre')) + 1}",
              m[1]) for m in _MONTH_ES.finditer(text)]
    found += [(f"month {vocab.MONTHS_EN.index(m[1]) + 1}", m[1]) for m in _MONTH_EN.finditer(text)]
    for m in _WEEKDAY.finditer(text):
        found.append((f"weekday {_day_index(m[1]) + 1}", m[1]))
    return found


def _scan(text: str) -> _Found:
    """The checkable facts of folded ``text``."""
    times, rest = _times(text)
    figures = [(_figure(n), n) for n in _NUMBER.findall(rest)]
    figures += [(vocab.SPELLED[w], w) for w in _WORD.findall(rest.lower())
                if w in vocab.SENTENCE_SPELLED]
    quantities, ranges = _quantities(rest)
    return _Found(figures, quantities, ranges, _money(rest), times, _dates(text),
                  [vocab.PLACE_OF[m[1]] for m in vocab.PLACE_RE.finditer(text)])


def _day_index(word: str) -> int:
    word = word.lower()
    return (vocab.WEEKDAYS_ES.index(word) if word in vocab.WEEKDAYS_ES
            else vocab.WEEKDAYS_EN.index(word))


@lru_cache(maxsize=4096)
def passage_facts(text: str) -> PassageFacts:
    """The facts ``text`` (a passage's title and text) states, cached (passages recur)."""
    folded = fold(text)
    steps = {_figure(n) for n in _LIST_MARK.findall(folded)}
    unlisted = _LIST_MARK.sub(lambda m: " " * len(m[0]), folded)
    found = _scan(unlisted)
    figures = {n for n, _ in found.figures}
    figures |= {vocab.SPELLED[w] for w in _WORD.findall(folded.lower()) if w in vocab.SPELLED}
    figures |= {re.sub(r"\D", "", p).lstrip("0") for p in _PHONE.findall(folded)}  # joined
    for hour, _, _ in found.times:  # "9:00" states 9; "21:00" states 9 (p.m.) too
        figures |= {str(hour), str(hour % 12 or 12)}
    dates = {d for d, _ in found.dates}
    for m in _ISO_DATE.finditer(folded):
        figures |= {_figure(m[1]), _figure(m[2]), _figure(m[3])}
        dates.add(f"month {int(m[2])}")
    for m in _SLASH_DATE.finditer(folded):  # day/month or month/day: both
        dates |= {f"month {int(m[1])}", f"month {int(m[2])}"}
    for m in _WEEKDAY_RANGE.finditer(folded):  # "Monday to Friday" states Wednesday
        first, last = _day_index(m[1]), _day_index(m[2])
        span = (last - first) % 7
        dates |= {f"weekday {(first + i) % 7 + 1}" for i in range(span + 1)}
    figures |= {d.split()[1] for d in dates if d.startswith("month")}
    words: set[str] = set()
    for token in _TOKEN.findall(folded.lower()):
        words.add(token)
        words.update(re.split(r"[-.'/]", token))
    return PassageFacts(
        frozenset(figures), frozenset(steps), frozenset((n, u) for n, u, _ in found.quantities),
        _counted(unlisted),
        frozenset((low, high) for low, high, _ in found.ranges),
        frozenset((n, c) for n, c, _ in found.money), frozenset((h, m) for h, m, _ in found.times),
        frozenset(dates), frozenset(found.places), frozenset(words), f" {_flow(folded)} ",
        frozenset(re.sub(r"\W|_", "", w) for w in words))


def _counted(folded: str) -> frozenset[str]:
    """Figures that the passage writes only before a word that is neither a unit nor a
    function word: "una CLABE de 18 digitos" gives 18 to digits, so it states no "18 dias".
    A figure written anywhere bare ("Plazo: 18.", "18 para ...") or with a unit, right after
    it or one word on ("los 3 primeros anos"), is not one."""
    counted: set[str] = set()
    bare: set[str] = set()
    for m in _FIGURE_NEXT.finditer(_times(folded)[1]):
        word, then = (m[2] or "").lower(), (m[3] or "").lower()
        if word in vocab.UNIT or then in vocab.UNIT:
            continue  # a quantity: compared by its unit
        (counted if word and word not in vocab.FUNCTION else bare).add(_figure(m[1]))
    return frozenset(counted - bare)


def _flow(folded: str) -> str:
    """The lower-case tokens of ``folded`` without function words, space-separated."""
    return " ".join(t for t in _TOKEN.findall(folded.lower()) if t not in vocab.FUNCTION)


def unstated(sentence: str, passage: PassageFacts, *, translated: bool = False,
             given: str = "") -> list[str]:
    """What ``sentence`` states that ``passage`` does not, e.g. ``["figure 14", "name 'Luma
    Cam'"]``; empty when every fact that can be checked is there.

    ``translated``: the sentence is in another language than the passage, so the labels of
    its steps (menu paths, quoted buttons) cannot be compared word for word and are skipped.
    ``given``: the customer's message; a place it names ("I'm in Ohio") is stated when the
    passage names the country it lies in (``cxrag.guard.places``).
    """
    folded = fold(sentence)
    found = _scan(folded)
    missing = _unstated_figures(found, passage, bool(_STEP_WORD.search(folded)))
    labels = _labels(folded)
    if not translated:  # a label is stated as the passage words it (function words aside)
        for s, e in labels:
            if (run := _flow(folded[s:e])) and f" {run} " not in passage.flow:
                missing.append(f"step '{sentence[s:e].strip(_QUOTES)}'")
    skip = labels + [m.span() for m in vocab.PLACE_RE.finditer(folded)]
    timeless = _times(folded)[1]  # "8pm" is a time, not a code
    missing += [f"name '{sentence[s:e]}'" for s, e in _names(timeless, passage, skip)
                if not _their_place(folded[s:e], passage, given)]
    # Reasons quote the sentence as written, accents included.
    return list(dict.fromkeys(_unfold(reason, folded, sentence) for reason in missing))


# A store's country sites and currencies say which country a passage is about when it names
# none ("En tiendalia.mx puedes pagar ... MX$13").
_SITE_COUNTRY = {"mx": "Mexico", "es": "Spain", "uk": "United Kingdom", "us": "United States"}


def _countries(passage: PassageFacts) -> frozenset[str]:
    """The countries a passage is about: those it names, its sites' and its currency's."""
    sites = {_SITE_COUNTRY[w.rsplit(".", 1)[1]] for w in passage.words
             if "." in w and w.rsplit(".", 1)[1] in _SITE_COUNTRY and w[0].isalpha()}
    pesos = {"Mexico"} if any(c == "MXN" for _, c in passage.money) else set()
    return passage.places | sites | pesos


def _their_place(name: str, passage: PassageFacts, given: str) -> bool:
    """Whether ``name`` is a place the customer named (in ``given``, their message) that lies
    in a country the passage is about."""
    key = f" {' '.join(_WORD.findall(name.lower()))} "
    return (bool(given) and key.strip() != ""
            and key in f" {' '.join(_WORD.findall(fold(given).lower()))} "
            and places.within(name, _countries(passage)))


def _unfold(reason: str, folded: str, sentence: str) -> str:
    """``reason`` with what it quotes from ``folded`` as ``sentence`` writes it."""
    m = re.search(r"'(.+)'$", reason) or re.search(r"^\w+ (.+)$", reason)
    if m is None:
        return reason
    quoted = m[1]
    at = folded.find(quoted)
    return reason if at < 0 else reason.replace(quoted, sentence[at:at + len(quoted)])


def _unstated_figures(found: _Found, passage: PassageFacts, numbered: bool) -> list[str]:
    """Amounts, quantities, ranges, figures, times, dates and places the passage lacks;
    ``numbered``: the sentence speaks of steps, so a list item's number is a figure."""
    missing: list[str] = []
    money = _read_dollars(passage) if found.money else passage.money
    for n, c, raw in found.money:  # amounts with a currency need that amount and currency
        if money and not _money_forms(n, c) & money:
            missing.append(f"amount {raw}")
    for n, unit, raw in found.quantities:
        if n not in passage.figures:
            continue  # a figure the passage lacks altogether: said below
        # Stated with this unit; or the passage gives the figure with no unit, and this unit
        # to no other figure ("14 weeks" is not "14 days"; "5 business days" is not what a
        # passage with "2 business days" and "5 stars" says), and the figure to nothing else
        # ("18 días" is not what "una CLABE de 18 dígitos" says).
        units = vocab.SAME_UNIT.get(unit, {unit})
        if (n, unit) in passage.quantities or any((n, u) in passage.quantities for u in units):
            continue
        if any(m == n for m, _ in passage.quantities) or any(
                u in units for _, u in passage.quantities) or n in passage.counted:
            missing.append(f"quantity '{raw}'")
    for low, high, raw in found.ranges:  # "3–5 days" when the passage says "3–10 days"
        if passage.ranges and (low, high) not in passage.ranges:
            missing.append(f"range '{raw}'")
    figures: dict[str, str] = {}
    for n, raw in found.figures + [(n, n) for n, _, _ in found.quantities]:
        figures.setdefault(n, raw)
    missing += [f"figure {raw}" for n, raw in figures.items() if n not in passage.figures
                and not (numbered and n in passage.steps)]
    for h, m, raw in found.times:
        if (h, m) not in passage.times and not (
                m == 0 and not passage.times and str(h % 12 or 12) in passage.figures):
            missing.append(f"time {raw}")
    missing += [f"{date.split()[0]} {raw}" for date, raw in found.dates
                if date not in passage.dates]
    missing += [f"{'name' if p in vocab.ACRONYMS else 'place'} {p}"
                for p in dict.fromkeys(found.places) if p not in passage.places]
    return missing


def _read_dollars(passage: PassageFacts) -> frozenset[tuple[str, str]]:
    """The passage's amounts, a bare "$" read as the one currency it can be there: dollars
    in a passage about the United States and not Mexico ("customers in the United States
    split purchases of $150" states no "MX$150"), pesos in one about Mexico and not the
    United States; either, as written, elsewhere."""
    where = _countries(passage)
    us, mx = "United States" in where, "Mexico" in where
    if us == mx:
        return passage.money
    currency = "USD" if us else "MXN"
    return frozenset((n, currency if c == "$" else c) for n, c in passage.money)


def _money_forms(n: str, c: str) -> set[tuple[str, str]]:
    """The (figure, currency) pairs that state amount ``n`` in ``c``: a bare "$" is dollars
    or pesos, and dollars or pesos may be written "$"."""
    return {(n, c), *({(n, "USD"), (n, "MXN")} if c == "$" else set()),
            *({(n, "$")} if c in ("USD", "MXN") else set())}


def _known(token: str, passage: PassageFacts) -> bool:
    """Whether the passage has ``token`` (any case or accents; a plural "s" aside)."""
    word = re.sub(r"'s$", "", token.lower())
    compact = re.sub(r"\W|_", "", word)
    return (word in passage.words or word.rstrip("s") in passage.words
            or f"{word}s" in passage.words or compact in passage.compact)


def _labels(folded: str) -> list[tuple[int, int]]:
    """Spans of interface labels in ``folded``: the segments of a menu path ("My account >
    Balance > Redeem a gift card"), quoted text, and a capitalised button name after the
    verb that presses it ("tap Return items")."""
    labels: list[tuple[int, int]] = []
    cuts = [m.span() for m in _PATH.finditer(folded)]
    if cuts:
        starts = [0] + [e for _, e in cuts]
        ends = [s for s, _ in cuts] + [len(folded)]
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            if i == 0:  # "Go to My account": from its last capitalised word
                caps = [m.start() for m in _TOKEN.finditer(folded, s, e) if m[0][0].isupper()]
                s = caps[-1] if caps else max(s, e - 20)
            if i == len(starts) - 1 and (end := _PATH_END.search(folded, s)):
                e = end.start()
            labels.append((s, e))
    labels += [(m.start(), m.end()) for m in _QUOTE.finditer(folded)]
    for m in _PRESS.finditer(folded):
        if not any(s <= m.end() < e for s, e in labels):
            end = _PATH_END.search(folded, m.end())
            labels.append((m.end(), end.start() if end else len(folded)))
    return labels


def _names(folded: str, passage: PassageFacts,
           skip: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the runs of names and codes ("Luma Cam", "LP-1") that the passage lacks."""
    spans = []
    for run in _name_runs(folded, skip):
        checked = [m for m, check in run if check]
        if any(not _known(m[0], passage) for m in checked):
            spans.append((checked[0].start(), run[-1][0].end()))
    return spans


def _name_runs(folded: str,
               skip: list[tuple[int, int]]) -> list[list[tuple[re.Match[str], bool]]]:
    """The runs of names and codes in ``folded``, each word with whether it is checked (the
    sentence's first word is capitalised anyway, so only a code there is).

    A capitalised word is a name unless it starts the sentence, is a common or interface
    word, a month or weekday, part of a label or a known place (checked on their own), or
    the customer's name after a greeting ("Hola, Ana"); codes and acronyms always are.
    """
    tokens = list(_TOKEN.finditer(folded))
    runs: list[list[tuple[re.Match[str], bool]]] = [[]]
    for i, m in enumerate(tokens):
        word, lower = m[0], m[0].lower()
        code = (any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
                and not _COUNT.fullmatch(word) and not _QUANTITY.fullmatch(word)) or (
            len(word) > 1 and word.isupper() and word.isalpha())
        if code and word in vocab.PLACE_OF and any(s <= m.start() < e for s, e in skip):
            # an acronym of vocab's places ("VAT", "EEUU") is the place check's, which
            # reads it in either language ("VAT" for the passage's "IVA")
            runs.append([])
            continue
        if i and folded[tokens[i - 1].end():m.start()].strip(" -"):
            runs.append([])  # "Canada, Tiendalia": two names
        if lower in vocab.NOT_NAMES or _ORDINAL.fullmatch(lower):  # "10th" is a figure
            runs.append([])
            continue
        name = code or (word[0].isupper() and lower not in vocab.COMMON
                        and lower not in vocab.DATE_WORDS and lower not in vocab.SPELLED
                        and not any(s <= m.start() < e for s, e in skip)
                        and not _vocative(folded, tokens, i))
        if not name:
            runs.append([])
            continue
        runs[-1].append((m, code or i > 0))  # the first word is capitalised anyway
    return [run for run in runs if run]


def asked_names(asking: str) -> list[str]:
    """The names and codes (``_name_runs``: "Vetta R7", "Luma Plug", "LP-1") that one asking
    sentence of a question gives, folded and lower-case; places are left to
    ``cxrag.guard.places`` (a place the customer lives in names no subject)."""
    folded = fold(asking)
    out = []
    for run in _name_runs(folded, []):
        checked = [m for m, check in run if check]
        # a written name ("Vetta") or a code ("R7", "LP-1"); a word in capitals alone may be
        # shouted ("QUIERO HABLAR CON UNA PERSONA")
        if not any(any(c.isdigit() for c in m[0]) or any(c.islower() for c in m[0][1:])
                   for m in checked):
            continue
        name = folded[checked[0].start():run[-1][0].end()]
        if not (places.named(name) or places.countries_of(name) or vocab.PLACE_RE.search(name)):
            out.append(name.lower())
    return list(dict.fromkeys(out))


def _name_spans(folded: str) -> list[tuple[int, int]]:
    """Spans of every run of names and codes in ``folded``, its first word included when the
    run is several words ("Cloud Plus") or the word is written as a name ("PayPal"), not
    just capitalised."""
    return [(run[0][0].start(), run[-1][0].end()) for run in _name_runs(folded, [])
            if len(run) > 1 or any(c.isupper() for c in run[0][0][0][1:]) or run[0][1]]


LabelledValues = list[tuple[str, _Found]]
"""A passage's labelled values: (its label's words as a run, the value's facts)."""


def labelled_values(passage_sentences: Sequence[str]) -> LabelledValues:
    """The labelled values of a passage (``_cells``), each label as a run of its words and
    each value's checkable facts: what ``misplaced`` compares a sentence with, read once per
    passage."""
    return [(f" {_flow(f'{row} {column}')} ", _scan(value))
            for t in passage_sentences for row, column, value in _cells(fold(t))]


def misplaced(sentence: str, cells: LabelledValues) -> list[str]:
    """Figures that ``sentence`` gives a name whose own figure, in the passage, is another:
    "PayPal refunds take 1 to 3 business days" when the passage's row for PayPal ("PayPal:
    1–2 business days.", a table as ingest writes it) says 1–2 and 1–3 is Bizum's. Only
    labelled values count (``_cells``: "Label: value", "Row — Column: value; Column:
    value"), because prose binds nothing: "... 1 hora ... ticket de OXXO" says nothing about
    OXXO's 48 hours. A range, an amount or a quantity is misplaced when a value labelled
    with one of the sentence's names (capitalised words or a code, as in ``unstated``)
    states a fact of that kind and none labelled with it states this one. ``cells``: the
    passage's ``labelled_values``."""
    folded = fold(sentence)
    found = _scan(folded)
    facts = _bindable(found)
    if not facts:
        return []
    timeless = _times(folded)[1]
    names = {timeless[s:e].lower(): sentence[s:e] for s, e in _name_spans(timeless)}
    if not names:
        return []
    missing: list[str] = []
    for name, written in names.items():
        run = f" {_flow(name)} "
        if not run.strip():
            continue
        about = [f for label, f in cells if run in label]
        for kind, value, raw in facts:
            stated = [_kind_values(f, kind) for f in about]
            if any(stated) and not any(_same(kind, value, v) for v in stated):
                reason = _unfold(f"{kind} '{raw}'", folded, sentence)
                missing.append(f"{reason} for {written}")
    return list(dict.fromkeys(missing))


_LABEL_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?!\w)")


@dataclass(frozen=True)
class NumberedLabels:
    """A passage's labelled values whose labels are told apart by a number ("3 meses sin
    intereses: compras desde MX$1,500." beside "12 meses sin intereses: compras desde
    MX$6,000."), and the facts of its sentences without labels."""

    # (the label's own numbers, the label's other words, the value's facts)
    labels: tuple[tuple[frozenset[str], frozenset[str], _Found], ...]
    elsewhere: _Found


def numbered_labels(passage_sentences: Sequence[str]) -> NumberedLabels:
    """The labelled values of a passage (``_cells``) as ``mislabelled`` reads them, once per
    passage; none unless two labels or more hold a number that not every label holds."""
    rows: list[tuple[frozenset[str], frozenset[str], _Found]] = []
    rest: list[str] = []
    for sentence in passage_sentences:
        folded = fold(sentence)
        cells = _cells(folded)
        if not cells:
            rest.append(folded)
        for row, column, value in cells:
            label = _flow(f"{row} {column}")
            numbers = frozenset(_LABEL_NUMBER.findall(label))
            rows.append((numbers, frozenset(label.split()) - numbers, _scan(value)))
    shared = frozenset.intersection(*(n for n, _, _ in rows)) if rows else frozenset()
    labels = tuple((n - shared, w, f) for n, w, f in rows)
    if sum(1 for n, _, _ in labels if n) < 2:
        return NumberedLabels((), _scan(""))
    return NumberedLabels(labels, _scan(" ".join(rest)))


def mislabelled(sentence: str, passage: NumberedLabels, given: str = "") -> list[str]:
    """Figures that ``sentence`` takes from a label told apart by its number when the
    sentence or the customer's message (``given``) names another label of that kind: asked
    "a partir de cuánto me dejan pagar a 12 meses sin intereses?", "La compra mínima es de
    MX$1,500." is the passage's "3 meses sin intereses: compras desde MX$1,500.", not its
    "12 meses sin intereses: compras desde MX$6,000." A label is named by its number beside
    one of its words ("12" and "meses"); a figure that a named label holds, or that the
    passage also states without a label, is bound, and so is any figure when no label is
    named ("how much for a 65-inch TV?" names neither "TVs up to 55"" nor "56" to 85"")."""
    if not passage.labels:
        return []
    folded = fold(sentence)
    facts = _bindable(_scan(folded))
    if not facts:
        return []
    told = f"{folded} {fold(given)}"
    numbers, words = set(_LABEL_NUMBER.findall(told)), set(_flow(told).split())
    named = [bool(n & numbers and w & words) for n, w, _ in passage.labels]
    if not any(named):
        return []
    out: list[str] = []
    for kind, value, raw in facts:
        if _same(kind, value, _kind_values(passage.elsewhere, kind)):
            continue
        holders = [i for i, (_, _, f) in enumerate(passage.labels)
                   if _same(kind, value, _kind_values(f, kind))]
        if holders and not any(named[i] for i in holders) and any(
                named[i] and _kind_values(f, kind) for i, (_, _, f) in enumerate(passage.labels)):
            out.append(_unfold(f"{kind} '{raw}'", folded, sentence)
                       + " of another label than the one asked")
    return out


_MONTH_ANY = "|".join([*vocab.MONTHS_ES, *vocab.MONTHS_EN, "setiembre"])
_DAY_MONTH = (rf"(?:(?:el|the)\s+)?(?:\d{{1,2}}\s+(?:de\s+)?)?(?:{_MONTH_ANY})\b"
              rf"(?:\s+\d{{1,2}}(?:st|nd|rd|th)?\b)?")
# A span of dates that bounds what its sentence says: "entregados entre el 15 de noviembre y el
# 31 de diciembre", "del 1 al ...", "between November 15 and December 31"
_DATE_SPAN = re.compile(rf"\b(?:entre|between|from|desde|del)\s+{_DAY_MONTH},?\s+"
                        rf"(?:y|and|al|to|until|through|hasta|-)\s+{_DAY_MONTH}", re.IGNORECASE)


@dataclass(frozen=True)
class DateBounds:
    """A passage's months and the spans of dates that bound them."""

    free: frozenset[str]
    """months stated in a sentence without a span of dates (``_dates``' ids)"""
    bound: dict[str, list[frozenset[str]]]
    """month -> the months of each span that bounds it in a sentence"""


def date_bounds(passage_sentences: Sequence[str]) -> DateBounds:
    """The months of a passage and the spans of dates that bound them (what
    ``unbounded_dates`` compares a sentence with), read once per passage."""
    free: set[str] = set()
    bound: dict[str, list[frozenset[str]]] = {}
    for text in passage_sentences:
        folded = fold(text)
        spans = list(_DATE_SPAN.finditer(folded))
        rest = _DATE_SPAN.sub(" ", folded)
        months = {d for d, _ in _dates(rest) if d.startswith("month")}
        if not spans:
            free |= months
            continue
        for m in spans:
            span = frozenset(d for d, _ in _dates(m[0]) if d.startswith("month"))
            for month in months - span:
                bound.setdefault(month, []).append(span)
    return DateBounds(frozenset(free), bound)


def unbounded_dates(sentence: str, bounds: DateBounds) -> list[str]:
    """Months ``sentence`` states that the passage states only under a span of dates the
    sentence leaves out: "puedes devolverlo hasta el 31 de enero" over "los artículos
    entregados entre el 15 de noviembre y el 31 de diciembre se pueden devolver hasta el 31
    de enero" is the Christmas rule given as everyone's, a wrong date with a citation. A
    month the passage also states without such a span, or a sentence that keeps one of the
    span's months, passes (either language: months are compared as ``_dates`` reads them)."""
    if not bounds.bound:
        return []
    stated = {d: raw for d, raw in _dates(fold(sentence)) if d.startswith("month")}
    missing = []
    for month, raw in stated.items():
        spans = bounds.bound.get(month)
        if spans and month not in bounds.free and not any(s & stated.keys() for s in spans):
            missing.append(f"date '{raw}' without the dates it applies to")
    return missing


_ORDER_LINE = re.compile(r"(?:^|(?<=\.\s))Order (\S+?)(?=[ :(])")


def misdated(sentence: str, account: str) -> list[str]:
    """Months ``sentence`` gives one of the customer's orders that the order's own line of
    the account (``account``: "Order TL-1 (Kelvo fridge): delivered, placed 2026-08-08, ...")
    does not state: "the order TL-1 was placed on September 8" when September is another
    order's month. The account as a whole states both months; only the order's line says
    which is this order's. Months only (either language; an ISO date states its month): an
    order's line has no other dates."""
    folded = fold(sentence)
    lines = {m[1].lower(): account[m.start():].split(". Order ", 1)[0]
             for m in _ORDER_LINE.finditer(account)}
    named = [line for code, line in lines.items() if code in folded.lower()]
    if not named:
        return []
    stated = {d: raw for d, raw in _dates(folded) if d.startswith("month")}
    own = {f"month {int(m[2])}" for line in named for m in _ISO_DATE.finditer(line)}
    own |= {d for line in named for d, _ in _dates(fold(line)) if d.startswith("month")}
    return [f"date '{raw}' for another order" for d, raw in stated.items() if d not in own]


@dataclass(frozen=True)
class Table:
    """A passage's table rows with several columns ("Monthly price — Cloud Basic: $1.49;
    Cloud Plus: $2.99."), cell by cell, and what the passage states outside them."""

    # (row number, the column's words, the places it names, the value's facts)
    cells: tuple[tuple[int, str, frozenset[str], _Found], ...]
    elsewhere: _Found  # the facts of every other sentence of the passage


def table(passage_sentences: Sequence[str]) -> Table:
    """The multi-column rows of a passage (``_cells`` of a "Row — Column: value; ..."
    sentence with two columns or more) and the facts of its other sentences: what
    ``unbound`` compares a sentence with, read once per passage (a passage without such
    rows is not read further)."""
    cells: list[tuple[int, str, frozenset[str], _Found]] = []
    rest: list[str] = []
    for i, sentence in enumerate(passage_sentences):
        folded = fold(sentence)
        row = _cells(folded)
        if len(row) < 2 or not row[0][0]:
            rest.append(folded)
            continue
        cells += [(i, _flow(column), frozenset(_scan(column).places), _scan(value))
                  for _, column, value in row]
    return Table(tuple(cells), _scan(" ".join(rest)) if cells else _scan(""))


def unbound(sentence: str, passage: Table, given: str = "") -> list[str]:
    """Figures that ``sentence`` can only have taken from one column of a table row whose
    other columns state other values of that kind, without naming that column (nor does
    ``given``, the customer's message): asked for "the plan that keeps a month of video", a
    small model answers "$1.49", the first column's price in "Monthly price — Cloud Basic:
    $1.49; Cloud Plus: $2.99; Cloud Pro: $7.99.", which is the plan that keeps 7 days. A
    column is named by a word of its label that the row's other columns lack ("basic") or by
    its place in either language ("España" for "Spain"); a figure the passage also states
    outside such a row, or that no other column of its row rivals (another amount in the
    same currency, another quantity in the same unit), is bound."""
    if not passage.cells:
        return []
    folded = fold(sentence)
    found = _scan(folded)
    facts = _bindable(found)
    told = f"{folded} {fold(given)}"
    words, places = set(_flow(told).split()), set(_scan(told).places)
    out: list[str] = []
    for kind, value, raw in facts:
        if _same(kind, value, _kind_values(passage.elsewhere, kind)):
            continue
        holders = [(r, col, where) for r, col, where, f in passage.cells
                   if _same(kind, value, _kind_values(f, kind))]
        if holders and not any(_named(r, col, kind, value, passage, words)
                               or where & places for r, col, where in holders):
            out.append(_unfold(f"{kind} '{raw}'", folded, sentence) + " for an unnamed column")
    return out


def _named(row: int, column: str, kind: str, value: tuple[str, str], passage: Table,
           words: set[str]) -> bool:
    """Whether the cell (``row``, ``column``) is the only one of its row that states a
    ``kind`` like ``value``, or the sentence or the customer names its column by a word the
    row's other columns lack (``words``)."""
    others = [(col, f) for r, col, _, f in passage.cells if r == row and col != column]
    rivals = [v for _, f in others for v in _kind_values(f, kind)
              if not _same(kind, value, {v}) and _comparable(kind, value, v)]
    if not rivals:
        return True
    own = set(column.split()) - {w for col, _ in others for w in col.split()}
    return bool(own & words)


def _comparable(kind: str, value: tuple[str, str], other: tuple[str, str]) -> bool:
    """Whether ``other`` could be confused with ``value``: an amount in the same currency, a
    quantity in the same unit, any range."""
    if kind == "amount":
        return bool({c for _, c in _money_forms(*value)} & {c for _, c in _money_forms(*other)})
    if kind == "quantity":
        return other[1] in vocab.SAME_UNIT.get(value[1], {value[1]}) | {value[1]}
    return True


def _bindable(found: _Found) -> list[tuple[str, tuple[str, str], str]]:
    """The facts a table binds to its labels: ranges, amounts and quantities (a quantity
    written as a range counts once, as the range), each as (kind, value, as written)."""
    return ([("range", (lo, hi), raw) for lo, hi, raw in found.ranges]
            + [("amount", (n, c), raw) for n, c, raw in found.money]
            + [("quantity", (n, u), raw) for n, u, raw in found.quantities
               if not any(raw == r for _, _, r in found.ranges)])


_CELL_LABEL = re.compile(r"^\s*([^:;]{1,80}?):\s+(.+)$", re.DOTALL)
_MAX_LABEL_WORDS = 8


def _cells(sentence: str) -> list[tuple[str, str, str]]:
    """(row, label, value) of each labelled value of a sentence: "PayPal: 1–2 business
    days." gives ("", "PayPal", "1–2 business days."); "Monthly price — Cloud Basic: $1.49;
    Cloud Plus: $2.99." gives ("Monthly price", "Cloud Basic", "$1.49"), ("Monthly price",
    "Cloud Plus", "$2.99"). A label is a few words before a colon and a space (a clock's
    "9:00" is none)."""
    head, dash, rest = sentence.partition(" — ")
    if not dash or len(head.split()) > _MAX_LABEL_WORDS:
        head, rest = "", sentence
    out = []
    for part in rest.split(";") if head else [rest]:
        m = _CELL_LABEL.match(part)
        if m and len(m[1].split()) <= _MAX_LABEL_WORDS:
            out.append((head.strip(), m[1], m[2]))
    return out


def _kind_values(found: _Found, kind: str) -> set[tuple[str, str]]:
    if kind == "range":
        return {(lo, hi) for lo, hi, _ in found.ranges}
    if kind == "amount":
        return {(n, c) for n, c, _ in found.money}
    return {(n, u) for n, u, _ in found.quantities}


def _same(kind: str, value: tuple[str, str], stated: set[tuple[str, str]]) -> bool:
    if kind == "amount":
        return bool(_money_forms(*value) & stated)
    if kind == "quantity":
        units = vocab.SAME_UNIT.get(value[1], {value[1]})
        return any(n == value[0] and u in units | {value[1]} for n, u in stated)
    return value in stated


def _vocative(folded: str, tokens: list[re.Match[str]], i: int) -> bool:
    """Whether token ``i`` addresses the customer: after a greeting ("Hola Ana", "Thanks,
    Ana") or set off by commas near the start ("Claro, Ana, ...")."""
    if i == 0:
        return False
    if tokens[i - 1][0].lower() in vocab.GREETING:
        return True
    before = folded[:tokens[i].start()].rstrip()[-1:]
    after = folded[tokens[i].end():].lstrip()[:1]
    return i <= 2 and before == "," and after in {",", ".", "!", ""}


# A limit, a minimum, a maximum or a fee said not to exist: "no hay límite de peso", "sin
# pedido mínimo", "there is no minimum purchase", "no fee", "unlimited". Accents folded, any
# case. A bare "no" must stand right before the word ("no fee"): "no supera el límite" denies
# nothing. "No cost", "sin coste" say "free" and are left to the polarity rule.
_KINDS = {
    "limit": r"limites?|limits?",
    "minimum": r"minimos?|minimums?",
    "maximum": r"maximos?|maximums?",
    "fee": r"comision(?:es)?|fees?|surcharges?|recargos?",
}
_DENIAL = {kind: re.compile(
    r"\b(?:(?:no hay|no existe|no existen|no tiene|no tienen|no aplica|no se aplica|no se "
    r"cobra|no cobramos|sin|there is no|there's no|there are no|without(?: any| a)?|"
    r"(?:does|do|is|are)(?: not|n't) (?:have|has|subject to|charge)(?: any| a| an)?)"
    r"(?:\s+[\w-]+){0,2}?|\bno)\s+(?:" + words + r")\b"
    + (r"|\b(?:unlimited|ilimitad[oa]s?|sin limite)\b" if kind == "limit" else ""),
    re.IGNORECASE) for kind, words in _KINDS.items()}
_MENTION = {kind: re.compile(r"\b(?:" + words + r")\b", re.IGNORECASE)
            for kind, words in _KINDS.items()}


def undenied(passage: str) -> frozenset[str]:
    """The kinds (limit, minimum, maximum, fee) ``passage`` names without saying they do not
    exist: what ``denied`` holds a sentence against, read once per passage. "Sin pedido
    mínimo" denies the minimum, so a passage with it backs "no minimum order"; a kind the
    passage never names is not here (left to the other rules)."""
    text = fold(passage)
    return frozenset(kind for kind, pattern in _DENIAL.items()
                     if _MENTION[kind].search(text) and not pattern.search(text))


def denied(sentence: str, kinds: frozenset[str]) -> list[str]:
    """What ``sentence`` says does not exist (a limit, a minimum, a maximum, a fee) that the
    passage names without saying so (``kinds``, from ``undenied``): "No hay límite de peso
    para una PO Box" over "Items that weigh 20 lb (9 kg) or less ... the same weight limits
    as PO boxes", or "There's no fee" over "OXXO cobra una comisión de 13 pesos". Either
    language: the words of each kind are Spanish and English."""
    if not kinds:
        return []
    said = fold(sentence)
    return [f"'no {kind}'" for kind in _KINDS if kind in kinds and _DENIAL[kind].search(said)]


def other_topic(sentence: str, units: Sequence[str], title: str = "") -> str:
    """Why ``sentence`` states a period for one topic (``vocab.PERIOD_TOPICS``: a return,
    a warranty) that its supporting passage, whose sentences are ``units`` and whose title
    is ``title``, gives for another only ("La devolución tiene un plazo de 2 años" over
    "Luma Router has a 2-year warranty"), or for something the passage never says is about
    that topic ("You can return your blender within 48 hours" over "add it ... up to 48
    hours before the delivery window" in the haul-away service's page), to be followed by
    the passage ("a return period given for warranty in"); "" when it does not. A period's
    topic is the last topic word before it in the sentence; a passage sentence stating the
    same period and naming that topic backs it, and so does one naming no topic
    ("Standard customers: 30 calendar days ...", under its heading) in a passage that
    names the topic elsewhere, in its title or another sentence."""
    # lower case too, as ``reply.account`` reads the same words: "Returns are free ..."
    folded, about = textnorm.fold(sentence), textnorm.fold(title)
    stated: list[tuple[set[tuple[str, str | None]], set[str]]] | None = None
    for m in _QUANTITY.finditer(folded):
        unit = _period_unit(m["u"])
        said = [(w.start(), topic) for topic, words in vocab.PERIOD_TOPICS.items()
                for w in words.finditer(folded, 0, m.start())]
        if unit is None or not said:
            continue
        topic = max(said)[1]
        figures = {(_spelled(n), unit) for n in _QNUM_RE.findall(m["ns"])}
        if stated is None:  # each passage sentence's periods and topics, read once
            stated = [({(_spelled(n), _period_unit(q["u"])) for q in _QUANTITY.finditer(u)
                        for n in _QNUM_RE.findall(q["ns"])},
                       {t for t, words in vocab.PERIOD_TOPICS.items() if words.search(u)})
                      for u in map(textnorm.fold, units)]
        # a sentence naming no topic backs the period where the passage names it elsewhere
        elsewhere = bool(vocab.PERIOD_TOPICS[topic].search(about)) or \
            any(topic in topics for _, topics in stated)
        named: set[str] = set()
        for periods, topics in stated:
            if not figures & periods:
                continue
            if topic in topics or (not topics and elsewhere):
                return ""
            named |= topics
        if named:
            return f"a {topic} period given for {', '.join(sorted(named))} in"
        if any(figures & periods for periods, _ in stated):
            return f"a {topic} period given for something else in"
    return ""


def _period_unit(word: str) -> str | None:
    """The unit of a period ("dias" -> day, "years" -> year), None for any other unit."""
    unit = vocab.UNIT[word.lower()]
    return unit if unit in vocab.PERIOD_UNITS else None
