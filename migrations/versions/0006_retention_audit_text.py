"""audit log: the one change the database accepts is retention removing free text from an entry

Reopen reasons and the names typed at failed sign-ins fall under retention (routing/retention.py).
The audit log stays append-only otherwise: no row can be deleted, and an update may only remove
`reason` from a `reopened` entry or `username` from an anonymous `login_failed` entry, nothing else.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SQLITE_UPDATE_TRIGGER = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "WHEN NOT (NEW.id = OLD.id AND NEW.at IS OLD.at AND NEW.actor = OLD.actor AND NEW.action = OLD.action "
    "AND NEW.tip_id IS OLD.tip_id AND NEW.delivery_id IS OLD.delivery_id "
    "AND (OLD.action = 'reopened' OR (OLD.action = 'login_failed' AND OLD.actor = 'anonymous')) "
    "AND NEW.details = json_remove(OLD.details, '$.reason', '$.username')) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
)
_SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
)
_POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor = OLD.actor "
    "AND NEW.action = OLD.action AND NEW.tip_id IS NOT DISTINCT FROM OLD.tip_id "
    "AND NEW.delivery_id IS NOT DISTINCT FROM OLD.delivery_id "
    "AND (OLD.action = 'reopened' OR (OLD.action = 'login_failed' AND OLD.actor = 'anonymous')) "
    "AND NEW.details::jsonb = OLD.details::jsonb - 'reason' - 'username' THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'audit_log is append-only'; END $$"
)
_POSTGRES_APPEND_ONLY = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute(_SQLITE_UPDATE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_APPEND_ONLY)
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute(_SQLITE_APPEND_ONLY)
