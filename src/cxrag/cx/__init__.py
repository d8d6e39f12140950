"""Customer-experience intelligence: triage, sentiment and frustration, escalation, routing."""

from __future__ import annotations

from cxrag.cx.policy import Policy, load_policy
from cxrag.cx.triage import Analysis, Signals, Triage
from cxrag.embed.base import Embedder
from cxrag.offline import default_cache_dir
from cxrag.settings import Settings

__all__ = ["Analysis", "Policy", "Signals", "Triage", "build_triage", "load_policy"]


def build_triage(settings: Settings, embedder: Embedder) -> Triage:
    """The Triage the settings describe: policy, the latest trained model (if any), sentiment."""
    from cxrag.cx.artefacts import latest_version, load, sync
    from cxrag.cx.sentiment import SentimentModel
    from cxrag.store.db import server_database

    policy = load_policy(settings.cx.policy_file)
    model_dir = settings.triage_dir
    with server_database(settings.database_url) as shared:
        if shared is not None:  # every replica's models are in the database: take the newest
            sync(shared, model_dir, settings.cx.model_version)
    model = None
    if settings.cx.model_version or latest_version(model_dir):
        model = load(model_dir, settings.cx.model_version, embedder_id=embedder.model_id)
    # fitted once per machine and embedding model (the key includes both), like the LLM cache
    sentiment = SentimentModel(embedder, default_cache_dir() / "sentiment")
    return Triage(policy, embedder, sentiment, model, settings.retrieval.languages)
