"""dispatch console: staff accounts and sessions, notes, tip assignment

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_at = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("assigned_to", sa.Integer, nullable=True))
    # The queue's alarm looks up unacknowledged emergencies on every live update.
    op.create_index("ix_tips_urgency_status", "tips", ["urgency", "status"])

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", _at, nullable=True),
        sa.Column("created_at", _at, nullable=False),
        sa.Column("updated_at", _at, nullable=False),
        sa.Column("last_login_at", _at, nullable=True),
        sa.CheckConstraint(
            "role IN ('dispatcher', 'analyst', 'fbi_liaison', 'admin')", name=op.f("ck_staff_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )

    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", _at, nullable=False),
        sa.Column("expires_at", _at, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_sessions_user_id_staff_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_staff_sessions_token_digest")),
    )
    op.create_index(op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"])

    op.create_table(
        "tip_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tip_id", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", _at, nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], name=op.f("fk_tip_notes_tip_id_tips"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_notes")),
    )
    op.create_index(op.f("ix_tip_notes_tip_id"), "tip_notes", ["tip_id"])


def downgrade() -> None:
    op.drop_table("tip_notes")
    op.drop_table("staff_sessions")
    op.drop_table("staff_users")
    op.drop_index("ix_tips_urgency_status", table_name="tips")
    with op.batch_alter_table("tips") as batch:
        batch.drop_column("assigned_to")
