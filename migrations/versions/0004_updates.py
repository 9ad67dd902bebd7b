"""deliveries.message_id: what a reporter adds to a tip later is forwarded to its destinations

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer, nullable=True))
        batch.create_foreign_key(
            op.f("fk_deliveries_message_id_tip_messages"), "tip_messages", ["message_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("fk_deliveries_message_id_tip_messages"), type_="foreignkey")
        batch.drop_column("message_id")
