"""The first real path: a resident's report over REST becomes a stored tip with a reference."""

from __future__ import annotations

import sqlalchemy as sa

from routing.settings import sync_url
from routing.store.tables import tips
from tests.e2e.answers import report
from tests.support.client import Resident
from tests.support.stack import Stack

ANSWERS = {
    "where": "the warehouse on 5th street",
    "hurt": "not yet",
    "description": "tall guy in a green jacket, he has a rifle at home",
    "safe": "yes",
    "anonymous": "no",
}


async def test_a_threat_reported_over_rest_is_stored_with_a_reference(stack: Stack) -> None:
    resident = Resident(stack.engine_url)

    turns, reference = await report(
        resident, "my coworker said he is going to shoot everyone at work tomorrow", ANSWERS
    )
    assert "911" in turns[0][1][0], "an emergency's very first reply must send the resident to 911"
    assert reference is not None, f"no receipt after {len(turns)} turns: {turns}"

    engine = sa.create_engine(sync_url(stack.database_url))
    with engine.connect() as conn:
        row = conn.execute(sa.select(tips).where(tips.c.reference == reference)).one()
    engine.dispose()
    assert row.conversation_id.startswith(resident.sender)
    assert row.category == "threat_to_others"
    assert row.urgency == "emergency"
    assert "911" in row.destinations
    assert row.answers["description"] == ANSWERS["description"]
    assert row.report_state == "complete"
