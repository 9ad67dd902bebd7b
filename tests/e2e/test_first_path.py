"""The first real path: a resident's report over REST becomes a stored tip with a reference."""

from __future__ import annotations

import re

import sqlalchemy as sa

from routing.settings import sync_url
from routing.store.tables import tips
from tests.support.client import Resident
from tests.support.stack import Stack

REFERENCE = re.compile(r"\bTL-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


async def test_a_threat_reported_over_rest_is_stored_with_a_reference(stack: Stack) -> None:
    resident = Resident(stack.engine_url)

    first = await resident.says("my coworker said he is going to shoot everyone at work tomorrow")
    assert "911" in first[0], "an emergency's very first reply must send the resident to 911"

    replies = first
    for answer in ["the warehouse on 5th street", "tomorrow morning", "skip", "no", "yes", "yes", "yes"]:
        if any(REFERENCE.search(r) for r in replies):
            break
        replies = await resident.says(answer)
    reference = next(m.group(0) for r in replies if (m := REFERENCE.search(r)))

    engine = sa.create_engine(sync_url(stack.database_url))
    with engine.connect() as conn:
        row = conn.execute(sa.select(tips).where(tips.c.reference == reference)).one()
    engine.dispose()
    assert row.conversation_id == resident.sender
    assert row.category == "threat_to_others"
    assert row.urgency == "emergency"
    assert "911" in row.destinations
