"""Wrapped PDF lines are read back as the paragraphs and list items they were printed from."""

from pathlib import Path
from typing import Any

import pytest

from cxrag.ingest.loaders import load_file
from cxrag.ingest.models import SourceFile
from cxrag.ingest.pdf_lines import join_wrapped_lines

SPAIN = ("New products sold in Spain have 3 years of legal guarantee from the delivery date, as "
         "required by Spanish consumer law for purchases made since 1 January 2022.")
ITEM = ("Refurbished and open-box products: 18 months, counted from the day the order reached "
        "you, whatever the carrier's tracking page says about it.")
STEP = ("Pack the product in any box and hand it in at a drop-off point; the label arrives by "
        "email within two hours of the claim.")
LAST = ("Repairs take up to 30 days from the day the product reaches the service centre, and "
        "you can follow each step under My orders.")


def _write(path: Path, pitch: float) -> Path:
    """A generated help-centre PDF whose lines are ``pitch`` mm apart (wide enough that
    pdfminer gives each printed line as an element of its own)."""
    from fpdf import FPDF

    class Pages(FPDF):
        def footer(self) -> None:  # a footer between the two halves of the last paragraph
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, f"Page {self.page_no()}", align="C")

    pdf = Pages()
    pdf.set_margins(20, 20, 20)
    pdf.add_page()

    def heading(text: str) -> None:
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    heading("Warranty coverage")
    heading("Spain")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, pitch, SPAIN, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.cell(6, pitch, "-")
    pdf.multi_cell(0, pitch, ITEM, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    heading("Mexico")
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(6, pitch, "3.")
    pdf.multi_cell(0, pitch, STEP, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_y(pdf.h - 32)  # the last paragraph runs over the page break
    pdf.multi_cell(0, pitch, LAST, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def _raw_lines(path: Path) -> list[Any]:
    from unstructured.partition.pdf import partition_pdf

    from cxrag.ingest.loaders import prepare_unstructured

    prepare_unstructured("fast")
    return list(partition_pdf(filename=str(path), strategy="fast", languages=["eng"]))


@pytest.mark.parametrize("pitch", [6.5, 7.5])
def test_wrapped_sentences_come_back_whole_and_are_never_headings(tmp_path: Path,
                                                                  pitch: float) -> None:
    (tmp_path / "kb").mkdir()
    path = _write(tmp_path / "kb" / "warranty.pdf", pitch)
    raw = [e.text.strip() for e in _raw_lines(path)]
    assert SPAIN not in raw, "the fixture must wrap its lines into elements of their own"
    pages = {e.metadata.page_number for e in _raw_lines(path) if e.text.strip() in LAST}
    assert pages == {1, 2}, "the last paragraph must run over the page break"

    doc = load_file(SourceFile(path, tmp_path / "kb"), path.read_bytes(), ["en"])
    lines = doc.text.splitlines()
    for sentence in (SPAIN, ITEM, LAST):
        assert sentence in lines
        assert not any(line != sentence and sentence.startswith(line) for line in lines)
    assert f"3. {STEP}" in lines
    headings = {h for s in doc.sections for h in s.headings}
    assert headings <= {"Warranty coverage", "Spain", "Mexico"}
    spain = next(s for s in doc.sections if s.headings[-1:] == ("Spain",))
    assert spain.blocks[:2] == (SPAIN, ITEM)


def test_short_lines_that_were_not_wrapped_stay_apart(tmp_path: Path) -> None:
    """Lines that end well before the right margin were not wrapped, even without a full
    stop and as close together as a paragraph's lines."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    short = ["Standard shipping to the peninsula", "express delivery in 24 hours",
             "pick-up points in every province"]
    for line in short:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "short.pdf"
    pdf.output(str(path))
    raw = _raw_lines(path)
    assert [e.text.strip() for e in raw] == short  # one element a line
    assert [e.text.strip() for e in join_wrapped_lines(raw)] == short
