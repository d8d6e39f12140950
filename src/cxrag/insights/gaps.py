"""Knowledge gaps and emerging topics: clusters of the questions a person had to take.

The questions are the customer turns the assistant answered without grounding or handed off,
and every ticket (its subject and the customer's first words). They are embedded with the
project's embedder and grouped by average-linkage agglomerative clustering on cosine distance,
cut at ``threshold``; a topic is a group of at least ``min_size``. A topic is emerging when it
had more questions in the recent period than in the one before (and at least two).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from cxrag.embed.base import Embedder
from cxrag.insights.contacts import handoff_of
from cxrag.insights.models import GapCluster, GapExample, Gaps, Outcome, Window
from cxrag.insights.terms import distinctive, terms
from cxrag.store.analytics import Activity, Thread
from cxrag.store.records import MessageRecord

THRESHOLD = 0.5  # cosine distance; tuned on knowledge/tickets with use-multilingual
MAX_QUESTIONS = 3000  # the latest ones; linkage holds n^2/2 distances
EXAMPLES = 3
OPENING = 300  # characters of a ticket's first message that join its subject


@dataclass(frozen=True)
class Question:
    """A customer question that needed a person."""

    text: str
    title: str  # what labels the topic: a ticket's subject, a question's text
    source: str
    ref: str
    at: datetime
    outcome: Outcome


def _clip(text: str, limit: int = 240) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _outcome(message: MessageRecord) -> Outcome | None:
    """What a reply (or a system turn) left the customer with, if not a grounded answer."""
    if handoff_of(message) is not None:
        return "handoff"
    grounded = message.meta.get("grounded")
    return "ungrounded" if message.role == "assistant" and grounded is False else None


def thread_questions(thread: Thread) -> list[Question]:
    """The customer turns of a conversation that got no grounded answer; a handoff with no
    question pending (a "talk to a person" button) takes the customer's last turn."""
    found: list[Question] = []
    asked: MessageRecord | None = None
    last: MessageRecord | None = None
    conv = thread.conversation
    for m in thread.messages:
        if m.role == "user":
            asked = last = m
            continue
        outcome = _outcome(m)
        question = asked or (last if outcome == "handoff" else None)
        if outcome is not None and question is not None and \
                all(q.at != question.at or q.text != question.text for q in found):
            found.append(Question(question.text, question.text, "conversation", conv.id,
                                  question.at, outcome))
        asked = None
    if asked is not None and conv.status == "handoff":
        found.append(Question(asked.text, asked.text, "conversation", conv.id, asked.at,
                              "handoff"))
    return found


def questions(activity: Activity) -> list[Question]:
    """Every question of the window that needed a person, oldest first."""
    found = [q for t in activity.threads for q in thread_questions(t)]
    for t in activity.tickets:
        assert t.created_at is not None
        opening = (t.customer_text or "").split("\n", 1)[0][:OPENING]
        text = f"{t.subject}. {opening}" if opening else t.subject
        found.append(Question(text, t.subject, "ticket", t.id, t.created_at, "ticket"))
    return sorted(found, key=lambda q: (q.at, q.ref))


def cluster(vectors: npt.NDArray[np.float32], threshold: float) -> npt.NDArray[np.int_]:
    """A cluster label per row: average linkage on cosine distance, cut at ``threshold``.
    A row without a direction (all zeros, e.g. a text the embedder found no tokens in, or not
    finite) has no cosine distance to anything: it is a topic of its own."""
    from scipy.cluster.hierarchy import fcluster, linkage

    usable = np.isfinite(vectors).all(axis=1) & (np.abs(vectors).sum(axis=1) > 0)
    labels = np.ones(len(vectors), dtype=np.int_)
    if usable.sum() >= 2:
        tree = linkage(vectors[usable].astype(np.float64), method="average", metric="cosine")
        labels[usable] = fcluster(tree, t=threshold, criterion="distance")
    alone = int((~usable).sum())
    start = int(labels[usable].max()) + 1 if usable.any() else 1
    labels[~usable] = np.arange(start, start + alone)
    return labels


def _examples(members: list[int], qs: Sequence[Question],
              vectors: npt.NDArray[np.float32]) -> list[GapExample]:
    """The members nearest the topic's centre, one per title."""
    centre = vectors[members].mean(axis=0)
    order = sorted(members, key=lambda i: -float(vectors[i] @ centre))
    out: list[GapExample] = []
    seen: set[str] = set()
    for i in order:
        q = qs[i]
        if q.title.lower() not in seen:
            seen.add(q.title.lower())
            shown = _clip(q.text)
            out.append(GapExample(text=shown, source="ticket" if q.source == "ticket"
                                  else "conversation", ref=q.ref, at=q.at, outcome=q.outcome))
        if len(out) == EXAMPLES:
            break
    return out


def _topic(cid: int, members: list[int], qs: Sequence[Question], labels: list[int],
           docs: list[set[str]], vectors: npt.NDArray[np.float32], window: Window) -> GapCluster:
    outcomes = Counter(qs[i].outcome for i in members)
    recent_from = window.until - timedelta(days=window.recent_days)
    previous_from = recent_from - timedelta(days=window.recent_days)
    recent = sum(1 for i in members if qs[i].at >= recent_from)
    previous = sum(1 for i in members if previous_from <= qs[i].at < recent_from)
    words = distinctive(labels, docs, labels[members[0]])
    examples = _examples(members, qs, vectors)
    unanswered = outcomes["ungrounded"] + outcomes["handoff"]
    return GapCluster(
        id=cid, label=", ".join(words[:3]) or _clip(examples[0].text, 60), terms=words,
        size=len(members), tickets=outcomes["ticket"], ungrounded=outcomes["ungrounded"],
        handed_off=outcomes["handoff"], share_unanswered=round(unanswered / len(members), 4),
        recent=recent, previous=previous, growth=recent - previous,
        emerging=recent >= 2 and recent > previous, examples=examples)


def gaps(activity: Activity, window: Window, embedder: Embedder | None, *,
         threshold: float = THRESHOLD, min_size: int = 2, max_clusters: int = 15) -> Gaps:
    """Topics of the questions that needed a person, largest first, and the emerging ones."""
    qs = questions(activity)[-MAX_QUESTIONS:]
    if embedder is None or len(qs) < min_size:
        note = "no embedder configured" if embedder is None else "too few questions"
        return Gaps(questions=len(qs), clusters=[], unclustered=len(qs), emerging=[],
                    embedder=embedder.model_id if embedder else None, threshold=threshold,
                    note=note)
    vectors = embedder.embed_documents([q.text for q in qs])
    labels = [int(v) for v in cluster(vectors, threshold)]
    docs = [terms(q.title) for q in qs]
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    big = sorted((m for m in groups.values() if len(m) >= min_size),
                 key=lambda m: (-len(m), qs[m[0]].at))[:max_clusters]
    topics = [_topic(n, m, qs, labels, docs, vectors, window) for n, m in enumerate(big, 1)]
    emerging = sorted((t for t in topics if t.emerging), key=lambda t: (-t.growth, t.id))
    return Gaps(questions=len(qs), clusters=topics,
                unclustered=sum(len(m) for m in groups.values() if len(m) < min_size),
                emerging=[t.id for t in emerging], embedder=embedder.model_id,
                threshold=threshold)
