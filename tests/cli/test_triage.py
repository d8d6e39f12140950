"""The training round-trip: `cxrag triage train` on labelled tickets, a versioned artefact with
its metrics, `cxrag triage predict` on new rows (a slice of banking77, real embeddings)."""

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxrag.cli import app
from cxrag.cx.artefacts import LATEST, MODEL, TriageModelNotFound, latest_version, load
from cxrag.errors import ConfigurationError
from tests.databases import temporary_postgres

BANKING = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "banking77"
LABELS = ["card_arrival", "lost_or_stolen_card", "exchange_rate", "top_up_failed",
          "cash_withdrawal_charge", "pin_blocked"]
runner = CliRunner()


def _slice(src: Path, dest: Path, per_label: int, column: str = "text") -> list[str]:
    """A CSV of ``per_label`` rows of each of LABELS; returns the labels in row order."""
    with src.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["category"] in LABELS]
    picked: list[dict[str, str]] = []
    for label in LABELS:
        picked += [r for r in rows if r["category"] == label][:per_label]
    with dest.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[column, "category"])
        writer.writeheader()
        writer.writerows({column: r["text"], "category": r["category"]} for r in picked)
    return [r["category"] for r in picked]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not BANKING.is_dir():
        pytest.skip("../shared/datasets/banking77 is not beside the project")
    folder = tmp_path_factory.mktemp("triage")
    _slice(BANKING / "train.csv", folder / "train.csv", 60, column="message")
    result = runner.invoke(app, ["triage", "train", str(folder / "train.csv"), "--text-column",
                                 "message", "--label-column", "category", "--model-dir",
                                 str(folder / "models")])
    assert result.exit_code == 0, result.output
    return folder


def test_training_writes_a_versioned_artefact_with_its_metrics(trained: Path) -> None:
    models = trained / "models"
    version = latest_version(models)
    assert version is not None and (models / version / "model.joblib").is_file()
    manifest = json.loads((models / version / "manifest.json").read_text())
    assert manifest["labels"] == sorted(LABELS)
    assert manifest["embedding_model"].startswith("use-multilingual")
    metrics = manifest["metrics"]
    assert metrics["examples"] == 360 and metrics["held_out"] == 36
    assert metrics["accuracy"] >= 0.8 and 0 < metrics["min_confidence"] <= 0.9
    assert manifest["source"]["text_columns"] == ["message"] and manifest["data_sha256"]


def test_predict_classifies_unseen_rows_with_the_latest_model(trained: Path) -> None:
    gold = _slice(BANKING / "test.csv", trained / "test.csv", 10)
    result = runner.invoke(app, ["triage", "predict", str(trained / "test.csv"),
                                 "--text-column", "text", "--model-dir",
                                 str(trained / "models"), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == len(gold) == 60
    assert set(rows[0]) >= {"category", "confidence", "priority", "language", "sentiment",
                            "frustration", "escalate", "queue", "out_of_scope"}
    right = sum(r["category"] == g for r, g in zip(rows, gold, strict=True))
    assert right / len(gold) >= 0.85
    assert all(r["classifier"].startswith("trained:") for r in rows)
    assert all((r["category"] is None) == r["out_of_scope"] for r in rows)
    assert all(r["language"] == "en" for r in rows)


def test_an_off_topic_row_is_out_of_scope_not_a_forced_guess(trained: Path) -> None:
    path = trained / "odd.csv"
    path.write_text("text\nEscribe un poema sobre el mar y las gaviotas\n")
    result = runner.invoke(app, ["triage", "predict", str(path), "--text-column", "text",
                                 "--model-dir", str(trained / "models"), "--json"])
    row = json.loads(result.stdout)[0]
    assert row["out_of_scope"] and row["category"] is None and row["escalate"]
    assert row["escalation_reason"] == "out_of_scope" and row["queue"] == "support-es"


def test_retraining_adds_a_version_and_moves_latest(trained: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    _slice(BANKING / "train.csv", tmp_path / "small.csv", 8)
    args = ["triage", "train", str(tmp_path / "small.csv"), "--text-column", "text",
            "--label-column", "category", "--model-dir", str(models)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and "too little data" not in first.output
    v1 = latest_version(models)
    (tmp_path / "small.csv").write_text((tmp_path / "small.csv").read_text() + "extra row,"
                                        "card_arrival\n")
    assert runner.invoke(app, args).exit_code == 0
    v2 = latest_version(models)
    assert v1 != v2 and {p.name for p in models.iterdir()} >= {v1, v2, LATEST}
    assert load(models, v1).version == v1  # old versions stay loadable


def test_a_model_trained_on_one_host_reaches_a_replica_through_postgresql(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server configuration: training publishes the version to the database; a replica
    whose model folder is empty (a new pod) copies it when it builds its triage."""
    if not BANKING.is_dir():
        pytest.skip("../shared/datasets/banking77 is not beside the project")
    with temporary_postgres() as url:
        monkeypatch.setenv("CXRAG_DATABASE_URL", url)
        _slice(BANKING / "train.csv", tmp_path / "small.csv", 10)
        trainer, replica = tmp_path / "trainer", tmp_path / "replica"
        result = runner.invoke(app, ["triage", "train", str(tmp_path / "small.csv"),
                                     "--text-column", "text", "--label-column", "category",
                                     "--model-dir", str(trainer)])
        assert result.exit_code == 0, result.output
        version = latest_version(trainer)
        (tmp_path / "new.csv").write_text("text\nMy new card still has not arrived\n")
        result = runner.invoke(app, ["triage", "predict", str(tmp_path / "new.csv"),
                                     "--text-column", "text", "--model-dir", str(replica),
                                     "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)[0]["classifier"] == f"trained:{version}"
        assert latest_version(replica) == version
        assert (replica / version / MODEL).read_bytes() == (trainer / version / MODEL).read_bytes()
        # Without the database the replica's folder has nothing: the model came from there.
        monkeypatch.delenv("CXRAG_DATABASE_URL")
        assert runner.invoke(app, ["triage", "predict", str(tmp_path / "new.csv"),
                                   "--text-column", "text", "--model-dir",
                                   str(tmp_path / "alone"), "--json"]).stdout.count(
            '"zero-shot"') == 1


def test_a_missing_column_is_a_clear_error(trained: Path) -> None:
    result = runner.invoke(app, ["triage", "train", str(trained / "train.csv"),
                                 "--text-column", "body", "--label-column", "category",
                                 "--model-dir", str(trained / "other")])
    assert result.exit_code == 2
    output = " ".join(result.output.split())
    assert "no column 'body'" in output and "its columns are: message, category" in output


def test_loading_checks_the_embedding_model(trained: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="retrain"):
        load(trained / "models", embedder_id="minilm-en")
    with pytest.raises(TriageModelNotFound, match="cxrag triage train"):
        load(tmp_path / "nothing")


def test_training_again_on_the_same_data_is_a_no_op(trained: Path) -> None:
    models = trained / "models"
    before = sorted(p.name for p in models.iterdir())
    args = ["triage", "train", str(trained / "train.csv"), "--text-column", "message",
            "--label-column", "category", "--model-dir", str(models)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "trained on this data already" in result.output
    assert sorted(p.name for p in models.iterdir()) == before


def test_training_on_a_helpdesk_export(tmp_path: Path) -> None:
    """The sample's own tickets (CSV and JSONL, threads as JSON lists of messages): subject
    and the customer's messages as the text, the helpdesk category as the label."""
    tickets = sorted((Path(__file__).resolve().parents[2] / "knowledge" / "tickets").iterdir())
    models = tmp_path / "models"
    result = runner.invoke(app, ["triage", "train", *map(str, tickets), "--text-column",
                                 "subject", "--text-column", "messages", "--label-column",
                                 "category", "--model-dir", str(models)])
    assert result.exit_code == 0, result.output
    version = latest_version(models)
    assert version is not None
    manifest = json.loads((models / version / "manifest.json").read_text())
    assert manifest["metrics"]["examples"] >= 150 and manifest["metrics"]["accuracy"] >= 0.75
    csv_export = next(t for t in tickets if t.suffix == ".csv")
    result = runner.invoke(app, ["triage", "predict", str(csv_export), "--text-column",
                                 "subject", "--text-column", "messages", "--model-dir",
                                 str(models), "--json"])
    rows = json.loads(result.stdout)
    with csv_export.open(encoding="utf-8") as fh:
        gold = [r["category"] for r in csv.DictReader(fh)]
    right = sum(r["category"] == g for r, g in zip(rows, gold, strict=True))
    assert right / len(gold) >= 0.9  # seen in training: a sanity check of the round trip


def test_a_thread_cell_gives_the_customers_words() -> None:
    from cxrag.cli.triage import cell_text, row_text

    thread = json.dumps([{"author": "customer", "body": "Hola, no llega."},
                         {"author": "agent", "body": "Lo miro."},
                         {"author": "customer", "body": "Gracias"}])
    assert cell_text(thread) == "Hola, no llega. Gracias"
    assert cell_text("[not json") == "[not json"
    assert row_text({"s": "Pedido", "m": thread}, ["s", "m"]) == "Pedido. Hola, no llega. Gracias"


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize(("content", "args", "message"), [
    (b"text,category\nhello,a\n", ["--text-column", "body"],
     "has no column 'body'; its columns are: text, category"),
    (b"text,category\nhello,a\n,b\nbye,\n", ["--text-column", "text"],
     "fewer than two labelled rows"),
    (b"text,category\n\xff\xfe,a\n", ["--text-column", "text"], "cannot be read as .csv"),
])
def test_bad_training_data_exits_2_before_loading_a_model(
        tmp_path: Path, content: bytes, args: list[str], message: str) -> None:
    path = tmp_path / "labelled.csv"
    path.write_bytes(content)
    result = runner.invoke(app, ["triage", "train", str(path), *args, "--label-column",
                                 "category", "--model-dir", str(tmp_path / "models")])
    assert result.exit_code == 2
    assert "error (invalid_request): " in result.stderr
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "models").exists()


@pytest.mark.usefixtures("cli_env")  # in tmp_path: a short path, the message is not wrapped
def test_predict_of_a_missing_file_is_a_usage_error() -> None:
    result = runner.invoke(app, ["triage", "predict", "none.csv", "--text-column", "text"])
    assert result.exit_code == 2
    assert "file 'none.csv' does not exist" in " ".join(result.stderr.split())
