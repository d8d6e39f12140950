"""``cxrag ingest`` and ``cxrag search``: their output and exit codes (0 indexed, 1 some files
failed, 2 an error such as a bad name), with the fake embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxrag.cli import app
from tests.cli.conftest import flat

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_env")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two good documents."""
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "returns.md").write_text("# Returns\n\nYou have 30 days to return an order.\n",
                                   encoding="utf-8")
    (kb / "gift-cards.txt").write_text("Gift cards\n\nGift cards never expire.\n",
                                       encoding="utf-8")
    return kb


def test_ingest_of_good_files_exits_0_then_search_finds_them(folder: Path) -> None:
    result = runner.invoke(app, ["ingest", str(folder), "-c", "docs"])
    assert result.exit_code == 0, result.output
    assert "collection now │ 2 documents" in flat(result.stderr)
    found = runner.invoke(app, ["search", "return an order", "-c", "docs", "--json"])
    assert found.exit_code == 0, found.output
    body = json.loads(found.stdout)
    assert body["query"] == "return an order" and body["results"]
    assert body["results"][0]["document_id"] == "returns"
    table = runner.invoke(app, ["search", "gift cards expire", "-c", "docs", "-k", "1"])
    assert table.exit_code == 0, table.output
    assert table.stdout.startswith("1. Gift cards") and "1 results in" in table.stderr


def test_a_corrupt_file_is_reported_and_the_rest_indexed_exit_1(folder: Path) -> None:
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip archive")
    result = runner.invoke(app, ["ingest", str(folder), "-c", "docs"])
    assert result.exit_code == 1, result.output
    err = flat(result.stderr)
    assert "failed │ 1" in err and "collection now │ 2 documents" in err
    assert "failed" in err.split("└")[-1] and "broken.docx" in err.split("└")[-1]
    again = runner.invoke(app, ["ingest", str(folder), "-c", "docs", "--json"])
    assert again.exit_code == 1, again.output
    report = json.loads(again.stdout)
    assert report["unchanged"] == 2 and report["failed"] == 1
    assert [(f["source"], f["code"]) for f in report["failures"]] == [
        (str(folder / "broken.docx"), "parse_error")]


def test_a_missing_path_is_a_failed_file_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["ingest", str(tmp_path / "nowhere"), "-c", "docs", "--json"])
    assert result.exit_code == 1, result.output
    failures = json.loads(result.stdout)["failures"]
    assert failures == [{"source": str(tmp_path / "nowhere"),
                         "reason": "no such file or directory", "code": "not_found"}]


def test_ingest_into_an_invalid_tenant_exits_2_and_writes_nothing(folder: Path,
                                                                  cli_env: Path) -> None:
    result = runner.invoke(app, ["ingest", str(folder), "--tenant", "X"])
    assert result.exit_code == 2
    assert "error (invalid_name): tenant name 'X' is invalid" in flat(result.stderr)
    assert not (cli_env / "collections").exists()


def test_search_of_an_invalid_collection_name_exits_2() -> None:
    result = runner.invoke(app, ["search", "refund", "-c", "Bad Name!"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "error (invalid_name): collection name 'Bad Name!' is invalid" in flat(result.stderr)


def test_search_of_a_collection_never_ingested_finds_nothing_exit_0() -> None:
    result = runner.invoke(app, ["search", "refund", "-c", "nothing-here", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["results"] == []
    table = runner.invoke(app, ["search", "refund", "-c", "nothing-here"])
    assert table.exit_code == 0 and table.stdout == ""
    assert "0 results in" in table.stderr


def test_a_bad_option_value_is_a_usage_error() -> None:
    result = runner.invoke(app, ["search", "refund", "-k", "many"])
    assert result.exit_code == 2 and "Invalid value for '-k'" in flat(result.stderr)
