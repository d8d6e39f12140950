"""The ``cxrag`` app as a whole: its commands, usage errors, the shared error exit, and what
importing it costs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from cxrag.cli import app
from cxrag.cli.common import ERROR_EXIT, fail
from cxrag.errors import CustomerNotFound
from tests.cli.conftest import flat

SRC = Path(__file__).resolve().parents[2] / "src" / "cxrag"
runner = CliRunner()


def test_help_lists_every_command_then_every_group_in_order() -> None:
    group = typer.main.get_group(app)
    assert group.list_commands(click.Context(group)) == [
        "ingest", "search", "ask", "import-customers", "import-tickets", "serve", "model-server",
        "worker", "job", "insights", "eval", "triage", "privacy"]
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "offline customer-experience assistant" in result.stdout


def test_workers_and_queued_ingest_need_postgresql(cli_env: Path) -> None:
    for args in (["worker"], ["ingest", "--enqueue", str(cli_env)], ["job", "some-id"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "PostgreSQL" in flat(result.output), (args, result.output)


def test_the_model_server_needs_the_key_replicas_send(cli_env: Path) -> None:
    result = runner.invoke(app, ["model-server"])
    assert result.exit_code == 2 and "CXRAG_LLM__API_KEY" in flat(result.output)


@pytest.mark.parametrize(("group", "commands"), [
    ("eval", ["retrieval", "run", "compare", "gate"]),
    ("triage", ["train", "predict"]),
    ("privacy", ["forget", "purge"]),
])
def test_each_group_has_its_commands(group: str, commands: list[str]) -> None:
    result = runner.invoke(app, [group, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for command in commands:
        assert f"│ {command} " in result.stdout


def test_an_unknown_command_is_a_usage_error() -> None:
    result = runner.invoke(app, ["nope"])
    assert result.exit_code == 2
    assert "No such command 'nope'" in flat(result.stderr)


def test_fail_prints_the_code_and_detail_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exit_info:
        fail(CustomerNotFound("no customer 'C9'"))
    assert exit_info.value.exit_code == ERROR_EXIT == 2
    assert "error (customer_not_found): no customer 'C9'" in flat(capsys.readouterr().err)


def test_nothing_outside_the_cli_imports_it() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.is_relative_to(SRC / "cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:  # ``from cxrag import cli``
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            if any(n == "cxrag.cli" or n.startswith("cxrag.cli.") for n in names):
                offenders.append(str(path.relative_to(SRC)))
    assert offenders == []


def test_importing_the_cli_loads_no_command_dependencies() -> None:
    """``cxrag --help`` stays fast: every command imports its dependencies when it runs."""
    heavy = ["cxrag.knowledge", "cxrag.index", "cxrag.ingest", "cxrag.store", "cxrag.api",
             "cxrag.reply", "cxrag.embed", "cxrag.generate", "cxrag.evals", "cxrag.cx",
             "cxrag.insights", "chromadb", "onnxruntime", "sqlalchemy", "uvicorn", "fastapi",
             "numpy", "tantivy"]
    code = ("import sys, cxrag.cli; "
            f"print(' '.join(m for m in {heavy!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert loaded == []
