"""Lines of a PDF put back into the paragraphs and list items they were wrapped from.

unstructured's fast PDF strategy (pdfminer) gives one element per printed line when a page's
line spacing is wider than pdfminer's line margin, which is common in generated help-centre
PDFs. A wrapped sentence then reaches the index as two fragments ("Productos nuevos: 3 años de
garantía legal desde la entrega, según la" / "normativa de consumo ..."), and the first one,
short and without a full stop, is taken for a heading. Widening pdfminer's line margin instead
glues headings to the paragraphs under them, so the lines are joined here, by where they sit
on the page and how they read. A line continues the one above it when

- the line above was wrapped: the first word of this line would not have fitted before the
  page's right text edge;
- both are on the same page in a font of the same height, this one starts at most
  ``GAP`` line heights below and not to the left of the paragraph's first line;
- and this line starts in lower case, or the line above does not end a sentence
  (``. ! ? : ;``).

A paragraph goes on across a page break the same way (the gap aside). A bullet that pdfminer
gives as an element of its own makes the next line a list item (never a heading), and no line
is joined across it; a numbered item's number printed apart from its text ("3.") is joined to
the text beside it. A running head (the same text first on two or more pages) is marked as a
``Header``, which the loader drops like any repeated header.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

_ENDS = (".", "!", "?", ":", ";")
_BULLETS = {"", "•", "◦", "▪", "-", "–", "·"}
_NUMBER = re.compile(r"\d{1,2}[.)]")
_TEXT = {"NarrativeText", "UncategorizedText", "Title", "ListItem", "Text"}
_MARGINAL = {"Header", "Footer", "PageBreak", "PageNumber"}  # never between a paragraph's lines
GAP = 1.5  # the most blank space between two lines of one paragraph, in line heights
HEIGHT = 0.15  # how much two lines' heights may differ and still be one font


@dataclass
class _Line:
    """An element's place on its page (for a joined paragraph: the first line's left edge,
    the last line's box)."""

    element: Any
    page: int | None
    left: float
    right: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def join_wrapped_lines(elements: list[Any]) -> list[Any]:
    """``elements`` (unstructured's, from a PDF) with wrapped lines joined into their
    paragraph or list item; elements without coordinates pass through unchanged."""
    from unstructured.documents.elements import Header, ListItem, NarrativeText

    heads = _running_heads(elements)
    elements = [Header(text=el.text, metadata=el.metadata) if i in heads else el
                for i, el in enumerate(elements)]
    lines = [_line(el) for el in elements]
    edge = _right_edges(lines)
    out: list[Any] = []
    last: _Line | None = None  # the line the next one may continue, at out[at]
    at, bullet = -1, False
    for el, line in zip(elements, lines, strict=True):
        text = (el.text or "").strip()
        if el.category == "ListItem" and text in _BULLETS:
            bullet, last = True, None
            out.append(el)
            continue
        if bullet and el.category in _TEXT:
            el = ListItem(text=text, metadata=el.metadata)
        elif last is not None and line is not None and _continues(last, line, text,
                                                                  edge[line.page]):
            head = last.element
            numbered = _NUMBER.fullmatch(head.text.strip()) is not None
            kind = ListItem if head.category == "ListItem" or numbered else NarrativeText
            out[at] = kind(text=f"{head.text.rstrip()} {text}", metadata=head.metadata)
            last = replace(line, element=out[at], left=last.left)
            continue
        out.append(el)
        if el.category in _MARGINAL:
            continue
        bullet, last = False, None
        if line is not None and el.category in _TEXT and text:
            last, at = replace(line, element=el), len(out) - 1
    return out


def _right_edges(lines: list[_Line | None]) -> dict[int | None, float]:
    """Each page's right text edge: as far from the page's right side as its text's left edge
    is from the left side (margins are symmetric in most documents), or, where the page's
    width is unknown, the rightmost text on it (a page of short lines then looks full, and
    its lines that do not end a sentence are joined)."""
    left: dict[int | None, float] = {}
    right: dict[int | None, float] = defaultdict(float)
    width: dict[int | None, float] = {}
    for line in lines:
        if line is None or line.element.category not in _TEXT:
            continue
        page = line.page
        left[page] = min(left.get(page, line.left), line.left)
        right[page] = max(right[page], line.right)
        system = getattr(line.element.metadata.coordinates, "system", None)
        if (w := getattr(system, "width", None)) is not None:
            width[page] = float(w)
    return {page: max(right[page], width[page] - left[page]) if page in width else right[page]
            for page in right}


def _line(el: Any) -> _Line | None:
    coordinates = getattr(el.metadata, "coordinates", None)
    points = getattr(coordinates, "points", None)
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return _Line(el, el.metadata.page_number, min(xs), max(xs), min(ys), max(ys))


def _continues(above: _Line, line: _Line, text: str, edge: float) -> bool:
    """Whether ``line`` (reading ``text``) is the next line of ``above``'s paragraph, on a
    page whose text ends at ``edge``."""
    height, head = above.height, above.element.text.strip()
    same_page = line.page == above.page
    next_page = (line.page is not None and above.page is not None
                 and line.page == above.page + 1)
    if not (same_page or next_page) or height <= 0 or not text:
        return False
    if abs(line.height - height) > HEIGHT * height:
        return False
    if _NUMBER.fullmatch(head):  # "3." and, beside it on the same line, its text
        return same_page and abs(line.top - above.top) <= HEIGHT * height
    gap = line.top - above.bottom
    if line.left < above.left - 1 or (same_page and not -0.1 * height <= gap <= GAP * height):
        return False
    per_char = (line.right - line.left) / len(text)
    first_word = len(text.split()[0]) * per_char
    # A space and the word did not fit (give or take two characters: widths are estimated).
    wrapped = above.right + per_char + first_word > edge - 2 * per_char
    return wrapped and (text[0].islower() or not head.endswith(_ENDS))


def _running_heads(elements: list[Any]) -> set[int]:
    """Indexes of the text elements that open their page with a text that opens another page
    too (a running head: "Tiendalia Help Center · Warranty coverage and repairs")."""
    first: dict[int | None, int] = {}
    for i, el in enumerate(elements):
        page = getattr(el.metadata, "page_number", None)
        if page not in first and el.category in _TEXT and (el.text or "").strip():
            first[page] = i
    texts: dict[str, set[int | None]] = defaultdict(set)
    for page, i in first.items():
        texts[elements[i].text.strip()].add(page)
    return {i for i in first.values() if len(texts[elements[i].text.strip()]) > 1}
