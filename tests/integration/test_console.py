"""The dispatch console through HTTP: sign-in, roles, CSRF, the queue, a tip's file and actions."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from routing.settings import Settings, sync_url
from routing.store.tables import audit_log, tips
from tests.support.console import PASSWORD, Console, add_user
from tests.support.routing import tip_payload


async def submit(client: TestClient, settings: Settings, **overrides: object) -> str:
    response = await client.post(
        "/api/v1/tips",
        json=tip_payload(**overrides),
        headers={"Authorization": f"Bearer {settings.intake_secret}"},
    )
    assert response.status == 201, await response.text()
    return str((await response.json())["reference"])


def audit_actions(settings: Settings, tip_reference: str | None = None) -> list[tuple[str, str]]:
    engine = sa.create_engine(sync_url(settings.database_url))
    with engine.connect() as conn:
        query = sa.select(audit_log.c.actor, audit_log.c.action).order_by(audit_log.c.id)
        if tip_reference:
            tip_id = conn.scalar(sa.select(tips.c.id).where(tips.c.reference == tip_reference))
            query = query.where(audit_log.c.tip_id == tip_id)
        rows = [(r.actor, r.action) for r in conn.execute(query)]
    engine.dispose()
    return rows


@pytest.fixture
async def console(client: TestClient) -> Console:
    await add_user(client, "dana", "dispatcher")
    c = Console(client)
    response = await c.log_in("dana")
    assert response.status == 200 and "Queue" in await response.text()
    return c


async def test_an_anonymous_request_gets_nothing_but_the_login_page(client: TestClient, settings: Settings) -> None:
    reference = await submit(client, settings)
    for path in ("/console/", f"/console/tips/{reference}", "/console/admin/users", "/console/stats.csv"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"] == "/console/login"
    response = await client.get(f"/console/tips/{reference}")
    text = await response.text()
    assert "Sign in" in text and reference not in text
    assert (await client.get("/console/events")).status == 401


async def test_a_post_without_its_csrf_token_is_refused(client: TestClient, settings: Settings) -> None:
    reference = await submit(client, settings)
    await add_user(client, "dana", "dispatcher")
    page = await client.get("/console/login")
    assert (await client.post("/console/login", data={"username": "dana", "password": PASSWORD})).status == 403
    c = Console(client)
    await c.log_in("dana")
    response = await client.post(f"/console/tips/{reference}/notes", data={"text": "no token"})
    assert response.status == 403
    response = await client.post(f"/console/tips/{reference}/notes", data={"text": "bad", "csrf_token": "forged"})
    assert response.status == 403
    assert ("staff:dana", "note_added") not in audit_actions(settings)
    assert page.status == 200


async def test_login_locks_after_repeated_failures_even_against_the_right_password(client: TestClient) -> None:
    await add_user(client, "dana", "dispatcher")
    c = Console(client)
    for _ in range(5):
        assert (await c.log_in("dana", "wrong password guess")).status == 401
    assert (await c.log_in("dana")).status == 401
    await add_user(client, "root", "admin")
    client.session.cookie_jar.clear()
    admin = Console(client)
    await admin.log_in("root")
    users = await admin.get("/console/admin/users")
    assert "locked until" in await users.text()


async def test_a_dispatcher_cannot_manage_users_or_see_statistics(console: Console) -> None:
    for path in (
        "/console/admin/users",
        "/console/admin/jurisdiction",
        "/console/admin/dead-letters",
        "/console/stats",
    ):
        assert (await console.get(path)).status == 403, path
    response = await console.post(
        "/console/admin/users", username="eve", display_name="Eve", role="admin", password="x" * 20
    )
    assert response.status == 403


async def test_the_queue_lists_emergencies_first_and_raises_the_alarm(
    client: TestClient, settings: Settings, console: Console
) -> None:
    routine = await submit(client, settings, triage={"urgency": "routine", "category": "wellness_concern"})
    emergency = await submit(client, settings)
    text = await (await console.get("/console/")).text()
    assert text.index(emergency) < text.index(routine)
    assert "alarming" in text
    filtered = await (await console.get("/console/?category=wellness_concern")).text()
    assert routine in filtered and emergency not in filtered
    by_destination = await (await console.get("/console/?destination=911")).text()
    assert emergency in by_destination and routine not in by_destination


async def test_viewing_and_working_a_tip_is_audited_to_the_person(
    client: TestClient, settings: Settings, console: Console
) -> None:
    reference = await submit(client, settings)
    page = await console.get(f"/console/tips/{reference}")
    assert page.status == 200
    text = await page.text()
    assert "Acknowledge for 911" in text and "Stated intent to shoot coworkers tomorrow." in text
    assert (await console.post(f"/console/tips/{reference}/acknowledge", destination="911")).status == 200
    await console.post(f"/console/tips/{reference}/notes", text="Called the site manager.")
    await console.post(
        f"/console/tips/{reference}/follow-ups",
        kind="wellness_check",
        action="Check on the coworker at home",
        owner="Deputy Example",
        due="2030-01-02T09:30",
    )
    await console.post(f"/console/tips/{reference}/reply", text="Thank you; your tip is being acted on.")
    await console.post(
        f"/console/tips/{reference}/disposition", disposition="valid", outcome="Subject interviewed.", destination="911"
    )
    actions = [a for actor, a in audit_actions(settings, reference) if actor == "staff:dana"]
    assert actions[:1] == ["tip_viewed"]
    for action in (
        "acknowledged",
        "note_added",
        "wellness_check_requested",
        "reporter_replied",
        "disposition_recorded",
    ):
        assert action in actions
    final = await (await console.get(f"/console/tips/{reference}")).text()
    assert "Called the site manager." in final and "Reopen" in final


async def test_the_statistics_export_as_csv_and_json(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    await submit(client, settings)
    await add_user(client, "ana", "analyst")
    c = Console(client)
    await c.log_in("ana")
    data = await (await c.get("/console/stats.json?days=7")).json(content_type=None)
    assert data["total"] == 1 and data["by_urgency"]["emergency"] == 1
    csv_text = await (await c.get("/console/stats.csv?days=7")).text()
    assert csv_text.splitlines()[0] == "section,key,value"
    assert "by_category,threat_to_others,1" in csv_text


async def test_an_incomplete_report_is_marked_with_what_was_not_answered(
    client: TestClient, settings: Settings, console: Console
) -> None:
    reference = await submit(
        client, settings, report_state="incomplete", unanswered=["where", "how_known"], triage={"urgency": "urgent"}
    )
    in_progress = await submit(client, settings, report_state="open")
    queue = await (await console.get("/console/")).text()
    assert "incomplete" in queue and "in progress" in queue
    page = await (await console.get(f"/console/tips/{reference}")).text()
    assert "the reporter stopped answering; asked and not answered: where, how known" in page
    assert "the reporter is still answering" in await (await console.get(f"/console/tips/{in_progress}")).text()
