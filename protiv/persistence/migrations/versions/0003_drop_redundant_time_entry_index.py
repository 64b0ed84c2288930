"""Drop time_entry's index on company_id alone (issue 7).

The unique (company_id, external_id) index already serves every lookup by company, and the
company's foreign key; the extra index was one more B-tree to update for every one of a large
sync's time entries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_time_entry_company_id"))


def downgrade() -> None:
    with op.batch_alter_table("time_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_time_entry_company_id"), ["company_id"], unique=False)
