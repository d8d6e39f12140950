"""The shipped embedders' speed on exactly what ingest embeds (titles and chunks of a
knowledge base nobody here wrote), alternating, with nothing else on the CPU: what a second
dense leg would cost at ingest (issue 15).

    .venv/bin/python benchmarks/embedder_speed.py [--kb DIR] [--files 60] [--rounds 3]

Reported per model: texts/s per round and the median, and each model's median against the
multilingual default's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED, HostSteal, save  # noqa: E402
from ingest_throughput import _texts  # noqa: E402

from cxrag.embed.onnx import MiniLmEnglishEmbedder, UseMultilingualEmbedder  # noqa: E402
from cxrag.ingest.sources import discover  # noqa: E402
from cxrag.knowledge import Knowledge  # noqa: E402
from cxrag.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, default=SHARED / "stackfaq" / "kb")
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    files = sorted(discover(args.kb), key=lambda s: s.path)[:args.files]
    with tempfile.TemporaryDirectory() as tmp:
        models = {"use-multilingual": UseMultilingualEmbedder(),
                  "minilm-en": MiniLmEnglishEmbedder()}
        knowledge = Knowledge(Settings(data_dir=Path(tmp)), embedder=models["use-multilingual"])
        texts = _texts(knowledge, files)
        knowledge.close()
    for model in models.values():
        model.embed_documents(texts[:16])  # warm
    speeds: dict[str, list[float]] = {name: [] for name in models}
    with HostSteal() as steal:
        for _ in range(args.rounds):
            for name, model in models.items():
                began = time.perf_counter()
                model.embed_documents(texts)
                speeds[name].append(len(texts) / (time.perf_counter() - began))
    base = statistics.median(speeds["use-multilingual"])
    summary = {name: {"texts_per_s": [round(v, 1) for v in values],
                      "median": round(statistics.median(values), 1),
                      "vs_default": round(statistics.median(values) / base, 3)}
               for name, values in speeds.items()}
    print(f"{len(texts)} texts (titles and chunks of {len(files)} files of {args.kb})")
    for name, row in summary.items():
        print(f"{name:>17}: {row['texts_per_s']} texts/s, median {row['median']} "
              f"({row['vs_default']}x the default)")
    print(f"host steal {steal.share:.1%}")
    path = save("embedder_speed", {"kb": str(args.kb), "texts": len(texts), "summary": summary,
                                   "host_steal": round(steal.share, 4)})
    print(f"written {path}")


if __name__ == "__main__":
    main()
