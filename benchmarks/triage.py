"""Triage figures for docs/benchmarks.md: banking77, clinc150 (with out-of-scope), latency.

    .venv/bin/python benchmarks/triage.py [--skip-clinc] [--latency-n 300]

- banking77: train on train.csv (10,003), test on test.csv (3,080): accuracy and macro-F1,
  beside each learner alone (the SVM on embedding + TF-IDF, the MLP on the embedding).
- clinc150 (data_full.json): train on the 150 in-scope intents (15,000), choose the
  out-of-scope threshold on the validation split, report on the test split: in-scope accuracy
  (a rejected in-scope query counts as wrong) and out-of-scope recall (sent to a person), at
  the stated share of in-scope validation queries rejected; plus a sweep.
- latency: one message at a time through ``Triage.analyse`` (embedding, category, sentiment,
  frustration, escalation, routing), with the banking77 model, p50/p95 in ms.
Everything in one process, one run; results in bench-out/triage.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED, pct, save  # noqa: E402


def _csv(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def banking77(embedder: object) -> tuple[dict[str, object], object]:
    from sklearn.metrics import f1_score

    from cxrag.cx.classifier import TextClassifier, softmax

    train_x, train_y = _csv(SHARED / "banking77" / "train.csv")
    test_x, test_y = _csv(SHARED / "banking77" / "test.csv")
    clf = TextClassifier()
    began = time.perf_counter()
    report = clf.fit(train_x, train_y, embedder)  # type: ignore[arg-type]
    train_s = time.perf_counter() - began
    vectors = embedder.embed_documents(test_x).astype(np.float64)  # type: ignore[attr-defined]
    pred = [p.label for p in clf.predict(test_x, vectors)]
    result: dict[str, object] = {
        "train_examples": len(train_x), "test_examples": len(test_x),
        "accuracy": round(float(np.mean([p == g for p, g in zip(pred, test_y, strict=True)])), 4),
        "macro_f1": round(float(f1_score(test_y, pred, average="macro")), 4),
        "held_out_accuracy_during_training": report.accuracy,
        "train_seconds": round(train_s, 1),
    }
    # each learner alone, from the same fitted parts
    from scipy import sparse

    from cxrag.cx.classifier import EMBED_SCALE_MLP, EMBED_SCALE_SVM
    feats = sparse.hstack([sparse.csr_matrix(vectors * EMBED_SCALE_SVM),
                           clf._word.transform(test_x), clf._char.transform(test_x)]).tocsr()
    svm = clf._svm.predict(feats)
    mlp = clf._mlp.predict(vectors * EMBED_SCALE_MLP)
    result["svm_alone_accuracy"] = round(float(np.mean(svm == np.array(test_y))), 4)
    result["mlp_alone_accuracy"] = round(float(np.mean(mlp == np.array(test_y))), 4)
    probs = softmax(clf.scores(test_x, vectors), clf.temperature)
    result["mean_confidence"] = round(float(probs.max(axis=1).mean()), 4)
    return result, clf


def clinc150(embedder: object) -> dict[str, object]:
    from cxrag.cx.classifier import TextClassifier, softmax

    data = json.loads((SHARED / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    train_x, train_y = zip(*data["train"], strict=True)
    clf = TextClassifier()
    began = time.perf_counter()
    clf.fit(list(train_x), list(train_y), embedder)  # type: ignore[arg-type]
    train_s = time.perf_counter() - began

    def signals(rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        texts = [r[0] for r in rows]
        vecs = embedder.embed_documents(texts).astype(np.float64)  # type: ignore[attr-defined]
        probs = softmax(clf.scores(texts, vecs), clf.temperature)
        return (probs.max(axis=1), clf.similarity(vecs),
                [clf.labels[i] for i in probs.argmax(axis=1)])

    val_conf, val_sim, _ = signals(data["val"])
    oos_val_conf, oos_val_sim, _ = signals(data["oos_val"])
    test_conf, test_sim, test_pred = signals(data["test"])
    oos_conf, oos_sim, _ = signals(data["oos_test"])
    gold = [r[1] for r in data["test"]]
    correct = np.array([p == g for p, g in zip(test_pred, gold, strict=True)])

    def at(conf_t: float, sim_t: float) -> dict[str, float]:
        kept = (test_conf >= conf_t) & (test_sim >= sim_t)
        return {"min_confidence": round(conf_t, 4), "min_similarity": round(sim_t, 4),
                "in_scope_accuracy": round(float(np.mean(correct & kept)), 4),
                "in_scope_rejected": round(float(np.mean(~kept)), 4),
                "oos_recall": round(float(np.mean((oos_conf < conf_t) | (oos_sim < sim_t))), 4),
                "val_in_scope_rejected": round(float(np.mean(
                    (val_conf < conf_t) | (val_sim < sim_t))), 4),
                "val_oos_recall": round(float(np.mean(
                    (oos_val_conf < conf_t) | (oos_val_sim < sim_t))), 4)}

    def share(q: float) -> dict[str, float]:  # each test rejects half of q of validation
        return at(float(np.quantile(val_conf, q / 2)), float(np.quantile(val_sim, q / 2)))

    return {"train_examples": len(train_x), "test_in_scope": len(gold),
            "test_oos": len(data["oos_test"]), "train_seconds": round(train_s, 1),
            "accuracy_without_rejection": round(float(correct.mean()), 4),
            "stated_5pct_of_validation": share(0.05),
            "sweep": {f"{q:.2f}": share(q) for q in (0.02, 0.05, 0.10, 0.15)},
            "confidence_only_5pct": at(float(np.quantile(val_conf, 0.05)), -1.0),
            "similarity_only_5pct": at(0.0, float(np.quantile(val_sim, 0.05))),
            "thresholds_from_training": at(clf.min_confidence, clf.min_similarity)}


def zero_shot(embedder: object) -> dict[str, object]:
    """The policy's zero-shot categories on the sample tickets (first customer message)."""
    from cxrag.cx import load_policy
    from cxrag.cx.zeroshot import ZeroShotClassifier
    from cxrag.store.imports import read_ticket_rows

    root = Path(__file__).resolve().parents[1] / "knowledge" / "tickets"
    texts, gold = [], []
    for path in sorted(root.glob("*.*")):
        for row in read_ticket_rows(path):
            messages = row["messages"]
            messages = json.loads(messages) if isinstance(messages, str) else messages
            first = next((m["body"] for m in messages if m["author"] == "customer"), "")
            texts.append(f"{row['subject']}. {first}")
            gold.append(row["category"])
    policy = load_policy()
    clf = ZeroShotClassifier(policy, embedder)  # type: ignore[arg-type]
    results = clf.predict(embedder.embed_documents(texts))  # type: ignore[attr-defined]
    right = [p.label == g for p, g in zip(results, gold, strict=True)]
    sims = np.array([p.similarity for p in results])
    kept = sims >= policy.zero_shot.min_similarity
    return {"tickets": len(texts), "categories": len(set(gold)),
            "accuracy": round(float(np.mean(right)), 4),
            "kept_by_min_similarity": round(float(kept.mean()), 4),
            "accuracy_of_kept": round(float(np.mean(np.array(right)[kept])), 4),
            "similarity_median": round(float(np.median(sims)), 4)}


def sample_tickets_cv(embedder: object) -> dict[str, object]:
    """5-fold cross-validation of a model trained on the sample's own tickets (subject and
    the customer's messages), beside the zero-shot figure above."""
    from sklearn.model_selection import StratifiedKFold

    from cxrag.cli.triage import read_rows, row_text
    from cxrag.cx.classifier import TextClassifier

    root = Path(__file__).resolve().parents[1] / "knowledge" / "tickets"
    rows = [r for path in sorted(root.glob("*.*"))
            for r in read_rows(path, ["subject", "messages", "category"])]
    texts = np.array([row_text(r, ["subject", "messages"]) for r in rows])
    gold = np.array([r["category"] for r in rows])
    folds = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, gold):
        clf = TextClassifier()
        clf.fit(list(texts[train]), list(gold[train]), embedder)  # type: ignore[arg-type]
        vecs = embedder.embed_documents(list(texts[test])).astype(np.float64)  # type: ignore[attr-defined]
        pred = [p.label for p in clf.predict(list(texts[test]), vecs)]
        folds.append(float(np.mean(np.array(pred) == gold[test])))
    return {"tickets": len(texts), "fold_accuracy": [round(f, 3) for f in folds],
            "mean_accuracy": round(float(np.mean(folds)), 4)}


def latency(embedder: object, clf: object, n: int) -> dict[str, object]:
    import cxrag.cx.artefacts as artefacts
    from cxrag.cx import Signals, Triage, load_policy
    from cxrag.cx.sentiment import SentimentModel

    test_x, _ = _csv(SHARED / "banking77" / "test.csv")
    model = artefacts.Artefact("bench", Path("."), clf, {})  # type: ignore[arg-type]
    triage = Triage(load_policy(), embedder, SentimentModel(embedder), model)  # type: ignore[arg-type]
    triage.analyse("warm up, please")
    times = []
    for text in test_x[:n]:
        began = time.perf_counter()
        triage.analyse(text, Signals(tier="standard"))
        times.append((time.perf_counter() - began) * 1000)
    return {"messages": len(times), "p50_ms": round(pct(times, 50), 2),
            "p95_ms": round(pct(times, 95), 2), "mean_ms": round(statistics.fmean(times), 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-clinc", action="store_true")
    ap.add_argument("--latency-n", type=int, default=300)
    args = ap.parse_args()

    import cxrag  # noqa: F401  (offline defaults first)
    from cxrag.embed.onnx import UseMultilingualEmbedder

    embedder = UseMultilingualEmbedder(batch_size=64)
    result: dict[str, object] = {}
    result["banking77"], clf = banking77(embedder)
    print("banking77", result["banking77"], flush=True)
    result["zero_shot_sample_tickets"] = zero_shot(embedder)
    print("zero-shot", result["zero_shot_sample_tickets"], flush=True)
    result["sample_tickets_trained_cv"] = sample_tickets_cv(embedder)
    print("sample tickets, trained (5-fold)", result["sample_tickets_trained_cv"], flush=True)
    result["latency"] = latency(embedder, clf, args.latency_n)
    print("latency", result["latency"], flush=True)
    if not args.skip_clinc:
        result["clinc150"] = clinc150(embedder)
        print("clinc150", json.dumps(result["clinc150"], indent=1), flush=True)
    print("->", save("triage", result))


if __name__ == "__main__":
    main()
