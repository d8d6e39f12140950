"""``cxrag eval``: the errors that end a command before any model starts (exit code 2).

The gate's exit codes 0 and 1 are tested in tests/evals/test_analysis.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxrag.cli import app
from tests.cli.conftest import flat

runner = CliRunner()
pytestmark = pytest.mark.usefixtures("cli_env")


def test_an_unknown_judge_exits_2_before_starting_anything(cli_env: Path) -> None:
    result = runner.invoke(app, ["eval", "run", "fast", "--judge", "bogus"])
    assert result.exit_code == 2
    assert "error: --judge is off, embedded or remote" in flat(result.stderr)
    assert not cli_env.exists()  # nothing indexed, no run folder


@pytest.mark.parametrize("args", [["gate", "no-run"], ["compare", "no-run", "other-run"]])
def test_a_missing_run_exits_2(args: list[str]) -> None:
    result = runner.invoke(app, ["eval", *args])
    assert result.exit_code == 2
    assert "error (invalid_request): no eval run at no-run" in flat(result.stderr)


def test_a_file_that_is_not_a_run_exits_2(tmp_path: Path) -> None:
    (tmp_path / "run.json").write_text('{"meta": {}}', encoding="utf-8")
    result = runner.invoke(app, ["eval", "gate", str(tmp_path)])
    assert result.exit_code == 2
    assert "is not a run.json (no meta/cases)" in flat(result.stderr)
