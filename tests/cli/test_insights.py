"""``cxrag insights``: import exports, then a table, JSON or the HTML report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxrag.cli import app
from tests.conftest import FakeEmbedder
from tests.insights.conftest import TICKETS, ticket_rows


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("CXRAG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CXRAG_TENANT", "acme")
    monkeypatch.setattr("cxrag.embed.build_embedder", lambda settings: FakeEmbedder())


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_html_report_after_importing_the_exports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["insights", "--import", str(TICKETS), "--html", str(out),
                                      "--bucket", "month"])
    assert result.exit_code == 0, result.output
    html = out / "index.html"
    assert html.is_file() and str(html) in _flat(result.stdout)
    assert f"imported {len(ticket_rows())} tickets" in _flat(result.output)
    assert html.read_text(encoding="utf-8").count("<svg") >= 5

    again = CliRunner().invoke(app, ["insights", "--json", "--no-clusters", "--since",
                                     "2026-07-01"])
    assert again.exit_code == 0, again.output
    body = json.loads(again.stdout)
    q3 = [r for r in ticket_rows() if str(r["created_at"]) >= "2026-07"]
    assert body["volume"]["total"] == len(q3)  # the import persisted, counted once
    assert body["gaps"]["note"] == "no embedder configured"

    table = CliRunner().invoke(app, ["insights"])
    assert table.exit_code == 0, table.output
    assert "churn risk" in table.stdout and "C0001" in table.stdout


def test_an_empty_store_says_how_to_import() -> None:
    result = CliRunner().invoke(app, ["insights", "--no-clusters"])
    assert result.exit_code == 0, result.output
    assert "no tickets for tenant 'acme'" in _flat(result.output)
    assert "--import knowledge/tickets" in _flat(result.output)


def test_bad_options_exit_2() -> None:
    result = CliRunner().invoke(app, ["insights", "--bucket", "year", "--no-clusters"])
    assert result.exit_code == 2 and "bucket must be day, week or month" in _flat(result.output)
