"""``cxrag import-customers`` and ``cxrag import-tickets``: 0 when loaded, 2 on a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxrag.cli import app
from tests.cli.conftest import flat
from tests.insights.conftest import CUSTOMERS, TICKETS, ticket_rows

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_env")


def test_import_customers_loads_the_sample_and_is_idempotent() -> None:
    customers = json.loads(CUSTOMERS.read_text(encoding="utf-8"))
    first = runner.invoke(app, ["import-customers", str(CUSTOMERS)])
    assert first.exit_code == 0, first.output
    assert f"customers={len(customers)}" in flat(first.stderr)
    again = runner.invoke(app, ["import-customers", str(CUSTOMERS)])
    assert again.exit_code == 0 and flat(again.stderr) == flat(first.stderr)


def test_import_customers_of_a_malformed_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "customers.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["import-customers", str(tmp_path / "customers.json")])
    assert result.exit_code == 2
    assert "error (parse_error): " in flat(result.stderr)
    assert "cannot read customers" in flat(result.stderr)


def test_import_tickets_counts_the_tickets() -> None:
    result = runner.invoke(app, ["import-tickets", str(TICKETS)])
    assert result.exit_code == 0, result.output
    assert f"imported {len(ticket_rows())} tickets" in flat(result.stderr)


def test_import_tickets_of_something_else_exits_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an export", encoding="utf-8")
    result = runner.invoke(app, ["import-tickets", str(tmp_path / "notes.txt")])
    assert result.exit_code == 2
    assert "error (invalid_request): " in flat(result.stderr)
    assert "not a .jsonl/.csv ticket export or a folder" in flat(result.stderr)
