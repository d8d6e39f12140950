"""cxrag: a self-hostable, offline-first customer-experience assistant."""

from cxrag.offline import apply_offline_defaults

__version__ = "0.1.0"

# Must run before chromadb, onnxruntime, unstructured or ragas are imported anywhere:
# their telemetry is decided at import time (see docs/offline.md).
apply_offline_defaults()
