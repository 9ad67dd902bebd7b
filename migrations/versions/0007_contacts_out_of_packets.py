"""FBI packets no longer keep the reporter's contact details: the console and the liaison's e-mail
fill them in from the tip's encrypted column, for those who may see them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# As routing/destinations/fbi.py writes them (copied: a migration must not change with the code).
REPORTER_FIELD = "Original reporter"
REPORTER_ON_FILE = "gave contact details (kept by the tipline)"
KEPT = ("anonymous", "removed after the retention period", REPORTER_ON_FILE)
SUMMARY_FIELD = "Tell us what happened"
SUMMARY_REPORTER = "Reporter (agreed to be contacted): "

deliveries = sa.table("deliveries", sa.column("id", sa.Integer), sa.column("packet", sa.JSON))


def _without_contact(packet: dict) -> dict:
    for section in packet.get("sections", []):
        fields = section.get("fields", {})
        if fields.get(REPORTER_FIELD) not in (None, *KEPT):
            fields[REPORTER_FIELD] = REPORTER_ON_FILE
        if isinstance(fields.get(SUMMARY_FIELD), str):
            lines = fields[SUMMARY_FIELD].split("\n")
            fields[SUMMARY_FIELD] = "\n".join(
                "Reporter: anonymous to this recipient" if line.startswith(SUMMARY_REPORTER) else line for line in lines
            )
    return packet


def upgrade() -> None:
    conn = op.get_bind()
    for delivery_id, packet in conn.execute(sa.select(deliveries.c.id, deliveries.c.packet)).all():
        if packet is None:
            continue
        stored = packet if isinstance(packet, dict) else json.loads(packet)
        cleaned = _without_contact(json.loads(json.dumps(stored)))
        if cleaned != stored:
            conn.execute(sa.update(deliveries).where(deliveries.c.id == delivery_id).values(packet=cleaned))


def downgrade() -> None:
    pass  # the contact details removed are not put back in plain text
