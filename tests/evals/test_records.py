"""Eval runs recorded in PostgreSQL (the server configuration): a run made on one machine is
listed, compared, gated and exported on another by its id; without PostgreSQL the commands
say where runs are instead."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cxrag.cli import app
from cxrag.cli.evals import _record
from cxrag.evals.metrics import aggregate
from cxrag.evals.runner import write_run
from tests.databases import temporary_postgres

runner = CliRunner()


def _run(facts: list[float], prompt_version: str) -> dict[str, Any]:
    cases = [{"id": f"c{i}", "category": "plain", "language": "es",
              "scores": {"facts": f, "handoff_correct": 1.0},
              "answer": "Escribe a ana@example.com"} for i, f in enumerate(facts)]
    return {"meta": {"suite": "fast", "prompt_version": prompt_version, "model": "m"},
            "metrics": aggregate(cases), "cases": cases}


def test_a_run_recorded_on_one_machine_is_compared_and_gated_on_another(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with temporary_postgres() as url:
        a = write_run(_run([0.2, 0.3, 0.25, 0.3] * 5, "v1"), tmp_path / "machine-a" / "run-v1")
        b = write_run(_run([0.6, 0.7, 0.65, 0.7] * 5, "v2"), tmp_path / "machine-a" / "run-v2")
        assert _record(url, "run-v1", a) and _record(url, "run-v2", b)
        assert not _record(None, "run-v1", a)  # the embedded default records nothing
        monkeypatch.chdir(tmp_path)  # "run-v1" is not a folder here: it is an id
        monkeypatch.setenv("CXRAG_DATABASE_URL", url)
        listed = runner.invoke(app, ["eval", "runs", "--json"])
        assert listed.exit_code == 0, listed.output
        runs = json.loads(listed.stdout)
        assert [r["id"] for r in runs] == ["run-v2", "run-v1"]  # newest first
        assert runs[0]["prompt_version"] == "v2" and runs[0]["overall"]["facts"] > 0.6
        compared = runner.invoke(app, ["eval", "compare", "run-v1", "run-v2", "--json"])
        assert compared.exit_code == 0, compared.output
        facts = next(m for m in json.loads(compared.stdout)["metrics"] if m["metric"] == "facts")
        assert facts["verdict"] == "better"
        thresholds = tmp_path / "t.yaml"
        thresholds.write_text("fast:\n  overall:\n    facts: 0.5\n")
        assert runner.invoke(app, ["eval", "gate", "run-v2", "--thresholds",
                                   str(thresholds)]).exit_code == 0
        assert runner.invoke(app, ["eval", "gate", "run-v1", "--thresholds",
                                   str(thresholds)]).exit_code == 1
        exported = runner.invoke(app, ["eval", "export", "run-v1", "--out",
                                       str(tmp_path / "machine-b")])
        assert exported.exit_code == 0, exported.output
        again = json.loads((tmp_path / "machine-b" / "run.json").read_text())
        assert again["meta"]["prompt_version"] == "v1" and len(again["cases"]) == 20
        assert "ana@example.com" not in json.dumps(again)  # recorded as written: masked
        assert (tmp_path / "machine-b" / "report.html").is_file()
        missing = runner.invoke(app, ["eval", "compare", "run-v1", "no-such-run"])
        assert missing.exit_code == 2
        assert "neither a folder, a run.json nor a run id" in " ".join(missing.stderr.split())


def test_without_postgresql_runs_are_folders(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CXRAG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CXRAG_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["eval", "runs"])
    assert result.exit_code == 2
    assert "data/eval-runs" in " ".join(result.stderr.split())
