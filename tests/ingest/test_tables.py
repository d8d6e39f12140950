"""Tables keep their rows: each row one sentence that names its own row and columns."""

from io import BytesIO
from pathlib import Path

import docx

from cxrag.ingest.loaders import load_file
from cxrag.ingest.models import SourceFile
from cxrag.ingest.tables import table_rows

REFUNDS = """# Refunds

| Payment method | Time after the email |
|---|---|
| PayPal | 1–2 business days |
| Bizum (Spain) | 1–3 business days |
"""


def _load(tmp_path: Path, name: str, raw: bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(raw)
    return load_file(SourceFile(path, tmp_path), raw, ["es", "en"])


def test_two_columns_read_as_label_and_value() -> None:
    html = ("<table><thead><tr><th>Payment method</th><th>Time</th></tr></thead><tbody>"
            "<tr><td>PayPal</td><td>1–2 business days</td></tr>"
            "<tr><td>Bizum (Spain)</td><td>1–3 business days</td></tr></tbody></table>")
    assert table_rows(html) == ["Payment method: Time.", "PayPal: 1–2 business days.",
                                "Bizum (Spain): 1–3 business days."]


def test_more_columns_name_each_value_with_its_header() -> None:
    html = ("<table><thead><tr><th/><th>Basic</th><th>Pro</th></tr></thead><tbody>"
            "<tr><td>Monthly price</td><td>$1.49</td><td>$7.99</td></tr>"
            "<tr><td>Detection</td><td>—</td><td>Yes</td></tr></tbody></table>")
    assert table_rows(html) == ["Monthly price — Basic: $1.49; Pro: $7.99.",
                                "Detection — Basic: —; Pro: Yes."]


def test_a_table_without_header_keeps_its_cells_in_row_order() -> None:
    html = ("<table><tr><td>Madrid</td><td>24 h</td><td>free</td></tr>"
            "<tr><td>Lisboa</td><td>48 h</td><td>4,95 €</td></tr></table>")
    assert table_rows(html) == ["Madrid; 24 h; free.", "Lisboa; 48 h; 4,95 €."]
    assert table_rows("<p>no table</p>") == []


def test_a_markdown_table_is_ingested_row_by_row(tmp_path: Path) -> None:
    doc = _load(tmp_path, "refunds.md", REFUNDS.encode())
    lines = doc.text.splitlines()
    assert "PayPal: 1–2 business days." in lines
    assert "Bizum (Spain): 1–3 business days." in lines
    # not the cells run together, where PayPal's figure sits beside Bizum's
    assert "PayPal 1–2 business days Bizum" not in doc.text


def test_html_and_docx_tables_too(tmp_path: Path) -> None:
    html = ("<html><body><h1>Recogida</h1><table><tr><th>Servicio</th><th>España</th>"
            "<th>México</th></tr><tr><td>Recogida a domicilio</td><td>4,95 €</td>"
            "<td>MX$99</td></tr></table></body></html>")
    doc = _load(tmp_path, "recogida.html", html.encode())
    assert "Recogida a domicilio — España: 4,95 €; México: MX$99." in doc.text.splitlines()

    document = docx.Document()
    document.add_heading("Recogida", level=1)
    table = document.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, [["Servicio", "España", "México"],
                                       ["Recogida a domicilio", "4,95 €", "MX$99"]],
                          strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    buffer = BytesIO()
    document.save(buffer)
    doc = _load(tmp_path, "recogida.docx", buffer.getvalue())
    assert any("Recogida a domicilio" in line and "4,95 €" in line and "MX$99" in line
               for line in doc.text.splitlines())
