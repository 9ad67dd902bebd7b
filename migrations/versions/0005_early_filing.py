"""tips.report_state and friends: a report is filed at its first message and grows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_at = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("report_state", sa.String(16), nullable=False, server_default="complete"))
        batch.add_column(sa.Column("unanswered", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("revision", sa.Float, nullable=True))
        batch.add_column(sa.Column("reporter_active_at", _at, nullable=True))
        batch.add_column(sa.Column("routed_at", _at, nullable=True))
    # Every tip stored before this revision was complete and routed when it was stored.
    op.execute("UPDATE tips SET routed_at = created_at, reporter_active_at = created_at")
    op.create_index("ix_tips_report_state", "tips", ["report_state", "reporter_active_at"])


def downgrade() -> None:
    op.drop_index("ix_tips_report_state", table_name="tips")
    with op.batch_alter_table("tips") as batch:
        for column in ("routed_at", "reporter_active_at", "revision", "unanswered", "report_state"):
            batch.drop_column(column)
