"""Size limits: an oversized file or document is a failure, never a slow parse."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cxrag.ingest import pipeline
from cxrag.ingest.models import Document, IngestReport, SourceFile
from cxrag.knowledge import Knowledge
from cxrag.settings import IngestSettings, Settings
from tests.conftest import FakeEmbedder, write_docx


@pytest.fixture
def limited(settings: Settings, fake_embedder: FakeEmbedder) -> Iterator[Knowledge]:
    """A collection that takes files up to 64 KB and documents up to 1,000 characters."""
    ingest = IngestSettings(max_file_mb=1 / 16, max_text_chars=1000)
    k = Knowledge(settings.model_copy(update={"ingest": ingest}), embedder=fake_embedder)
    yield k
    k.close()


def _failed(report: IngestReport) -> dict[str, str]:
    return {Path(f.source).name: f.code for f in report.failures}


def test_a_file_over_max_file_mb_is_not_parsed(limited: Knowledge, sample_kb: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (sample_kb / "en" / "huge.txt").write_text("Huge manual\n\n" + "word " * 20_000)
    parsed: list[str] = []
    real = pipeline.load_file  # type: ignore[attr-defined]

    def spy(source: SourceFile, *args: Any) -> Document:
        parsed.append(source.path.name)
        return real(source, *args)

    monkeypatch.setattr(pipeline, "load_file", spy)
    report = limited.get().ingestor.run([sample_kb])
    assert _failed(report) == {"huge.txt": "document_too_large"}
    assert "max_file_mb" in report.failures[0].reason
    assert "huge.txt" not in parsed
    assert report.added == 5 and limited.get().catalog.stats()["documents"] == 5


def test_an_export_over_max_file_mb_is_not_parsed(limited: Knowledge, tmp_path: Path) -> None:
    export = tmp_path / "tickets" / "big.csv"
    export.parent.mkdir()
    export.write_text("id,status,resolution\n" + "TK-1,open,\n" * 8000)
    report = limited.get().ingestor.run([export.parent])
    assert _failed(report) == {"big.csv": "document_too_large"}


def test_text_over_max_text_chars_is_refused(limited: Knowledge, sample_kb: Path) -> None:
    long_text = " ".join(f"sentence {i} about gift cards." for i in range(300))  # > 1,000
    (sample_kb / "en" / "long.md").write_text(f"# Long\n\n{long_text}\n")
    write_docx(sample_kb / "en" / "long.docx", "Long", [("Part", long_text)])
    report = limited.get().ingestor.run([sample_kb])
    assert _failed(report) == {"long.md": "document_too_large",
                               "long.docx": "document_too_large"}
    assert all("max_text_chars" in f.reason for f in report.failures)
    assert report.added == 5
    ids = {h.document_id for h in limited.get().retriever.search("sentence gift cards", k=10).hits}
    assert not ids & {"en/long"}
