"""Tables as rows of text.

unstructured gives a table's ``text`` as every cell run together ("Payment method Time after
... PayPal 1–2 business days Bizum (Spain) 1–3 business days"): a reader, the model or the
guard, cannot tell which figure belongs to which row, and a small model states the next row's
figure (measured: "PayPal refunds take 1 to 3 business days", Bizum's time). Its
``metadata.text_as_html`` keeps the structure; each row becomes one sentence that names its own
row and columns:

- two columns: a header line ("Payment method: Time after the email.") and one line per row
  ("PayPal: 1–2 business days.");
- more columns: "Monthly price — Cloud Basic: $1.49; Cloud Plus: $2.99; Cloud Pro: $7.99."
"""

from __future__ import annotations

from html.parser import HTMLParser

_END = (".", "!", "?", "…", ":", ";")


class _Rows(HTMLParser):
    """(cells, is-header-row) of every <tr>, nested tables flattened into their cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[list[str], bool]] = []
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None
        self._head = False
        self._all_th = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "thead":
            self._head = True
        elif tag == "tr":
            self._cells, self._all_th = [], True
        elif tag in ("td", "th") and self._cells is not None:
            self._cell = []
            self._all_th = self._all_th and tag == "th"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "th") and self._cells is not None:  # <th/>: an empty corner cell
            self._cells.append("")
            self._all_th = self._all_th and tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._head = False
        elif tag in ("td", "th") and self._cells is not None and self._cell is not None:
            self._cells.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._cells is not None:
            if any(self._cells):
                self.rows.append((self._cells, self._head or self._all_th))
            self._cells = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _sentence(text: str) -> str:
    return text if text.endswith(_END) else text + "."


def table_rows(html: str) -> list[str]:
    """One line per table row, each naming its row and columns (see the module docstring);
    [] when ``html`` holds no table rows."""
    parser = _Rows()
    parser.feed(html)
    parser.close()
    rows = parser.rows
    if not rows:
        return []
    header: list[str] = []
    if rows[0][1] and len(rows) > 1:
        header, rows = rows[0][0], rows[1:]
    out: list[str] = []
    width = max(len(cells) for cells, _ in rows)
    if header and width == 2:
        if all(header[:2]) and len(header) >= 2:
            out.append(_sentence(f"{header[0]}: {header[1]}"))
        header = []
    for cells, _ in rows:
        label, rest = cells[0], cells[1:]
        if header:
            parts = [f"{header[i + 1]}: {value}" if i + 1 < len(header) and header[i + 1]
                     else value for i, value in enumerate(rest) if value]
            line = f"{label} — {'; '.join(parts)}" if label and parts else label or "; ".join(parts)
        elif len(cells) == 2 and label:
            line = f"{label}: {rest[0]}" if rest[0] else label
        else:
            line = "; ".join(c for c in cells if c)
        if line.strip():
            out.append(_sentence(line.strip()))
    return out
