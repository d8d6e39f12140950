"""Ingest jobs: the job, its parts (one worker task each) and its files until ingested.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _int(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "ingest_jobs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("tenant", sa.String(48), nullable=False),
        sa.Column("collection", sa.String(48), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _int("files_total"), _int("parts_total"),
        sa.Column("refused", sa.JSON(), nullable=False),
        _time("created_at"), _time("finished_at", True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_jobs")),
    )
    op.create_index("ix_ingest_jobs_tenant", "ingest_jobs", ["tenant", "created_at"])
    op.create_table(
        "ingest_job_parts",
        sa.Column("job_id", sa.String(36), nullable=False), _int("part"),
        sa.Column("status", sa.String(16), nullable=False),
        _int("files"), _int("attempts"),
        sa.Column("worker", sa.String(120), nullable=True),
        sa.Column("report", sa.JSON(), nullable=False),
        _time("started_at", True), _time("finished_at", True),
        sa.ForeignKeyConstraint(["job_id"], ["ingest_jobs.id"],
                                name=op.f("fk_ingest_job_parts_job_id_ingest_jobs"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", "part", name=op.f("pk_ingest_job_parts")),
    )
    op.create_table(
        "ingest_job_files",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(36), nullable=False), _int("part"),
        sa.Column("name", sa.String(1000), nullable=False), _int("size"),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["job_id", "part"],
                                ["ingest_job_parts.job_id", "ingest_job_parts.part"],
                                name=op.f("fk_ingest_job_files_job_id_ingest_job_parts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_job_files")),
    )
    op.create_index("ix_ingest_job_files_part", "ingest_job_files", ["job_id", "part"])


def downgrade() -> None:
    op.drop_table("ingest_job_files")
    op.drop_table("ingest_job_parts")
    op.drop_table("ingest_jobs")
