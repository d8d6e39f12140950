#!/usr/bin/env python3
"""Render the PDF and DOCX help-centre articles of the sample knowledge base.

Sources live in ``scripts/knowledge/sources/<lang>/<slug>.md`` (a small subset
of Markdown: ``#``/``##``/``###`` headings, paragraphs, ``- `` bullets and
``1. `` numbered lists, ``**bold**``). Each source is rendered to the format
given in ``TARGETS`` and written to ``knowledge/articles/<lang>/<slug>.<ext>``.

Usage (from the repository root)::

    .venv/bin/python scripts/knowledge/build_docs.py            # build all
    .venv/bin/python scripts/knowledge/build_docs.py --check    # verify text extraction

The output is deterministic apart from what the libraries themselves vary:
creation/modification dates are pinned to ``FIXED_DATE``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = Path(__file__).resolve().parent / "sources"
OUT = ROOT / "knowledge" / "articles"

FIXED_DATE = dt.datetime(2026, 7, 1, 9, 0, 0, tzinfo=dt.timezone.utc)

# slug -> (language, format)
TARGETS: dict[str, tuple[str, str]] = {
    # PDF
    "warranty-coverage": ("en", "pdf"),
    "luma-router-mesh-setup": ("en", "pdf"),
    "california-privacy-rights-ccpa": ("en", "pdf"),
    "furniture-assembly-missing-parts": ("en", "pdf"),
    "garantia-de-productos": ("es", "pdf"),
    "factura-cfdi-mexico": ("es", "pdf"),
    "tiendalia-protect-seguro": ("es", "pdf"),
    # DOCX
    "tiendalia-plus-membership": ("en", "docx"),
    "tax-exempt-purchases": ("en", "docx"),
    "trade-in-program": ("en", "docx"),
    "tiendalia-plus-suscripcion": ("es", "docx"),
    "meses-sin-intereses": ("es", "docx"),
    "factura-con-nif": ("es", "docx"),
    "proteccion-de-datos-rgpd": ("es", "docx"),
}

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
]

HEADER_TEXT = {"en": "Tiendalia Help Center", "es": "Centro de ayuda Tiendalia"}
PAGE_TEXT = {"en": "Page {n} of {total}", "es": "Página {n} de {total}"}


# --------------------------------------------------------------------------- parsing


@dataclass
class Block:
    kind: str  # h1 | h2 | h3 | p | ul | ol
    text: str


_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")


def parse_markdown(text: str) -> list[Block]:
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", " ".join(s.strip() for s in para)))
            para.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if line.startswith("### "):
            flush()
            blocks.append(Block("h3", line[4:].strip()))
        elif line.startswith("## "):
            flush()
            blocks.append(Block("h2", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            blocks.append(Block("h1", line[2:].strip()))
        elif m := _BULLET.match(line):
            flush()
            blocks.append(Block("ul", m.group(1).strip()))
        elif m := _NUMBERED.match(line):
            flush()
            blocks.append(Block("ol", m.group(2).strip()))
        else:
            para.append(line)
    flush()
    return blocks


def split_bold(text: str) -> list[tuple[str, bool]]:
    """Split ``**bold**`` spans into (text, is_bold) runs."""
    parts = re.split(r"(\*\*[^*]+\*\*)", text)
    runs = []
    for part in parts:
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            runs.append((part[2:-2], True))
        else:
            runs.append((part, False))
    return runs


def plain(text: str) -> str:
    return text.replace("**", "")


# --------------------------------------------------------------------------- PDF


def _find_font(name: str) -> Path | None:
    for d in FONT_DIRS:
        p = d / name
        if p.exists():
            return p
    return None


_LATIN1_FALLBACK = {
    "€": "EUR",
    "•": "-",
    "–": "-",
    "—": "-",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "…": "...",
    "±": "+/-",
    "×": "x",
}


def render_pdf(blocks: list[Block], lang: str, dest: Path) -> None:
    from fpdf import FPDF

    regular = _find_font("DejaVuSans.ttf")
    bold = _find_font("DejaVuSans-Bold.ttf")
    unicode_ok = regular is not None and bold is not None

    def t(s: str) -> str:
        s = plain(s)
        if unicode_ok:
            return s
        for k, v in _LATIN1_FALLBACK.items():
            s = s.replace(k, v)
        return s.encode("latin-1", "replace").decode("latin-1")

    title = next((b.text for b in blocks if b.kind == "h1"), dest.stem)

    class HelpPDF(FPDF):
        def header(self) -> None:  # noqa: D401 - fpdf hook
            if self.page_no() == 1:
                return
            self.set_font(family, "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 6, t(f"{HEADER_TEXT[lang]} · {title}"), align="L")
            self.ln(10)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:  # noqa: D401 - fpdf hook
            self.set_y(-15)
            self.set_font(family, "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 10, PAGE_TEXT[lang].format(n=self.page_no(), total="{nb}"), align="C")
            self.set_text_color(0, 0, 0)

    pdf = HelpPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(t(title))
    pdf.set_author("Tiendalia Customer Experience")
    pdf.set_subject(HEADER_TEXT[lang])
    pdf.set_creator("scripts/knowledge/build_docs.py")
    pdf.set_lang("es-ES" if lang == "es" else "en-US")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=22)
    if unicode_ok:
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        family = "DejaVu"
    else:
        family = "Helvetica"
    pdf.alias_nb_pages()
    pdf.add_page()

    # small brand line on the first page
    pdf.set_font(family, "B", 9)
    pdf.set_text_color(0, 102, 153)
    pdf.cell(0, 6, t(HEADER_TEXT[lang].upper()), new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)

    width = pdf.w - pdf.l_margin - pdf.r_margin
    number = 0
    for block in blocks:
        if block.kind != "ol":
            number = 0
        if block.kind == "h1":
            pdf.set_font(family, "B", 20)
            pdf.multi_cell(width, 9, t(block.text), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(4)
        elif block.kind == "h2":
            pdf.ln(3)
            pdf.set_font(family, "B", 14)
            pdf.multi_cell(width, 7, t(block.text), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(1.5)
        elif block.kind == "h3":
            pdf.ln(1.5)
            pdf.set_font(family, "B", 12)
            pdf.multi_cell(width, 6, t(block.text), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(1)
        elif block.kind in ("ul", "ol"):
            pdf.set_font(family, "", 11)
            if block.kind == "ol":
                number += 1
                marker = f"{number}."
            else:
                marker = "•" if unicode_ok else "-"
            pdf.set_x(pdf.l_margin + 4)
            pdf.cell(7, 6, marker)
            pdf.multi_cell(width - 11, 6, t(block.text), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(0.8)
        else:
            pdf.set_font(family, "", 11)
            pdf.multi_cell(width, 6, t(block.text), new_x="LMARGIN", new_y="NEXT", align="L")
            pdf.ln(2.5)

    dest.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(dest))


# --------------------------------------------------------------------------- DOCX


def render_docx(blocks: list[Block], lang: str, dest: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    title = next((b.text for b in blocks if b.kind == "h1"), dest.stem)
    props = doc.core_properties
    props.title = plain(title)
    props.author = "Tiendalia Customer Experience"
    props.subject = HEADER_TEXT[lang]
    props.language = "es-ES" if lang == "es" else "en-US"
    props.keywords = dest.stem
    props.created = FIXED_DATE.replace(tzinfo=None)
    props.modified = FIXED_DATE.replace(tzinfo=None)
    props.last_modified_by = "build_docs.py"
    props.revision = 1

    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    section = doc.sections[0]
    section.header.paragraphs[0].text = HEADER_TEXT[lang]

    def add_runs(paragraph, text: str) -> None:
        for chunk, is_bold in split_bold(text):
            run = paragraph.add_run(chunk)
            run.bold = is_bold or None

    for block in blocks:
        if block.kind == "h1":
            doc.add_heading(plain(block.text), level=1)
        elif block.kind == "h2":
            doc.add_heading(plain(block.text), level=2)
        elif block.kind == "h3":
            doc.add_heading(plain(block.text), level=3)
        elif block.kind == "ul":
            add_runs(doc.add_paragraph(style="List Bullet"), block.text)
        elif block.kind == "ol":
            add_runs(doc.add_paragraph(style="List Number"), block.text)
        else:
            add_runs(doc.add_paragraph(), block.text)

    dest.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(dest))
    _pin_zip_timestamps(dest)


def _pin_zip_timestamps(path: Path) -> None:
    """Rewrite the .docx zip with fixed member timestamps (reproducible bytes)."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    stamp = FIXED_DATE.timetuple()[:6]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            new = zipfile.ZipInfo(info.filename, date_time=stamp)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = info.external_attr
            zout.writestr(new, data)


# --------------------------------------------------------------------------- checks


def extract_text(path: Path) -> str:
    if path.suffix == ".pdf":
        from pdfminer.high_level import extract_text as pdf_text

        return pdf_text(str(path))
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def page_count(path: Path) -> int:
    from pdfminer.pdfpage import PDFPage

    with path.open("rb") as fh:
        return sum(1 for _ in PDFPage.get_pages(fh))


# --------------------------------------------------------------------------- main


def build(only: list[str] | None = None) -> list[Path]:
    written = []
    for slug, (lang, fmt) in sorted(TARGETS.items()):
        if only and slug not in only:
            continue
        src = SOURCES / lang / f"{slug}.md"
        if not src.exists():
            raise SystemExit(f"missing source: {src}")
        blocks = parse_markdown(src.read_text(encoding="utf-8"))
        dest = OUT / lang / f"{slug}.{fmt}"
        if fmt == "pdf":
            render_pdf(blocks, lang, dest)
        elif fmt == "docx":
            render_docx(blocks, lang, dest)
        else:  # pragma: no cover - mapping typo
            raise SystemExit(f"unknown format {fmt!r} for {slug}")
        written.append(dest)
        print(f"wrote {dest.relative_to(ROOT)}")
    return written


def check() -> int:
    failures = 0
    for slug, (lang, fmt) in sorted(TARGETS.items()):
        path = OUT / lang / f"{slug}.{fmt}"
        if not path.exists():
            print(f"MISSING {path}")
            failures += 1
            continue
        text = extract_text(path)
        words = len(text.split())
        extra = f", {page_count(path)} pages" if fmt == "pdf" else ""
        status = "ok" if words >= 200 else "TOO SHORT"
        if status != "ok":
            failures += 1
        print(f"{status:9} {lang}/{slug}.{fmt}: {words} words{extra}")
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only verify extractable text")
    ap.add_argument("slugs", nargs="*", help="build only these slugs")
    args = ap.parse_args(argv)
    if not args.check:
        build(args.slugs or None)
    return 1 if check() else 0


if __name__ == "__main__":
    sys.exit(main())
