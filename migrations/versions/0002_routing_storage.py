"""routing storage: triage history, messages, outbox, dispositions, follow-ups, links, audit log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_at = sa.DateTime(timezone=True)

# The audit log is append-only: the database itself refuses to change or remove a row.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
_POSTGRES_TRIGGERS = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
]


def upgrade() -> None:
    with op.batch_alter_table("tips") as batch:
        batch.add_column(sa.Column("jurisdiction", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("about_reporter", sa.Boolean, nullable=True))
        batch.add_column(sa.Column("media_urls", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("updated_at", _at, nullable=True))

    op.create_table(
        "triage_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tip_id", sa.Integer, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("secondary_categories", sa.JSON, nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("indicators", sa.JSON, nullable=False),
        sa.Column("needs_review", sa.Boolean, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("triage_rules", sa.JSON, nullable=False),
        sa.Column("destinations", sa.JSON, nullable=False),
        sa.Column("routing_rules", sa.JSON, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", _at, nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_id"], ["tips.id"], name=op.f("fk_triage_results_tip_id_tips"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_results")),
    )
    op.create_index(op.f("ix_triage_results_tip_id"), "triage_results", ["tip_id"])

    op.create_table(
        "tip_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tip_id", sa.Integer, nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", _at, nullable=False),
        sa.CheckConstraint("direction IN ('from_reporter', 'to_reporter')", name=op.f("ck_tip_messages_direction")),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], name=op.f("fk_tip_messages_tip_id_tips"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_messages")),
    )
    op.create_index(op.f("ix_tip_messages_tip_id"), "tip_messages", ["tip_id"])

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tip_id", sa.Integer, nullable=False),
        sa.Column("destination", sa.String(32), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("via", sa.String(32), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", _at, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", _at, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("external_reference", sa.String(128), nullable=True),
        sa.Column("packet", sa.JSON, nullable=True),
        sa.Column("escalation_step", sa.Integer, nullable=False, server_default="0"),
        sa.Column("escalates_id", sa.Integer, nullable=True),
        sa.Column("acknowledged_at", _at, nullable=True),
        sa.Column("acknowledged_by", sa.String(64), nullable=True),
        sa.Column("created_at", _at, nullable=False),
        sa.Column("delivered_at", _at, nullable=True),
        sa.Column("updated_at", _at, nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], name=op.f("fk_deliveries_tip_id_tips"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["escalates_id"], ["deliveries.id"], name=op.f("fk_deliveries_escalates_id_deliveries"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_deliveries_idempotency_key")),
    )
    op.create_index(op.f("ix_deliveries_tip_id"), "deliveries", ["tip_id"])
    op.create_index("ix_deliveries_due", "deliveries", ["status", "priority", "next_attempt_at"])

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("delivery_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(64), nullable=False),
        sa.Column("started_at", _at, nullable=False),
        sa.Column("finished_at", _at, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_attempts_delivery_id_deliveries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_attempts")),
    )
    op.create_index(op.f("ix_delivery_attempts_delivery_id"), "delivery_attempts", ["delivery_id"])

    op.create_table(
        "dispositions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tip_id", sa.Integer, nullable=False),
        sa.Column("destination", sa.String(32), nullable=True),
        sa.Column("disposition", sa.String(16), nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", _at, nullable=False),
        sa.CheckConstraint(
            "disposition IN ('valid', 'false', 'misuse', 'duplicate', 'referred')",
            name=op.f("ck_dispositions_disposition"),
        ),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], name=op.f("fk_dispositions_tip_id_tips"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispositions")),
    )
    op.create_index(op.f("ix_dispositions_tip_id"), "dispositions", ["tip_id"])

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tip_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("due_at", _at, nullable=True),
        sa.Column("done_at", _at, nullable=True),
        sa.Column("findings", sa.Text, nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", _at, nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], name=op.f("fk_follow_ups_tip_id_tips"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(op.f("ix_follow_ups_tip_id"), "follow_ups", ["tip_id"])

    op.create_table(
        "tip_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tip_id", sa.Integer, nullable=False),
        sa.Column("related_tip_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("created_at", _at, nullable=False),
        sa.ForeignKeyConstraint(["tip_id"], ["tips.id"], name=op.f("fk_tip_links_tip_id_tips"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["related_tip_id"], ["tips.id"], name=op.f("fk_tip_links_related_tip_id_tips"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_links")),
        sa.UniqueConstraint("tip_id", "related_tip_id", "reason", name="uq_tip_links_pair"),
    )
    op.create_index(op.f("ix_tip_links_tip_id"), "tip_links", ["tip_id"])
    op.create_index(op.f("ix_tip_links_related_tip_id"), "tip_links", ["related_tip_id"])

    op.create_table(
        "tip_match_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tip_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_id"], ["tips.id"], name=op.f("fk_tip_match_keys_tip_id_tips"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tip_match_keys")),
    )
    op.create_index(op.f("ix_tip_match_keys_tip_id"), "tip_match_keys", ["tip_id"])
    op.create_index("ix_tip_match_keys_digest", "tip_match_keys", ["digest"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", _at, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("tip_id", sa.Integer, nullable=True),
        sa.Column("delivery_id", sa.Integer, nullable=True),
        sa.Column("details", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_tip_id"), "audit_log", ["tip_id"])
    triggers = _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    for table in (
        "audit_log",
        "tip_match_keys",
        "tip_links",
        "follow_ups",
        "dispositions",
        "delivery_attempts",
        "deliveries",
        "tip_messages",
        "triage_results",
    ):
        op.drop_table(table)
    with op.batch_alter_table("tips") as batch:
        for column in ("updated_at", "media_urls", "about_reporter", "needs_review", "jurisdiction"):
            batch.drop_column(column)
