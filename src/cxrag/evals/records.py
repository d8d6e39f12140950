"""Eval runs in the shared database (the server configuration): every ``cxrag eval run``
records its ``run.json`` there too, so a prompt engineer on any machine can list the runs,
compare two and gate one by id; the folder with ``report.html`` stays where the run was made
(``cxrag eval export`` writes both again from the database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from cxrag.store.db import make_sessions
from cxrag.store.models import EvalRunRow


class EvalRecords:
    """Eval runs by id (the run folder's name)."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = make_sessions(engine)

    def save(self, run_id: str, run: dict[str, Any]) -> None:
        """Record ``run`` (already masked) as ``run_id``, replacing one of that id."""
        with self._sessions.begin() as session:
            session.merge(EvalRunRow(id=run_id[:120], suite=str(run["meta"]["suite"])[:120],
                                     run=run))

    def get(self, run_id: str) -> dict[str, Any] | None:
        """The run recorded as ``run_id``, or None."""
        with self._sessions() as session:
            row = session.get(EvalRunRow, run_id[:120])
            return dict(row.run) if row is not None else None

    def recent(self, suite: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The newest runs first: id, suite, when, prompt version, model, overall metrics."""
        query = select(EvalRunRow).order_by(EvalRunRow.created_at.desc()).limit(limit)
        if suite:
            query = query.where(EvalRunRow.suite == suite)
        with self._sessions() as session:
            return [{"id": row.id, "suite": row.suite, "created_at": row.created_at.isoformat(),
                     "prompt_version": row.run["meta"].get("prompt_version"),
                     "model": row.run["meta"].get("model"),
                     "overall": row.run.get("metrics", {}).get("overall", {})}
                    for row in session.scalars(query)]
