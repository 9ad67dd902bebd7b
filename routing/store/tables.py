"""Table definitions. The naming convention keeps constraint names, and so Alembic diffs, stable.

A column that holds a value encrypted with the vault (routing/crypto.py) is named `*_encrypted`:
`python -m routing rotate-keys` finds them by that name (encrypted_columns below).

Who did something is an `actor` string everywhere ("system", "reporter", "worker:<id>",
"receiver:<target>", "staff:<id>"), so staff accounts can come later without reshaping these.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases: SQLite hands back naive ones, so mark them UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        # SQLite keeps the wall-clock time and drops the offset: a time entered in the jurisdiction's
        # zone (a follow-up due at 21:00 CST) would come back as 21:00 UTC, six hours early.
        if value is not None and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


_now = UtcDateTime()

tips = sa.Table(
    "tips",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(16), nullable=False, unique=True),
    sa.Column("conversation_id", sa.String(128), nullable=False, unique=True),
    sa.Column("pin_encrypted", sa.Text, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("urgency", sa.String(16), nullable=False),
    sa.Column("destinations", sa.JSON, nullable=False),
    # The current triage with the routing rules that fired; triage_results keeps every version.
    sa.Column("triage", sa.JSON, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("transcript", sa.JSON, nullable=False),
    sa.Column("anonymous", sa.Boolean, nullable=False),
    sa.Column("contact_encrypted", sa.Text, nullable=True),
    sa.Column("reported_at", _now, nullable=False),
    sa.Column("created_at", _now, nullable=False),
    sa.Column("jurisdiction", sa.String(64), nullable=False, server_default=""),
    sa.Column("needs_review", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("about_reporter", sa.Boolean, nullable=True),
    sa.Column("media_urls", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("updated_at", _now, nullable=True),
    sa.Column("assigned_to", sa.Integer, nullable=True),  # staff_users.id (staff are deactivated, never deleted)
    # The report as the resident tells it (domain.REPORT_STATES): filed at the first message.
    sa.Column("report_state", sa.String(16), nullable=False, server_default="complete"),
    sa.Column("unanswered", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("revision", sa.Float, nullable=True),
    sa.Column("reporter_active_at", _now, nullable=True),  # the resident's last filing: the idle window's start
    sa.Column("routed_at", _now, nullable=True),  # when its deliveries were first queued
    sa.Index("ix_tips_urgency_status", "urgency", "status"),
    sa.Index("ix_tips_report_state", "report_state", "reporter_active_at"),
)

triage_results = sa.Table(
    "triage_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
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
    sa.Column("created_at", _now, nullable=False),
)

# Reporter follow-ups ("from_reporter") and staff replies the reporter sees ("to_reporter").
tip_messages = sa.Table(
    "tip_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("direction", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("conversation_id", sa.String(128), nullable=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("created_at", _now, nullable=False),
    sa.CheckConstraint("direction IN ('from_reporter', 'to_reporter')", name="direction"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
    # destination kind (911, 988, fbi, state_tipline) or "escalation" / "alarm"
    sa.Column("destination", sa.String(32), nullable=False),
    sa.Column("target", sa.String(64), nullable=False),  # the jurisdiction's target id
    sa.Column("via", sa.String(32), nullable=False),  # webhook, cad_webhook, email, sms, fbi_packet
    sa.Column("address", sa.Text, nullable=False),  # URL, e-mail or phone it is sent to, fixed at enqueue
    sa.Column("urgency", sa.String(16), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),  # 0 first: emergencies
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("idempotency_key", sa.String(64), nullable=False, unique=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", _now, nullable=False),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", _now, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("external_reference", sa.String(128), nullable=True),  # CAD incident, FBI confirmation
    sa.Column("packet", sa.JSON, nullable=True),  # what a person files by hand (FBI)
    sa.Column("escalation_step", sa.Integer, nullable=False, server_default="0"),
    sa.Column("escalates_id", sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=True),
    # an update: forwards this later message of the reporter (escalates_id is the tip's delivery)
    sa.Column("message_id", sa.ForeignKey("tip_messages.id", ondelete="CASCADE"), nullable=True),
    sa.Column("acknowledged_at", _now, nullable=True),
    sa.Column("acknowledged_by", sa.String(64), nullable=True),
    sa.Column("created_at", _now, nullable=False),
    sa.Column("delivered_at", _now, nullable=True),
    sa.Column("updated_at", _now, nullable=False),
    sa.Index("ix_deliveries_due", "status", "priority", "next_attempt_at"),
)

delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("delivery_id", sa.ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("worker", sa.String(64), nullable=False),
    sa.Column("started_at", _now, nullable=False),
    sa.Column("finished_at", _now, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)

dispositions = sa.Table(
    "dispositions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("destination", sa.String(32), nullable=True),  # which recipient closed it out
    sa.Column("disposition", sa.String(16), nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("created_at", _now, nullable=False),
    sa.CheckConstraint("disposition IN ('valid', 'false', 'misuse', 'duplicate', 'referred')", name="disposition"),
)

follow_ups = sa.Table(
    "follow_ups",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),  # follow_up, wellness_check
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("owner", sa.String(64), nullable=False),
    sa.Column("due_at", _now, nullable=True),
    sa.Column("done_at", _now, nullable=True),
    sa.Column("findings", sa.Text, nullable=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("created_at", _now, nullable=False),
)

# Related tips: each link is stored once per pair and reason, from the newer tip to the older.
tip_links = sa.Table(
    "tip_links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("related_tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column(
        "reason", sa.String(16), nullable=False
    ),  # person_place, account, plate, phone, phrase (subject, place: older links)
    sa.Column("created_at", _now, nullable=False),
    sa.UniqueConstraint("tip_id", "related_tip_id", "reason", name="uq_tip_links_pair"),
)

# Keyed digests of what links tips (a name, a place, an account): matched without keeping a copy.
tip_match_keys = sa.Table(
    "tip_match_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Index("ix_tip_match_keys_digest", "digest"),
)

# Append-only: triggers refuse DELETE and every UPDATE on both databases (migration 0002) but
# retention removing free text from an entry (migration 0006, Repository.remove_audit_text).
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", _now, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("tip_id", sa.Integer, nullable=True, index=True),
    sa.Column("delivery_id", sa.Integer, nullable=True),
    sa.Column("details", sa.JSON, nullable=False),
)


# --- dispatch console: staff accounts, their sessions, notes on tips ------------------------

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id, with its parameters
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", _now, nullable=True),
    sa.Column("created_at", _now, nullable=False),
    sa.Column("updated_at", _now, nullable=False),
    sa.Column("last_login_at", _now, nullable=True),
    sa.CheckConstraint("role IN ('dispatcher', 'analyst', 'fbi_liaison', 'admin')", name="role"),
)

# The cookie holds a random token; only its keyed digest is stored, so the table cannot log anyone in.
staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_digest", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", _now, nullable=False),
    sa.Column("expires_at", _now, nullable=False),
)

tip_notes = sa.Table(
    "tip_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tip_id", sa.ForeignKey("tips.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("created_at", _now, nullable=False),
)


def encrypted_columns() -> list[sa.Column[str]]:
    """Every column encrypted with the vault, read from the table definitions (key rotation covers them all)."""
    return [
        column for table in metadata.sorted_tables for column in table.columns if column.name.endswith("_encrypted")
    ]
